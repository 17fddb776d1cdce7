"""``steadyinput run``: steady the real pointer (foreground; the tray comes with the app)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys


def add_parser(sub) -> None:
    p = sub.add_parser("run", help="steady the real pointer now",
                       description="Grab the physical pointing devices and drive the cursor with the "
                                   "filtered motion. Ctrl-C, SIGTERM or any error gives the mouse back.")
    add_run_options(p)
    p.set_defaults(run=run)


def add_run_options(p) -> None:
    p.add_argument("--backend", default="auto", help="auto (default), evdev, x11, win32 or darwin")
    p.add_argument("--profile", default=None, help="profile name or file (default: moderate)")
    p.add_argument("--device", action="append", help="only steady devices whose name contains this (repeatable)")
    p.add_argument("--record", metavar="FILE", help="also record the raw pointer (no keys) to this trace file, and the "
                        "targets near the cursor beside it (FILE.targets.jsonl; not with --targets off)")
    p.add_argument("--log-actions", metavar="FILE",
                   help="write what the cursor was told to do (a trace, as replay -o writes) for bug reports")
    p.add_argument("--targets", choices=("auto", "off"), default="auto",
                   help="where buttons are, for target-aware clicking: 'auto' (default) asks the desktop's "
                        "accessibility tree when the profile uses target assistance or --record is given "
                        "(rectangles and roles only, never names or text); 'off' never asks")
    p.add_argument("--no-tray", action="store_true", help="run in the foreground with a status line, no tray icon")
    p.add_argument("--quiet", action="store_true", help="no status line")


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not args.no_tray:
        from ..app.tray import run_tray
        return run_tray(args)
    return run_foreground(args)


def run_foreground(args: argparse.Namespace) -> int:
    """The terminal mode: a status line, Ctrl-C/SIGTERM/SIGHUP stop, the mouse given back."""
    from ..app.settings import evdev_px_per_count
    from ..live.session import LiveSession, SessionOptions
    quiet = getattr(args, "quiet", False)
    options = SessionOptions.from_args(args)
    options.px_per_count = evdev_px_per_count()
    session = LiveSession(options, say=None if not quiet else (lambda m: None))
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: session.loop.stop())

    def started() -> None:
        if not quiet:
            print(f"steadyinput: {session.status()}; Ctrl-C to stop", file=sys.stderr, flush=True)

    session.run(on_started=started)
    if not quiet:
        print(f"steadyinput: stopped after {session.loop.events_seen} events; the mouse is yours again",
              file=sys.stderr)
        if session.recorder is not None:
            print(f"steadyinput: recorded {session.recorder.rows} events to {session.recorder.path}",
                  file=sys.stderr)
        if session.targets_recorder is not None:
            print(f"steadyinput: recorded {session.targets_recorder.rows} target sets to "
                  f"{session.targets_recorder.path}", file=sys.stderr)
    return 0
