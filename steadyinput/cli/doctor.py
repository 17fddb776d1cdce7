"""``steadyinput doctor``: what this machine offers, and exactly how to fix what is missing."""

from __future__ import annotations

import argparse
import grp
import os
import platform
import sys


def add_parser(sub) -> None:
    p = sub.add_parser("doctor", help="check what this machine offers and how to fix what is missing",
                       description="Check the display, /dev/uinput, the backends and the tray, and say "
                                   "exactly how to fix what is missing. Exit status: 0 when 'steadyinput "
                                   "run' can steady the pointer here, 1 when it cannot yet.")
    p.set_defaults(run=run)


EXIT_CAN_RUN = 0
EXIT_CANNOT_RUN = 1  # a usable answer, not an error: scripts and installers can test it


def _display_server() -> str:
    if os.environ.get("WAYLAND_DISPLAY"):
        return f"Wayland ({os.environ['WAYLAND_DISPLAY']})" + (
            f", XWayland on {os.environ['DISPLAY']}" if os.environ.get("DISPLAY") else "")
    if os.environ.get("DISPLAY"):
        return f"X11 ({os.environ['DISPLAY']})"
    return "none (no DISPLAY or WAYLAND_DISPLAY: a console, ssh or a service)"


def _tray() -> tuple[bool, str]:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        return False, "no display: run headless with 'steadyinput run --no-tray'"
    notes = []
    try:
        import gi  # noqa: F401
        notes.append("PyGObject present (AppIndicator menu possible)")
    except ImportError:
        notes.append("no PyGObject: pystray uses its X11 icon (apt install python3-gi gir1.2-ayatanaappindicator3-0.1 "
                     "for a full menu under GNOME/KDE)")
    if os.environ.get("DISPLAY"):
        try:
            from Xlib import display
            d = display.Display()
            owner = d.get_selection_owner(d.intern_atom(f"_NET_SYSTEM_TRAY_S{d.get_default_screen()}"))
            d.close()
            if owner == 0:
                return False, "no system tray is running on this display (" + "; ".join(notes) + ")"
            notes.insert(0, "a system tray is running")
        except Exception as exc:
            return False, f"cannot ask the X server for a tray: {exc}"
    return True, "; ".join(notes)


def run(args: argparse.Namespace) -> int:
    from ..backends import MODULES, choose, check
    from ..profile import user_dir
    ok = lambda b: "ok " if b else "-- "  # noqa: E731
    print(f"steadyinput doctor — {platform.system()} {platform.release()}, Python {platform.python_version()}")
    print(f"display server: {_display_server()}")
    if sys.platform.startswith("linux"):
        up = "/dev/uinput"
        exists = os.path.exists(up)
        writable = exists and os.access(up, os.W_OK)
        print(f"{ok(writable)}/dev/uinput: " + ("writable" if writable else "exists, not writable" if exists
                                               else "missing (sudo modprobe uinput)"))
        try:
            in_group = "input" in [grp.getgrgid(g).gr_name for g in os.getgroups()]
        except KeyError:
            in_group = False
        print(f"{ok(in_group)}member of the 'input' group: {'yes' if in_group else 'no'}")
        if not writable or not in_group:
            from ..backends.evdev_backend import udev_rule_path
            print("   to use the evdev backend (X11 and Wayland), once:")
            print(f"     sudo cp {udev_rule_path()} /etc/udev/rules.d/")
            print("     sudo udevadm control --reload && sudo udevadm trigger")
            print("     sudo usermod -aG input $USER    # then log out and in again")
    print("backends:")
    for name in MODULES:
        c = check(name)
        print(f"  {ok(c.ok)}{name:7s} {c.why}" + (f"\n           fix: {c.fix}" if not c.ok and c.fix else ""))
    try:
        chosen, _ = choose("auto")
        print(f"'steadyinput run' would use: {chosen}")
        status = EXIT_CAN_RUN
    except Exception:
        print("'steadyinput run' cannot steady the pointer here yet: see the fixes above")
        status = EXIT_CANNOT_RUN
    t_ok, t_msg = _tray()
    print(f"{ok(t_ok)}tray: {t_msg}")
    print(f"user profiles: {user_dir()}")
    return status
