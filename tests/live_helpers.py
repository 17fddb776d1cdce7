"""Helpers for live tests: run the utility as a real subprocess and watch the X server."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import threading
import time

import Xlib.threaded  # noqa: F401  (python-xlib's locking: the watcher reads in a thread)
from Xlib import X, display


class LiveRun:
    """`steadyinput run --no-tray --backend x11` as a subprocess on an X display."""

    def __init__(self, disp: str, *args: str, env: dict | None = None, argv: list[str] | None = None) -> None:
        e = dict(os.environ, DISPLAY=disp, **(env or {}))
        cmd = argv or [sys.executable, "-m", "steadyinput", "run", "--no-tray", "--backend", "x11", *args]
        self.proc = subprocess.Popen(cmd, env=e, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        self.err: list[str] = []
        end = time.monotonic() + 20
        while time.monotonic() < end:
            line = self.proc.stderr.readline()
            if not line:
                break
            self.err.append(line)
            if "steadying with backend" in line:
                threading.Thread(target=self._drain, daemon=True).start()
                time.sleep(0.2)
                return
        self.proc.kill()
        raise AssertionError("the utility did not start:\n" + "".join(self.err) + self.proc.stderr.read())

    def _drain(self) -> None:
        for line in self.proc.stderr:
            self.err.append(line)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> int:
        self.proc.send_signal(sig)
        return self.proc.wait(timeout)

    def text(self) -> str:
        return "".join(self.err)


class Watcher:
    """Collects core pointer motion and button events on the root window, as clients see them."""

    def __init__(self, disp: str) -> None:
        self.name = disp
        self.d = display.Display(disp)
        self.root = self.d.screen().root
        self.root.change_attributes(event_mask=X.PointerMotionMask | X.ButtonPressMask | X.ButtonReleaseMask)
        self.d.sync()
        self.events: list[tuple[float, str, int, int, int]] = []
        self._stop = False
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self) -> None:
        names = {X.MotionNotify: "move", X.ButtonPress: "press", X.ButtonRelease: "release"}
        while not self._stop:
            if not self.d.pending_events():
                select.select([self.d.fileno()], [], [], 0.05)
            while self.d.pending_events():
                e = self.d.next_event()
                if e.type in names:
                    self.events.append((time.monotonic(), names[e.type], e.root_x, e.root_y,
                                        getattr(e, "detail", 0)))

    def close(self) -> None:
        self._stop = True
        self._t.join(1)
        self.d.close()

    def pointer(self) -> tuple[int, int, int]:
        d = display.Display(self.name)
        try:
            p = d.screen().root.query_pointer()
            return p.root_x, p.root_y, p.mask
        finally:
            d.close()


def read_json(path) -> dict:
    """A state file written by the utility (atomically), or {} before it exists."""
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def wait_json(path, pred, timeout: float = 10.0) -> dict:
    """Wait until the state file satisfies pred; fail with the last state seen."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        st = read_json(path)
        if st and pred(st):
            return st
        time.sleep(0.05)
    raise AssertionError(f"timed out; last state {read_json(path)}")


def replays_to_the_live_actions(folder) -> None:
    """A live session's recording (``rec.csv`` in ``folder``) replays to what the live engine did
    (``live.csv``), row for row, up to the stop (the live end releases at the stop time; replay
    settles instead)."""
    r = subprocess.run([sys.executable, "-m", "steadyinput", "replay", str(folder / "rec.csv"), "-o",
                        str(folder / "replayed.csv")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    live = (folder / "live.csv").read_text().splitlines()
    replayed = (folder / "replayed.csv").read_text().splitlines()
    stop_t = live[-1].split(",")[0]
    before_stop = [row for row in live if row.split(",")[0] != stop_t]
    assert len(before_stop) > 50 and replayed[:len(before_stop)] == before_stop
