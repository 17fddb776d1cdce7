"""One instance per user: a lock file, and a local socket on which a second start asks the first
to show itself."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path

from .settings import runtime_dir


class AlreadyRunning(RuntimeError):
    pass


class SingleInstance:
    def __init__(self, on_show: Callable[[], None], directory: Path | None = None,
                 on_view: Callable[[], None] | None = None) -> None:
        self.dir = directory or runtime_dir()
        self.dir.mkdir(parents=True, exist_ok=True)
        self.lock_path = self.dir / "steadyinput.lock"
        self.sock_path = self.dir / "steadyinput.sock"
        self.on_show = on_show
        self.on_view = on_view  # a second `steadyinput view` asks for the live view
        self._fh = None
        self._srv: socket.socket | None = None

    def acquire(self) -> None:
        """Take the lock, or tell the running instance to show itself and raise AlreadyRunning."""
        fh = open(self.lock_path, "a+")
        try:
            if os.name == "nt":  # pragma: no cover - Windows
                import msvcrt
                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            self._ask_first_to_show()
            raise AlreadyRunning("steadyinput is already running for this user; asked it to show itself") from None
        self._fh = fh
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        if hasattr(socket, "AF_UNIX"):
            try:
                self.sock_path.unlink()
            except FileNotFoundError:
                pass
            self._srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self._srv.bind(str(self.sock_path))
            os.chmod(self.sock_path, 0o600)
            self._srv.listen(2)
            threading.Thread(target=self._serve, name="single-instance", daemon=True).start()

    def _serve(self) -> None:
        while self._srv is not None:
            try:
                conn, _ = self._srv.accept()
            except OSError:
                return
            with conn:
                msg = conn.recv(16)
                if msg.startswith(b"show"):
                    self.on_show()
                    conn.sendall(b"ok")
                elif msg.startswith(b"view") and self.on_view is not None:
                    self.on_view()
                    conn.sendall(b"ok")

    def _ask_first_to_show(self) -> None:
        if not hasattr(socket, "AF_UNIX") or not self.sock_path.exists():
            return
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(2)
                s.connect(str(self.sock_path))
                s.sendall(b"show")
                s.recv(8)
        except OSError:
            pass

    def release(self) -> None:
        srv, self._srv = self._srv, None
        if srv is not None:
            srv.close()
            try:
                self.sock_path.unlink()
            except FileNotFoundError:
                pass
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def ask_running(request: bytes, directory: Path | None = None) -> bool:
    """Ask the running instance (if any) for ``request`` (b"show", b"view"); True if it did it."""
    sock_path = (directory or runtime_dir()) / "steadyinput.sock"
    if not hasattr(socket, "AF_UNIX") or not sock_path.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(2)
            s.connect(str(sock_path))
            s.sendall(request)
            return s.recv(8).startswith(b"ok")
    except OSError:
        return False
