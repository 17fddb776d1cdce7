"""``steadyinput``: the command-line entry point."""

from __future__ import annotations

import argparse
import importlib
import sys

from .. import __version__

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
    "bench": "bench",
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
"""


class UserError(Exception):
    """A problem the user can fix; printed without a traceback, exit status 2."""


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command-line parser; with ``only``, just that subcommand (start-up stays short)."""
    parser = argparse.ArgumentParser(prog="steadyinput", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"steadyinput {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in COMMANDS.items():
        if only is None or name == only:
            importlib.import_module(f".{module}", __package__).add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0].startswith("--profile") or argv[0] in ("--no-tray", "--backend"):
        argv = ["run", *argv]  # plain `steadyinput` starts the utility with its tray icon
    parser = build_parser(argv[0] if argv[0] in COMMANDS else None)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    from ..profile import ProfileError
    from ..traces import TraceError
    try:
        return int(args.run(args) or 0)
    except (UserError, TraceError, ProfileError) as exc:
        print(f"steadyinput {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
