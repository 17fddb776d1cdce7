"""``steadyinput doctor``: what this machine offers, and exactly how to fix what is missing."""

from __future__ import annotations

import argparse
import os
import platform
import sys


def add_parser(sub) -> None:
    p = sub.add_parser("doctor", help="check what this machine offers and how to fix what is missing",
                       description="Check the display, each piece 'steadyinput setup' installs (udev rule, "
                                   "uinput at boot, uinput loaded, /dev/uinput writable, a mouse readable), "
                                   "the backends, the accessibility tree (where buttons are, for target-aware "
                                   "clicking) and every piece the tray needs (display, Tk, pystray, Pillow, "
                                   "python-xlib, a system tray or PyGObject) and which engine runs (compiled, or the "
                                   "pure-Python reference), and say "
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


def run(args: argparse.Namespace) -> int:
    from ..backends import MODULES, choose, check
    from ..profile import user_dir
    ok = lambda b: "ok " if b else "-- "  # noqa: E731
    print(f"steadyinput doctor — {platform.system()} {platform.release()}, Python {platform.python_version()}")
    print(f"display server: {_display_server()}")
    if sys.platform.startswith("linux"):
        from ..access_checks import checks
        print("evdev backend (Wayland, consoles; X11 too):")
        found = checks()
        for c in found:
            print(f"  {ok(c.ok)}{c.what}" + (f"\n       fix: {c.fix}" if c.fix else ""))
        if not all(c.ok for c in found):
            print("   'steadyinput setup' installs what is missing (it shows everything and asks first)")
    print("backends:")
    for name in MODULES:
        c = check(name)
        print(f"  {ok(c.ok)}{name:7s} {c.why}" + (f"\n           fix: {c.fix}" if not c.ok and c.fix else ""))
    try:
        chosen, _ = choose("auto")
        print(f"'steadyinput run' would use: {chosen}")
        status = EXIT_CAN_RUN
    except Exception:
        chosen = None
        print("'steadyinput run' cannot steady the pointer here yet: see the fixes above")
        status = EXIT_CANNOT_RUN
    if os.environ.get("WAYLAND_DISPLAY"):
        wl = chosen == "evdev"
        print(f"{ok(wl)}Wayland session: " + ("the evdev backend would be chosen" if wl else
              f"the evdev backend would not be chosen ({chosen or 'no backend'} instead; x11 only reaches "
              "XWayland windows)\n   fix: steadyinput setup, then 'steadyinput doctor' again"))
    from ..targets.live import probe
    a_ok, a_msg = probe()
    print(f"{ok(a_ok)}targets (target-aware clicking): {a_msg}")
    from ..app.tray import tray_checks, tray_problem
    problem = tray_problem(fixes=False)
    print(f"{ok(not problem)}tray: " + ("its icon and menu can be shown" if not problem else
          f"{problem} (fixes below); meanwhile run headless: 'steadyinput run --no-tray'"))
    for c in tray_checks():
        print(f"  {ok(c.ok)}{c.what}" + (f"\n       fix: {c.fix}" if c.fix else ""))
    from ..compiled import engine_note
    compiled, note = engine_note()
    print(f"{ok(compiled)}{note}")
    print(f"user profiles: {user_dir()}")
    return status
