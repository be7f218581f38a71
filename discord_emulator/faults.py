"""Faults a test can inject into REST calls: error statuses, dropped connections, delays."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

_REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass
class Fault:
    """One injected fault; `route` is "METHOD /template" and may use * wildcards."""

    route: str
    kind: str
    status: int = 0
    seconds: float = 0.0
    times: int | None = 1
    after_handling: bool = False
    hits: int = 0

    @property
    def spent(self) -> bool:
        """Tell whether the fault has fired as often as asked."""
        return self.times is not None and self.hits >= self.times

    def body(self) -> dict[str, object]:
        """Return the JSON body of an injected error status."""
        return {"message": f"{self.status}: {_REASONS.get(self.status, 'Error')}", "code": 0}


class Faults:
    """The faults armed for upcoming requests."""

    def __init__(self) -> None:
        self._armed: list[Fault] = []
        self.fired: list[tuple[str, Fault]] = []

    def fail(
        self, route: str, *, status: int = 503, times: int | None = 1, after_handling: bool = False
    ) -> Fault:
        """Answer the next `times` requests with a status (after_handling: do the work first)."""
        return self._arm(
            Fault(route, "status", status=status, times=times, after_handling=after_handling)
        )

    def drop(self, route: str, *, times: int | None = 1, after_handling: bool = False) -> Fault:
        """Close the connection without an answer (after_handling: after doing the work)."""
        return self._arm(Fault(route, "drop", times=times, after_handling=after_handling))

    def delay(
        self, route: str, seconds: float, *, times: int | None = 1, after_handling: bool = False
    ) -> Fault:
        """Hold the next `times` requests to a route for some seconds before handling them.

        after_handling: do the work first (a message is created at once), then hold the
        answer, so a client can die while the request is in flight.
        """
        return self._arm(
            Fault(route, "delay", seconds=seconds, times=times, after_handling=after_handling)
        )

    def clear(self) -> None:
        """Disarm every fault."""
        self._armed.clear()

    def _arm(self, fault: Fault) -> Fault:
        """Add a fault."""
        self._armed.append(fault)
        return fault

    def take(self, route: str) -> list[Fault]:
        """Return and count the faults firing now: delays, then at most one failure."""
        delays: list[Fault] = []
        failure: Fault | None = None
        for fault in self._armed:
            if fault.spent or not fnmatch.fnmatchcase(route, fault.route):
                continue
            if fault.kind == "delay":
                delays.append(fault)
            elif failure is None:
                failure = fault
        fired = delays + ([failure] if failure is not None else [])
        for fault in fired:
            fault.hits += 1
            self.fired.append((route, fault))
        self._armed = [f for f in self._armed if not f.spent]
        return fired
