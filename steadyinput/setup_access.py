"""What ``steadyinput setup`` writes so a normal user can run the evdev backend, and its undo.

Two files, each starting with :data:`MARKER` (how ``--undo`` knows it wrote them):

- a udev rule giving the logged-in user (logind's ``uaccess``) access to /dev/uinput and to
  mouse event nodes, with an ``input``-group fallback for systems without logind;
- a modules-load.d entry so the ``uinput`` module is loaded at boot.

Then, as root: ``modprobe uinput``, ``udevadm control --reload-rules``, ``udevadm trigger``.
Files are written atomically (a temporary file in the same folder, then a rename); folders
setup had to make are named in the file (``# made-folder:``) and removed again by ``--undo``.

``STEADYINPUT_SETUP_ROOT`` (for tests) puts every path under another folder and runs no
system command. ``python -m steadyinput.setup_access apply|undo [--root DIR]`` is the
privileged part the CLI runs with sudo or pkexec; it recomputes the same plan itself.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import SteadyInputError, UserError

ROOT_ENV = "STEADYINPUT_SETUP_ROOT"
MARKER = "# Written by 'steadyinput setup'; 'steadyinput setup --undo' removes it."
MADE = "# made-folder: "
RULES_PATH = "/etc/udev/rules.d/70-steadyinput.rules"
MODULES_PATH = "/etc/modules-load.d/steadyinput.conf"

RULES = f"""{MARKER}
# The evdev backend reads mice from /dev/input/event* and writes the steadied pointer to
# /dev/uinput. The logged-in user gets access through logind's 'uaccess' tag (as game-controller
# packages do); without logind, members of the 'input' group do (sudo usermod -aG input USER).
KERNEL=="uinput", SUBSYSTEM=="misc", TAG+="uaccess", OPTIONS+="static_node=uinput"
KERNEL=="uinput", SUBSYSTEM=="misc", GROUP="input", MODE="0660"
SUBSYSTEM=="input", KERNEL=="event*", ENV{{ID_INPUT_MOUSE}}=="1", TAG+="uaccess"
SUBSYSTEM=="input", KERNEL=="event*", ENV{{ID_INPUT_MOUSE}}=="1", GROUP="input", MODE="0660"
"""

MODULES = f"""{MARKER}
# Loads uinput at boot: the steadied pointer is a uinput device.
uinput
"""

COMMANDS: tuple[tuple[str, ...], ...] = (("modprobe", "uinput"), ("udevadm", "control", "--reload-rules"),
                                         ("udevadm", "trigger"))
# udev does not take back a group or mode when a rule goes (measured in the kernel tier), so undo
# puts /dev/uinput back as the kernel makes it (chmod also masks logind's ACL), then lets the
# remaining rules apply again.
UNDO_COMMANDS: tuple[tuple[str, ...], ...] = (("udevadm", "control", "--reload-rules"),
                                              ("chown", "root:root", "/dev/uinput"), ("chmod", "0600", "/dev/uinput"),
                                              ("udevadm", "trigger"))


def undo_commands() -> list[tuple[str, ...]]:
    return [c for c in UNDO_COMMANDS if c[-1] != "/dev/uinput" or os.path.exists("/dev/uinput")]


@dataclass(frozen=True)
class Piece:
    """One file setup owns: where it goes, what it holds, why."""

    path: str
    content: str
    why: str


PIECES = (Piece(RULES_PATH, RULES, "udev rule: /dev/uinput and mouse event nodes for the logged-in user"),
          Piece(MODULES_PATH, MODULES, "load the uinput module at boot"))


def root() -> Path:
    """Where system paths live: / (or ``STEADYINPUT_SETUP_ROOT``, for tests)."""
    return Path(os.environ.get(ROOT_ENV) or "/")


def redirected() -> bool:
    return bool(os.environ.get(ROOT_ENV))


def on_disk(path: str) -> Path:
    return root() / path.lstrip("/")


def _body(text: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith(MADE))


def state(piece: Piece) -> str:
    """'missing', 'current' (ours, as setup writes it now), 'changed' (ours, edited or older), 'foreign'."""
    p = on_disk(piece.path)
    if not p.exists() and not p.is_symlink():
        return "missing"
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return "foreign"
    if not text.startswith(MARKER):
        return "foreign"
    return "current" if _body(text) == piece.content else "changed"


def _refuse_foreign() -> None:
    foreign = [on_disk(p.path) for p in PIECES if state(p) == "foreign"]
    if foreign:
        raise UserError(f"{foreign[0]} exists and was not written by steadyinput setup: nothing was changed "
                        "(move it away, then run setup again)")


def to_remove() -> list[Piece]:
    """The pieces ``--undo`` would remove: those carrying the marker, nothing else."""
    return [p for p in PIECES if state(p) in ("current", "changed")]


def _missing_dirs(path: Path, claimed: set[Path]) -> list[Path]:
    out = []
    d = path.parent
    while not d.exists() and d not in claimed:
        out.append(d)
        d = d.parent
    return list(reversed(out))


def _system_path(p: Path) -> str:
    return "/" + str(p.relative_to(root())).lstrip("/") if p != root() else "/"


def _made_lines(text: str) -> list[str]:
    return [line[len(MADE):].strip() for line in text.splitlines() if line.startswith(MADE)]


@dataclass(frozen=True)
class Write:
    """One planned write: the piece, exactly the text written, the folders made first."""

    piece: Piece
    text: str
    new_dirs: list[Path]


def plan_setup() -> list[Write]:
    """Exactly what setup writes now (empty: already set up). Refuses files it did not write."""
    _refuse_foreign()
    claimed: set[Path] = set()
    writes = []
    for piece in PIECES:
        st = state(piece)
        if st == "current":
            continue
        dest = on_disk(piece.path)
        new_dirs = _missing_dirs(dest, claimed)
        claimed.update(new_dirs)
        made = [_system_path(d) for d in new_dirs]
        if st == "changed":  # keep the record of folders an earlier setup made
            made += _made_lines(dest.read_text(encoding="utf-8"))
        writes.append(Write(piece, piece.content + "".join(f"{MADE}{d}\n" for d in made), new_dirs))
    return writes


def apply_setup() -> list[str]:
    """Writes every missing or changed piece atomically (all staged before any is renamed into
    place); returns what it did, one line each."""
    staged: list[tuple[str, Path, Path]] = []
    made: list[Path] = []
    try:
        for w in plan_setup():
            dest = on_disk(w.piece.path)
            for d in w.new_dirs:
                d.mkdir()
                made.append(d)
                d.chmod(0o755)  # whatever the umask under sudo
            fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
            staged.append((w.piece.path, Path(tmp), dest))
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(w.text)
                fh.flush()
                os.fchmod(fh.fileno(), 0o644)
                os.fsync(fh.fileno())
    except BaseException:
        for _, tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        for d in reversed(made):
            d.rmdir()
        raise
    done = []
    for path, tmp, dest in staged:
        os.replace(tmp, dest)
        done.append(f"wrote {path}")
    return done


def apply_undo() -> list[str]:
    """Removes every piece carrying the marker, then the folders setup made (when empty)."""
    done, dirs = [], set()
    for piece in to_remove():
        p = on_disk(piece.path)
        edited = state(piece) == "changed"
        dirs.update(_made_lines(p.read_text(encoding="utf-8")))
        p.unlink()
        done.append(f"removed {piece.path}" + (" (it had been edited since setup wrote it)" if edited else ""))
    for d in sorted(dirs, key=lambda d: (-d.count("/"), d)):
        try:
            on_disk(d).rmdir()
            done.append(f"removed the empty folder {d} (setup had made it)")
        except OSError:
            pass  # not empty (something else lives there now) or already gone: left alone
    return done


def run_commands(commands=COMMANDS) -> list[str]:
    """Runs the system commands (not with a redirected root); raises UserError naming the first failure."""
    if redirected():
        return [f"not run ({ROOT_ENV} is set): {' '.join(c)}" for c in commands]
    done, failed = [], []
    for cmd in commands:
        try:
            r = subprocess.run(cmd, capture_output=True, text=True)
        except OSError as exc:
            failed.append(f"'{' '.join(cmd)}' could not run ({exc.strerror or exc})")
            continue
        if r.returncode:
            why = (r.stderr or r.stdout).strip().splitlines()
            failed.append(f"'{' '.join(cmd)}' failed (exit {r.returncode}{': ' + why[-1] if why else ''})")
        else:
            done.append(f"ran {' '.join(cmd)}")
    if failed:
        raise UserError("; ".join(failed) + " (the files are in place; 'steadyinput doctor' says what is missing)")
    return done


def main(argv: list[str] | None = None) -> int:
    """The privileged part, run as root by ``steadyinput setup`` through sudo or pkexec."""
    ap = argparse.ArgumentParser(prog="python -m steadyinput.setup_access")
    ap.add_argument("action", choices=("apply", "undo"))
    ap.add_argument("--root", help="write under this folder instead of / (tests only)")
    args = ap.parse_args(argv)
    if args.root:
        os.environ[ROOT_ENV] = args.root
    try:
        if args.action == "apply":
            lines = apply_setup()
            lines += run_commands()
        else:
            lines = apply_undo()
            if lines:
                lines += run_commands(undo_commands())
    except SteadyInputError as exc:
        print(f"steadyinput setup: error: {exc}", file=sys.stderr)
        return exc.exit_status
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"steadyinput setup: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    for line in lines:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
