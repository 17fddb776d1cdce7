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
    p.add_argument("--record", metavar="FILE", help="also record the raw pointer (no keys) to this trace file")
    p.add_argument("--log-actions", metavar="FILE",
                   help="write what the cursor was told to do (a trace, as replay -o writes) for bug reports")
    p.add_argument("--no-tray", action="store_true", help="run in the foreground with a status line, no tray icon")
    p.add_argument("--quiet", action="store_true", help="no status line")


class Recorder:
    """Writes raw pointer events (never keys) to a trace file as they are fed to the engine."""

    def __init__(self, path: str) -> None:
        import gzip
        self.path = path
        self._fh = gzip.open(path, "wt", newline="") if path.endswith(".gz") else open(path, "w", newline="")
        self._fh.write("t,x,y,buttons\n")

    def __call__(self, ev) -> None:
        self._fh.write(f"{ev.t!r},{ev.x!r},{ev.y!r},{ev.buttons}\n")

    def close(self) -> None:
        self._fh.close()


class ActionLog(Recorder):
    """Writes the engine's actions as a trace (t,x,y,buttons after each), like replay -o."""

    def __call__(self, actions) -> None:  # type: ignore[override]
        import numpy as np
        for a in actions:
            self._fh.write(f"{float(np.round(a.t, 6))!r},{a.x},{a.y},{a.buttons}\n")  # µs, as replay -o


def start_live(args, profile_name: str | None, on_status=None):
    """Build engine, backend, loop, watchdog and watcher; returns them without running."""
    from ..backends import choose, create
    from ..live.loop import LiveLoop
    from ..live.reload import ProfileWatcher
    from ..pipeline import build_engine
    from ..profile import load
    name, _ = choose(args.backend)
    kw = {"devices": args.device} if args.device else {}
    backend = create(name, **kw)
    prof = load(profile_name or "moderate")
    engine = build_engine(prof, screens=backend.screens())
    recorder = Recorder(args.record) if args.record else None
    actions_log = ActionLog(args.log_actions) if getattr(args, "log_actions", None) else None
    say = on_status or (lambda msg: print(msg, file=sys.stderr, flush=True))
    loop = LiveLoop(engine, backend, record=recorder, on_actions=actions_log,
                    on_fault=lambda m: say(f"warning: {m}"))
    loop.closers = [c for c in (recorder, actions_log) if c]

    def changed(p):
        loop.swap_engine(build_engine(p, screens=backend.screens()))
        say(f"profile '{p.name}' changed on disk: now in use")

    watcher = ProfileWatcher(prof, changed, lambda m: say(f"warning: {m}"))
    return name, backend, prof, loop, recorder, watcher


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not args.no_tray:
        from ..app.tray import run_tray
        return run_tray(args)
    return run_foreground(args)


def run_foreground(args: argparse.Namespace) -> int:
    from ..backends import BackendError
    from ..live import watchdog
    from ..errors import UserError
    try:
        name, backend, prof, loop, recorder, watcher = start_live(args, args.profile)
    except BackendError as exc:
        raise UserError(str(exc)) from None
    dog = watchdog.spawn(getattr(backend, "display_name", None)) if name == "x11" else None
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: loop.stop())
    def started() -> None:
        if not args.quiet:
            print(f"steadyinput: steadying with backend '{name}', profile '{prof.name}' "
                  f"({', '.join(getattr(backend, 'grabbed', {}).values()) or 'pointer'}); Ctrl-C to stop",
                  file=sys.stderr, flush=True)

    watcher.start()
    try:
        loop.run(on_started=started)
    except BackendError as exc:
        raise UserError(str(exc)) from None
    finally:
        watcher.stop()
        for c in loop.closers:
            c.close()
        if dog:
            watchdog.dismiss(dog)
    if not args.quiet:
        print(f"steadyinput: stopped after {loop.events_seen} events; the mouse is yours again", file=sys.stderr)
    return 0
