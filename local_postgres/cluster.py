"""A throwaway PostgreSQL cluster: started in a temporary folder, stopped and removed after.

It listens on a free port of 127.0.0.1 (and a private Unix socket), trusts local connections
and skips every fsync: it holds nothing worth keeping. The server refuses to run as root, so
as root the cluster belongs to the ``postgres`` user. A cluster whose starting process died
without stopping it is stopped by the next ``start_cluster``.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg


class ClusterUnavailable(Exception):
    """PostgreSQL cannot be started here (not installed, or it failed to start)."""


def _programs() -> tuple[str, str]:
    found = shutil.which("initdb"), shutil.which("pg_ctl")
    if found[0] and found[1]:
        return found[0], found[1]
    # Debian installs the server's programs outside PATH, one folder per major version:
    # the newest first.
    versions = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if p.parent.name.isdigit()]
    versions.sort(key=lambda p: int(p.parent.name), reverse=True)
    folders = [*versions, Path("/usr/local/pgsql/bin")]
    for folder in folders:
        initdb, pg_ctl = folder / "initdb", folder / "pg_ctl"
        if initdb.is_file() and pg_ctl.is_file():
            return str(initdb), str(pg_ctl)
    raise ClusterUnavailable("PostgreSQL's initdb and pg_ctl were not found")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Cluster:
    """A running throwaway cluster; ``url(name)`` reaches one of its databases."""

    folder: Path
    port: int
    user: str
    pg_ctl: str
    started_in: float
    _as_user: list[str] = field(default_factory=list)

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        data = self.folder / "data"
        subprocess.run(  # noqa: S603 - our own programs and folders, no shell
            [*self._as_user, self.pg_ctl, "stop", "-D", str(data), "-m", "immediate", "-s"],
            check=False,
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def _step(command: list[str], folder: Path, *, keep: bool = False) -> None:
    """Run one of initdb and pg_ctl; ClusterUnavailable with its last words if it fails."""
    done = subprocess.run(  # noqa: S603 - our own programs and folders, no shell
        command, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode == 0:
        return
    detail = (done.stderr or done.stdout).strip().splitlines()
    log = folder / "server.log"
    if log.exists():
        detail += log.read_text(errors="replace").strip().splitlines()[-5:]
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)
    program = next(Path(part).name for part in command if part.endswith(("initdb", "pg_ctl")))
    raise ClusterUnavailable(f"{program} failed: " + " | ".join(detail[-6:]))


_PREFIX = "minerwatch-pg-"
_OWNER_FILE = "owner.pid"


def _stop_abandoned(pg_ctl: str, as_user: list[str]) -> None:
    """Stop the clusters of test sessions that were killed before they could stop them."""
    for folder in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*"):
        try:
            owner = int((folder / _OWNER_FILE).read_text())
            os.kill(owner, 0)
            continue  # its session is still running
        except ProcessLookupError:
            pass
        except (OSError, ValueError):
            continue  # not ours to judge (being created, or unreadable)
        Cluster(folder, 0, "", pg_ctl, 0.0, as_user).stop()


def start_cluster() -> Cluster:
    """Create and start a cluster; ClusterUnavailable (with the reason) when it cannot."""
    initdb, pg_ctl = _programs()
    began = time.monotonic()
    as_user: list[str] = []
    owner = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            raise ClusterUnavailable(
                "running as root and there is no postgres user to own the cluster"
            ) from None
        runuser = shutil.which("runuser")
        if not runuser:
            raise ClusterUnavailable("running as root and runuser is missing")
        as_user = [runuser, "-u", "postgres", "--"]
    _stop_abandoned(pg_ctl, as_user)
    folder = Path(tempfile.mkdtemp(prefix=_PREFIX))
    (folder / _OWNER_FILE).write_text(str(os.getpid()))
    data, sockets = folder / "data", folder / "sockets"
    sockets.mkdir()
    if owner is not None:
        for path in (folder, sockets):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    user = "minerwatch"
    initdb_step = [
        *as_user, initdb, "-D", str(data), "--username", user, "--auth", "trust",
        "--locale", "C", "--encoding", "UTF8", "--no-sync",
    ]  # fmt: skip
    _step(initdb_step, folder)
    # A free port can be taken between the probe and the server's bind: try another.
    for attempt in range(3):
        port = _free_port()
        options = (
            f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={sockets} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
        )
        start_step = [
            *as_user, pg_ctl, "start", "-D", str(data), "-w", "-t", "60", "-s",
            "-l", str(folder / "server.log"), "-o", options,
        ]  # fmt: skip
        try:
            _step(start_step, folder, keep=attempt < 2)
            break
        except ClusterUnavailable:
            if attempt == 2:
                raise
    return Cluster(folder, port, user, pg_ctl, time.monotonic() - began, as_user)


async def create_database(cluster: Cluster, name: str, *, template: str = "template0") -> str:
    """Create database ``name`` (a copy of ``template``, a file copy) and return its URL."""
    admin = await asyncpg.connect(cluster.url("postgres"))
    try:
        await admin.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    finally:
        await admin.close()
    return cluster.url(name)
