"""Plumbing shared by backends whose OS hands events to a callback thread (Windows, macOS):
a queue, and a socket pair the live loop can wait on (select takes sockets on every OS)."""

from __future__ import annotations

import queue
import socket


class QueuedEvents:
    def __init__(self) -> None:
        self.q: queue.SimpleQueue = queue.SimpleQueue()
        self._r, self._w = socket.socketpair()
        self._r.setblocking(False)

    def put(self, raw: tuple | None) -> None:
        """From the OS callback thread: queue a raw event (as ``read`` returns it) and wake the loop."""
        self.q.put(raw)
        try:
            self._w.send(b"e")
        except OSError:
            pass

    def fileno(self) -> int:
        return self._r.fileno()

    def pending(self) -> bool:
        return False

    def read(self) -> list:
        try:
            self._r.recv(4096)
        except BlockingIOError:
            pass
        out = []
        while not self.q.empty():
            out.append(self.q.get())
        return out

    def close_events(self) -> None:
        self._r.close()
        self._w.close()
