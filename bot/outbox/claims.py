"""Who delivers a row: each worker's identity, its lease, and which claimants are surely dead.

Several processes share the outbox. A worker claims the rows it sends, for a lease it renews
while it works on them; a process that dies stops renewing, and its rows are taken over once
the lease runs out. A dead process on this very host needs no wait: its pid is gone.
"""

from __future__ import annotations

import os
import secrets
import socket
from datetime import timedelta
from typing import Final

# How long a claim holds without renewal, and how often a working worker renews it.
LEASE: Final = timedelta(seconds=30)
RENEW_SECONDS: Final = 10.0

_HOST: Final = socket.gethostname()
# The identities made in this process: another with our pid is a previous process's (the pid
# was reused, e.g. pid 1 of a restarted container).
_MINE: set[str] = set()


def new_identity() -> str:
    """A worker identity, unique across hosts, processes and workers: ``host:pid:random``."""
    identity = f"{_HOST}:{os.getpid()}:{secrets.token_hex(4)}"
    _MINE.add(identity)
    return identity


def is_dead_here(identity: str) -> bool:
    """Tell whether ``identity`` is a worker of this host whose process is surely gone.

    Workers of other hosts are never judged: their claims wait for the lease to run out.
    """
    parts = identity.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return False
    host, pid = parts[0], int(parts[1])
    if host != _HOST:
        return False
    if pid == os.getpid():
        return identity not in _MINE
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except OSError:
        return False  # it exists, as another user's process
    return False
