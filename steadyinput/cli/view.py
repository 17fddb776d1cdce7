"""``steadyinput view``: the live view — watch the tremor and the steadied cursor, tune by eye."""

from __future__ import annotations

import argparse
import os
import signal
import sys


def add_parser(sub) -> None:
    p = sub.add_parser("view", help="watch the hand and the steadied cursor live, and tune by eye",
                       description="Open the live view: the last seconds of the hand's and the cursor's "
                                   "paths, x and y against time, an estimated tremor meter (frequency, size, "
                                   "dB removed, lag), and controls (steadiness vs delay, click guard, "
                                   "dwell-click) that change the running engine at once; 'Save as profile…' "
                                   "writes the result as a profile. If steadyinput is already running in "
                                   "the tray, its view opens; otherwise this steadies the pointer itself "
                                   "until the window is closed.")
    p.add_argument("--backend", default="auto", help="auto (default), evdev, x11, win32 or darwin")
    p.add_argument("--profile", default=None, help="profile name or file (default: moderate)")
    p.add_argument("--device", action="append", help="only steady devices whose name contains this (repeatable)")
    p.add_argument("--record", metavar="FILE",
                   help="also record the raw pointer (no keys) to this trace file, with the settings changed "
                        "in the view beside it (FILE.settings.jsonl), so it replays to the same actions")
    p.add_argument("--log-actions", metavar="FILE", help="write what the cursor was told to do (a trace)")
    p.set_defaults(run=run)


def display_problem() -> str | None:
    """Why no window can be opened here, or None."""
    if os.name == "posix" and sys.platform != "darwin" and not os.environ.get("DISPLAY"):
        return "no display (DISPLAY is not set); the live view needs a desktop session"
    try:
        import tkinter  # noqa: F401
    except ImportError:
        return "this Python has no Tk (on Debian and Ubuntu: sudo apt install python3-tk)"
    return None


def run(args: argparse.Namespace) -> int:
    from ..errors import UserError
    problem = display_problem()
    if problem:
        raise UserError(f"cannot open the live view: {problem}")
    from ..app.single import ask_running
    if ask_running(b"view"):
        print("steadyinput view: opened the live view of the steadyinput running in the tray", file=sys.stderr)
        return 0
    from ..app.settings import evdev_px_per_count
    from ..live.session import LiveSession, SessionOptions
    from ..view.window import LiveView
    options = SessionOptions.from_args(args)
    options.px_per_count = evdev_px_per_count()
    session = LiveSession(options)
    try:
        view = LiveView(session)
    except Exception as exc:  # tkinter.TclError: the display cannot be opened
        session.backend.stop()
        raise UserError(f"cannot open the live view: {str(exc).splitlines()[0] if str(exc) else exc}") from None
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: view.win.after(0, view.close))

    def watch() -> None:  # the session ended by itself (input over, a failure): close the window
        if session.ended():
            view.close()
        elif not view.closed:
            view.win.after(200, watch)

    session.start()
    print(f"steadyinput: {session.status()}; close the live view window to stop", file=sys.stderr, flush=True)
    view.win.after(200, watch)
    try:
        view.win.mainloop()
    finally:
        session.stop()
    print(f"steadyinput: stopped after {session.loop.events_seen} events; the mouse is yours again", file=sys.stderr)
    if session.failed:
        print(f"steadyinput: the session failed: {session.failed}", file=sys.stderr)
        return 1
    return 0
