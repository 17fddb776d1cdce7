"""Watchdog: restores the pointer if the utility dies without cleaning up (e.g. SIGKILL).

Started by the utility with a pipe on its standard input. A clean exit writes ``ok`` and closes
the pipe; any other end of the pipe means the utility died. Then, on X11, every mouse button
still held down is released through XTEST (the X server has already ended the device grabs with
the dead connection, so the physical mouse moves the cursor again). It runs in its own session
so a Ctrl-C or a signal to the utility's process group does not take it down first.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys


def spawn(display: str | None) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "steadyinput.live.watchdog"]
    env = dict(os.environ)
    if display:
        env["DISPLAY"] = display
    return subprocess.Popen(cmd, stdin=subprocess.PIPE, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def dismiss(proc: subprocess.Popen) -> None:
    """A clean exit: tell the watchdog all is well."""
    try:
        proc.stdin.write(b"ok")  # type: ignore[union-attr]
        proc.stdin.close()  # type: ignore[union-attr]
        proc.wait(5)
    except (BrokenPipeError, OSError, subprocess.TimeoutExpired):
        proc.kill()


def release_x11_buttons(display: str | None = None) -> list[int]:
    from Xlib import X, display as xdisplay
    from Xlib.ext import xtest
    d = xdisplay.Display(display)
    try:
        mask = d.screen().root.query_pointer().mask
        released = []
        for button, bit in ((1, X.Button1Mask), (2, X.Button2Mask), (3, X.Button3Mask)):
            if mask & bit:
                xtest.fake_input(d, X.ButtonRelease, button)
                released.append(button)
        d.sync()
        return released
    finally:
        d.close()


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    data = sys.stdin.buffer.read()  # returns when the utility closes the pipe or dies
    if data.endswith(b"ok"):
        return 0
    if os.environ.get("DISPLAY"):
        try:
            release_x11_buttons()
        except Exception:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
