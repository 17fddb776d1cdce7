"""The pieces the evdev backend needs, checked one by one for ``steadyinput doctor``.

Each :class:`Check` names what is missing and the command that fixes it. Mice are found from
udev's database (``ID_INPUT_MOUSE=1``) or, without udev data, from sysfs capabilities
(relative X and Y), so nodes this user cannot open are still counted.
"""

from __future__ import annotations

import glob
import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path

from . import setup_access as sa

SETUP = "steadyinput setup"
RELOGIN = ("log out and in again (logind gives the logged-in user access at login); without logind: "
           "sudo usermod -aG input $USER, then log in again")


@dataclass(frozen=True)
class Check:
    ok: bool
    what: str
    fix: str = ""


def uinput_loaded() -> bool:
    if Path("/sys/module/uinput").exists():
        return True
    try:
        builtin = Path(f"/lib/modules/{platform.release()}/modules.builtin").read_text()
    except OSError:
        return False
    return "/uinput.ko" in builtin


def _is_mouse(event: str) -> bool:
    name = os.path.basename(event)
    try:
        dev = Path(f"/sys/class/input/{name}/dev").read_text().strip()
        data = Path(f"/run/udev/data/c{dev}").read_text()
        return "E:ID_INPUT_MOUSE=1" in data.splitlines()
    except OSError:
        pass
    try:
        rel = int(Path(f"/sys/class/input/{name}/device/capabilities/rel").read_text().split()[-1], 16)
    except (OSError, ValueError, IndexError):
        return False
    return rel & 0x3 == 0x3  # REL_X and REL_Y


def mouse_nodes() -> list[str]:
    return sorted((p for p in glob.glob("/dev/input/event*") if _is_mouse(p)),
                  key=lambda p: int(p.rsplit("event", 1)[-1] or 0))


def checks() -> list[Check]:
    """Each piece, in the order a fix goes: files, module, device node, mice."""
    out = []
    for piece in sa.PIECES:
        st = sa.state(piece)
        out.append(Check(st in ("current", "changed"), f"{piece.path}: " + {
            "current": "present", "changed": "present (edited, or from an older steadyinput)",
            "missing": "missing", "foreign": "present but not written by steadyinput setup"}[st],
            "" if st != "missing" else SETUP))
    rule_ok = out[0].ok
    loaded = uinput_loaded()
    out.append(Check(loaded, "uinput module: " + ("loaded" if loaded else "not loaded"),
                     "" if loaded else "sudo modprobe uinput (or steadyinput setup)"))
    up = "/dev/uinput"
    exists = os.path.exists(up)
    writable = exists and os.access(up, os.W_OK)
    out.append(Check(writable, f"{up}: " + ("writable by this user" if writable else
                                            "exists, not writable by this user" if exists else "missing"),
                     "" if writable else SETUP if not rule_ok else RELOGIN if exists else "sudo modprobe uinput"))
    mice = mouse_nodes()
    readable = [m for m in mice if os.access(m, os.R_OK)]
    out.append(Check(bool(readable), "mouse event nodes: " + (
        f"{len(readable)} of {len(mice)} readable by this user ({', '.join(readable[:3])}"
        f"{', ...' if len(readable) > 3 else ''})" if readable else
        f"{len(mice)} found, none readable by this user" if mice else "none found (is a mouse plugged in?)"),
        "" if readable or not mice else SETUP if not rule_ok else RELOGIN))
    return out


def tk_fix() -> str:
    """What to install for Tk, for this Python (a system Python gets it from the package manager;
    one built from source, e.g. by pyenv, must be built again with Tk's headers)."""
    if sys.platform in ("win32", "darwin"):
        return "install Python from python.org with 'tcl/tk and IDLE' ticked, then steadyinput again"
    system = sys.base_prefix in ("/usr", "/usr/local") and Path(sys.base_prefix, "lib").is_dir() and \
        Path(sys.executable).resolve().is_relative_to("/usr")
    version = ".".join(map(str, sys.version_info[:3]))
    if system:
        return ("sudo apt install python3-tk (Debian, Ubuntu; Fedora: sudo dnf install python3-tkinter; "
                "Arch: sudo pacman -S tk)")
    return (f"this Python ({sys.base_prefix}) was built without Tk: sudo apt install tk-dev, then build it again "
            f"(pyenv: pyenv install --force {version}) and reinstall steadyinput; or install steadyinput with the "
            "system Python and sudo apt install python3-tk")
