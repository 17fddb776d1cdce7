"""``steadyinput setup [--undo]``: give the logged-in user access to mice and /dev/uinput, once.

Shows exactly what it writes and runs, asks, then runs only the privileged part as root (a
``sudo``/``pkexec`` subprocess running ``python -m steadyinput.setup_access``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys

from .. import setup_access as sa
from ..errors import UserError

DESCRIPTION = f"""\
Lets the logged-in user run the evdev backend (Wayland, consoles; X11 too) without root:
it writes

  {sa.RULES_PATH}   a udev rule: /dev/uinput and mouse event nodes
      for the logged-in user (logind 'uaccess'), or without logind for the 'input' group
  {sa.MODULES_PATH}      loads the uinput module at boot

and then runs, as root: modprobe uinput; udevadm control --reload-rules; udevadm trigger.
It shows all of it and asks first (--yes skips the question, --dry-run only shows). When not
root, only that privileged part runs as root, through sudo (or pkexec). Running it again says
it is already set up; --undo removes exactly what setup wrote (and folders it made), nothing
else, and puts /dev/uinput back to root-only. 'steadyinput doctor' checks each piece.
Exit status: 0 done (or nothing to do), 2 refused or failed (one line says why; nothing
partial is left)."""


def add_parser(sub) -> None:
    p = sub.add_parser("setup", help="give this user access to mice and /dev/uinput (Wayland, consoles); --undo",
                       description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--undo", action="store_true", help="remove what setup wrote (and say what was removed)")
    p.add_argument("-y", "--yes", action="store_true", help="do not ask before writing")
    p.add_argument("--dry-run", action="store_true", help="only show what would be written and run")
    p.set_defaults(run=run)


def needs_root() -> bool:
    """Whether the privileged part must go through sudo/pkexec (never with a redirected root)."""
    return os.geteuid() != 0 and not sa.redirected()


def privilege_tool() -> str:
    for tool in ("sudo", "pkexec"):
        if shutil.which(tool):
            return tool
    raise UserError("not root, and neither sudo nor pkexec is installed: run 'steadyinput setup' as root")


def _show_setup(writes: list[sa.Write]) -> None:
    for w in writes:
        verb = "replace (an older or edited copy)" if sa.state(w.piece) == "changed" else "write"
        print(f"will {verb} {w.piece.path} ({w.piece.why}):")
        for d in w.new_dirs:
            print(f"  (first making the folder {sa._system_path(d)})")
        for line in w.text.splitlines():
            print(f"  | {line}")
    print("then run: " + "; ".join(" ".join(c) for c in sa.COMMANDS))


def _show_undo(pieces: list[sa.Piece]) -> None:
    for piece in pieces:
        print(f"will remove {piece.path} ({piece.why})")
    print("then run: " + "; ".join(" ".join(c) for c in sa.undo_commands())
          + " (the uinput module stays loaded until the next boot)")


def _confirm(question: str) -> bool:
    print(f"{question} [y/N] ", end="", flush=True)
    answer = sys.stdin.readline()
    if not answer.endswith("\n"):
        print()
    return answer.strip().lower() in ("y", "yes")


def run(args: argparse.Namespace) -> int:
    if not sys.platform.startswith("linux"):
        raise UserError("setup is for Linux (the evdev backend); other systems need nothing from it")
    action = "undo" if args.undo else "apply"
    pieces = sa.to_remove() if args.undo else sa.plan_setup()
    if not pieces:
        print("nothing to undo: setup's files are not there" if args.undo else
              f"already set up: {sa.RULES_PATH} and {sa.MODULES_PATH} are in place ('steadyinput doctor' "
              "checks the rest)")
        return 0
    (_show_undo if args.undo else _show_setup)(pieces)
    how: list[str] = []
    if needs_root():
        try:
            how = [privilege_tool()]
        except UserError as exc:
            if not args.dry_run:
                raise
            print(f"note: {exc}")
    if how:
        print(f"not root: the privileged part runs with {how[0]}: {how[0]} {sys.executable} -m "
              f"steadyinput.setup_access {action}")
    if args.dry_run:
        print("dry run: nothing was changed")
        return 0
    if not args.yes and not _confirm("remove these?" if args.undo else "write these and run the commands?"):
        raise UserError("not confirmed: nothing was changed (--yes skips the question)")
    cmd = [*how, sys.executable, "-m", "steadyinput.setup_access", action]
    if sa.redirected():
        cmd += ["--root", str(sa.root())]
    rc = subprocess.run(cmd).returncode  # prints what it did, or one line saying why not
    if rc == 2:
        return 2  # the privileged part has said why
    if rc:
        raise UserError(f"the privileged part did not complete ({how[0] if how else 'python'} exit status {rc})")
    print("done: 'steadyinput setup --undo' removes it again" if not args.undo else
          "done: setup's files are gone")
    return 0
