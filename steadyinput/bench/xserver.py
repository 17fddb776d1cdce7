"""Virtual X servers for measuring the live loop (and for the tests): Xvnc, whose pointer is a
real slave device driven over loopback by :class:`VNCPointer`, and Xvfb."""

from __future__ import annotations

import os
import socket
import struct
import subprocess


def start_display_server(cmd: list[str], env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """Start an X server that reports its display number on -displayfd; returns (process, ":N")."""
    r, w = os.pipe()
    proc = subprocess.Popen([*cmd, "-displayfd", str(w)], pass_fds=(w,), env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    with os.fdopen(r) as fh:
        num = fh.readline().strip()
    if not num:
        proc.kill()
        raise RuntimeError(f"{cmd[0]} did not start")
    return proc, f":{num}"


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_xvnc(geometry: str = "1280x800") -> tuple[subprocess.Popen, str, int]:
    """Xvnc on loopback with no authentication; returns (process, ":N", VNC port)."""
    port = free_port()
    proc, disp = start_display_server(["Xvnc", "-geometry", geometry, "-depth", "24", "-SecurityTypes", "None",
                                       "-rfbport", str(port), "-localhost", "-nolisten", "tcp", "-AlwaysShared",
                                       "-AcceptSetDesktopSize=0"])
    return proc, disp, port


class VNCPointer:
    """A minimal RFB (VNC) client: enough to send pointer events to an Xvnc on loopback."""

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        s = socket.create_connection((host, port), timeout=5)
        s.recv(12)
        s.sendall(b"RFB 003.008\n")
        n = s.recv(1)[0]
        types = s.recv(n)
        if 1 not in types:
            raise RuntimeError(f"the VNC server wants authentication: {types!r}")
        s.sendall(b"\x01")
        if struct.unpack(">I", s.recv(4))[0] != 0:
            raise RuntimeError("VNC security handshake failed")
        s.sendall(b"\x01")  # shared session
        head = s.recv(24)
        s.recv(struct.unpack(">I", head[20:24])[0])
        self.sock = s
        self.mask = 0
        self.x = self.y = 0

    def pointer(self, x: float, y: float, mask: int | None = None) -> None:
        if mask is not None:
            self.mask = mask
        self.x, self.y = int(round(x)), int(round(y))
        self.sock.sendall(struct.pack(">BBHH", 5, self.mask, self.x, self.y))

    def close(self) -> None:
        self.sock.close()
