"""Start at login: an XDG autostart entry on Linux, the Startup folder on Windows, a LaunchAgent
on macOS. Turning it off removes exactly what turning it on wrote."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

LABEL = "org.steadyinput.steadyinput"


def command() -> list[str]:
    return [sys.executable, "-m", "steadyinput", "run"]


def entry_path(platform: str | None = None, home: Path | None = None) -> Path:
    platform = platform or sys.platform
    home = home or Path.home()
    if platform.startswith("linux"):
        base = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
        return base / "autostart" / "steadyinput.desktop"
    if platform == "win32":
        appdata = Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming")
        return appdata / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup" / "steadyinput.cmd"
    if platform == "darwin":
        return home / "Library" / "LaunchAgents" / f"{LABEL}.plist"
    raise ValueError(f"start at login is not supported on {platform}")


def content(platform: str | None = None) -> str:
    platform = platform or sys.platform
    cmd = command()
    if platform.startswith("linux"):
        return ("[Desktop Entry]\nType=Application\nName=steadyinput\n"
                "Comment=Steadies the mouse pointer for people with hand tremor\n"
                f"Exec={shlex.join(cmd)}\nTerminal=false\nX-GNOME-Autostart-enabled=true\n")
    if platform == "win32":
        return f'@echo off\r\nstart "" "{cmd[0]}" -m steadyinput run\r\n'
    args = "".join(f"    <string>{c}</string>\n" for c in cmd)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n'
            f'<plist version="1.0"><dict>\n  <key>Label</key><string>{LABEL}</string>\n'
            f"  <key>ProgramArguments</key><array>\n{args}  </array>\n"
            "  <key>RunAtLoad</key><true/>\n</dict></plist>\n")


def is_enabled(platform: str | None = None, home: Path | None = None) -> bool:
    return entry_path(platform, home).exists()


def set_enabled(on: bool, platform: str | None = None, home: Path | None = None) -> Path:
    p = entry_path(platform, home)
    if on:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(content(platform))
    elif p.exists():
        p.unlink()
    return p
