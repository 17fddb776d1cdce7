"""``steadyinput``: the command-line entry point."""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import traceback
from datetime import datetime
from pathlib import Path

from .. import __version__
from ..errors import EXIT_BUG, SteadyInputError, UserError

__all__ = ["main", "build_parser", "UserError"]

# commands that only read and write files: SIGTERM cleans up their temporary outputs like Ctrl-C
FILE_COMMANDS = {"replay", "simulate", "demo", "profile", "calibrate", "bench"}

# subcommand -> module in this package; imported only when used (some need a display)
COMMANDS = {
    "replay": "replay",
    "simulate": "simulate",
    "demo": "demo",
    "profile": "profile",
    "calibrate": "calibrate",
    "run": "run",
    "record": "record",
    "doctor": "doctor",
    "setup": "setup",
    "bench": "bench",
    "view": "view",
}

DESCRIPTION = """\
Steadies the mouse pointer for people with hand tremor.

Testers and OTs: replay a recorded or simulated trace through the same engine the live
utility uses, and get the pointer stream applications would have seen plus a report."""

EPILOG = """\
examples:
  steadyinput demo                                   replay a bundled tremor trace, write a report
  steadyinput simulate --tremor intention -o t.csv   make a synthetic tremor trace
  steadyinput replay t.csv -o out.csv --report r/    filter it with the default profile
  steadyinput profile list                           the profiles you can use
  steadyinput view                                   watch the tremor and the steadied cursor, tune by eye
  steadyinput setup                                  Wayland/console: let this user steady the mouse
"""


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command-line parser; with ``only``, just that subcommand (start-up stays short)."""
    parser = argparse.ArgumentParser(prog="steadyinput", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"steadyinput {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the full traceback of an unexpected failure (it is always logged)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in COMMANDS.items():
        if only is None or name == only:
            importlib.import_module(f".{module}", __package__).add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    # before NumPy loads: OpenBLAS starts a thread per core, which busy-waits at start-up, and
    # nothing here needs one (the Kalman design's matrices are 4×4; parallel work uses processes,
    # steadyinput.parallel); measured 2-6 % of a replay's CPU time. A value set by the user stays.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv or bool(os.environ.get("STEADYINPUT_DEBUG"))
    if "--debug" in argv:
        argv.remove("--debug")
    if not argv or argv[0].startswith("--profile") or argv[0] in ("--no-tray", "--backend"):
        argv = ["run", *argv]  # plain `steadyinput` starts the utility with its tray icon
    parser = build_parser(argv[0] if argv[0] in COMMANDS else None)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.command in FILE_COMMANDS and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _terminated)
    try:
        return int(args.run(args) or 0)
    except SteadyInputError as exc:
        _say(args.command, f"error: {exc}")
        return exc.exit_status
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stderr.close()
        return 0
    except OSError as exc:  # a path, permission or device problem the user can fix
        where = f"{exc.filename}: " if exc.filename else ""
        _say(args.command, f"error: {where}{exc.strerror or exc}")
        return 2
    except MemoryError:
        _say(args.command, "error: not enough memory for this input")
        return 2
    except Exception as exc:  # a bug: one line here, the traceback in the log
        if debug:
            traceback.print_exc()
        log = _log_traceback(args.command, argv)
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        _say(args.command, f"internal error: {type(exc).__name__}: {exc} (in {Path(frame.filename).name}:"
                           f"{frame.lineno}); " + (f"full traceback in {log}" if log else "could not write the log")
             + ("" if debug else "; --debug shows it"))
        return EXIT_BUG


def _say(command: str, text: str) -> None:
    first, *rest = str(text).splitlines() or [""]
    print(f"steadyinput {command}: {first}", file=sys.stderr)
    for line in rest:
        print(line, file=sys.stderr)


def warn(command: str, text: str) -> None:
    """A warning on stderr: the command goes on."""
    _say(command, f"warning: {text}")


def _terminated(signum, frame) -> None:
    raise KeyboardInterrupt  # unwinds through the output transactions, which remove partial files


def _log_traceback(command: str, argv: list[str]) -> str | None:
    """Append the current traceback to the per-user log; returns its path (None if unwritable)."""
    try:
        from ..app.settings import log_dir
        d = log_dir()
        d.mkdir(parents=True, exist_ok=True)
        path = d / "steadyinput.log"
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"--- {datetime.now().isoformat(timespec='seconds')} steadyinput {__version__} "
                     f"'{command}' {argv!r}\n{traceback.format_exc()}\n")
        return str(path)
    except Exception:
        return None


if __name__ == "__main__":
    sys.exit(main())
