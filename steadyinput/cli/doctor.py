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
    """Whether the tray icon can be shown (the tray's own check), with a note on its menu."""
    from ..app.tray import tray_problem
    problem = tray_problem()
    if problem:
        if "DISPLAY is not set" in problem:
            problem += ": run headless with 'steadyinput run --no-tray'"
        return False, problem
    try:
        import gi  # noqa: F401
        return True, "a tray can be shown (PyGObject present: AppIndicator menu possible)"
    except ImportError:
        return True, ("a system tray is running (no PyGObject: pystray uses its X11 icon; apt install "
                      "python3-gi gir1.2-ayatanaappindicator3-0.1 for a full menu under GNOME/KDE)")


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
