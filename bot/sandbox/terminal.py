"""The terminal side of the console: typed lines and Ctrl-C, without ever stalling the loop.

Lines are read by a daemon thread with ``os.read`` on the descriptor, not by a thread of the
loop's default executor: a pending read there keeps ``asyncio.run`` from finishing (it waits
for its executor at exit), which made Ctrl-C do nothing until Enter was pressed. ``os.read``
takes no lock of ``sys.stdin``'s, so the abandoned thread cannot stall interpreter exit either.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator

FORCED_EXIT = 130  # the shell's status for "ended by SIGINT"


class LineReader:
    """Deliver lines typed on a file descriptor to the event loop, one at a time."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()
        self._thread: threading.Thread | None = None

    async def readline(self) -> str | None:
        """Return the next line (without its newline), or None at end of input."""
        if self._thread is None:
            loop = asyncio.get_running_loop()
            self._thread = threading.Thread(
                target=self._read, args=(loop,), name="sandbox-stdin", daemon=True
            )
            self._thread.start()
        return await self._lines.get()

    def _read(self, loop: asyncio.AbstractEventLoop) -> None:
        pending = b""
        while True:
            try:
                chunk = os.read(self._fd, 4096)
            except OSError:
                chunk = b""
            if not chunk:
                if pending:
                    self._deliver(loop, pending)
                self._deliver(loop, None)
                return
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                self._deliver(loop, line)

    def _deliver(self, loop: asyncio.AbstractEventLoop, line: bytes | None) -> None:
        text = None if line is None else line.decode("utf-8", errors="replace").rstrip("\r")
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is listening
            loop.call_soon_threadsafe(self._lines.put_nowait, text)


class Interrupts:
    """Ctrl-C once stops the console cleanly; a second Ctrl-C forces the process to exit."""

    def __init__(
        self,
        stop: Callable[[], None],
        say: Callable[[str], None],
        force: Callable[[], None] = lambda: os._exit(FORCED_EXIT),
    ) -> None:
        self._stop = stop
        self._say = say
        self._force = force
        self.presses = 0

    def press(self) -> None:
        """React to one Ctrl-C."""
        self.presses += 1
        if self.presses == 1:
            self._say("\nStopping the sandbox cleanly (press Ctrl-C again to force)…")
            self._stop()
        else:
            self._say("\nForced to stop.")
            self._force()

    @contextlib.contextmanager
    def installed(self, loop: asyncio.AbstractEventLoop) -> Iterator[bool]:
        """Handle SIGINT on the loop while inside; yield False where that is not possible."""
        try:
            loop.add_signal_handler(signal.SIGINT, self.press)
        except (NotImplementedError, RuntimeError, ValueError):
            yield False  # not the main thread, or a loop without signal support
            return
        try:
            yield True
        finally:
            loop.remove_signal_handler(signal.SIGINT)
