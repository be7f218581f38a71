"""A throwaway PostgreSQL cluster on 127.0.0.1 for the tests and the benchmarks (not shipped)."""

from .cluster import Cluster, ClusterUnavailable, create_database, start_cluster

__all__ = ["Cluster", "ClusterUnavailable", "create_database", "start_cluster"]
