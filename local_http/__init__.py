"""A plain HTTP server on 127.0.0.1 for the local stand-ins of outside services (not shipped)."""

from .server import Answer, LocalServer
from .stand_in import StandIn

__all__ = ["Answer", "LocalServer", "StandIn"]
