"""The running utility's state and every action the tray menu and hotkeys offer.

The menu, the hotkeys and the tests all call these same methods. Engine changes go through the
live loop's thread (``LiveLoop.call``/``swap_engine``); the tray is told about each change.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from .. import __version__
from ..live.loop import LiveLoop
from ..pipeline import build_engine
from ..profile import Profile, ProfileError, available, load, user_dir
from . import autostart
from .settings import Settings

log = logging.getLogger("steadyinput.app")
DWELL_TYPES = ("left", "right", "double", "drag")


class App:
    def __init__(self, backend, settings: Settings, notify: Callable[[str], None] | None = None) -> None:
        self.backend = backend
        self.settings = settings
        self.notify = notify or (lambda msg: log.info(msg))
        self.listeners: list[Callable[[], None]] = []
        self.error: str | None = None
        self.enabled = settings.enabled
        self.dwell_paused = False
        self.profile = self._load_profile(settings.profile)
        self.loop = LiveLoop(self._engine(), backend, on_fault=self._fault)
        self.loop.engine.enabled = self.enabled
        self.thread: threading.Thread | None = None
        self._quit = threading.Event()

    # -- engine ---------------------------------------------------------------------------------
    def _load_profile(self, name: str) -> Profile:
        try:
            return load(name)
        except ProfileError as exc:
            self.notify(f"profile '{name}' cannot be used, using 'moderate': {exc.problems[0]}")
            return load("moderate")

    def _data(self) -> dict:
        data = {k: (dict(v) if isinstance(v, dict) else v) for k, v in self.profile.data.items()}
        if self.settings.dwell_enabled is not None:
            data["dwell"]["enabled"] = self.settings.dwell_enabled
        if data["dwell"]["enabled"]:
            data["dwell"]["click"] = self.settings.dwell_click
        return data

    def _engine(self):
        eng = build_engine(self._data(), screens=self.backend.screens())
        eng.enabled = self.enabled
        eng.set_dwell_paused(self.dwell_paused)
        return eng

    def _rebuild(self) -> None:
        self.loop.swap_engine(self._engine())
        self._changed()

    def _fault(self, msg: str) -> None:
        self.error = msg
        log.warning(msg)
        self.notify(msg)
        self._changed()

    def _changed(self) -> None:
        for fn in list(self.listeners):
            try:
                fn()
            except Exception:  # a UI listener must never take the utility down
                log.exception("state listener failed")

    # -- state the tray shows ---------------------------------------------------------------------
    @property
    def dwell_enabled(self) -> bool:
        return bool(self._data()["dwell"]["enabled"])

    def state(self) -> str:
        if self.error:
            return "error"
        if not self.enabled:
            return "off"
        if self.dwell_enabled and not self.dwell_paused:
            return "dwell"
        return "on"

    def title(self) -> str:
        s = {"on": "on", "off": "OFF", "dwell": "on, dwell-click armed", "error": "problem"}[self.state()]
        return f"steadyinput: {s}, profile {self.profile.name}"  # Latin-1 only: X11 window titles

    def profiles(self) -> list[str]:
        return sorted(available())

    # -- actions (menu items, hotkeys) ---------------------------------------------------------------
    def set_enabled(self, on: bool) -> None:
        self.enabled = on
        self.loop.call(lambda now: self.loop.engine.set_enabled(now, on))
        self.settings.enabled = on
        self.settings.save()
        log.info("filtering %s", "on" if on else "off")
        self._changed()

    def toggle(self) -> None:
        self.set_enabled(not self.enabled)

    def set_profile(self, name: str) -> None:
        try:
            prof = load(name)
        except ProfileError as exc:
            self.notify(f"profile '{name}' is not valid, keeping '{self.profile.name}':\n{exc}")
            return
        self.profile = prof
        self.settings.profile = name
        self.settings.save()
        self.error = None
        log.info("profile %s", name)
        self._rebuild()

    def profile_changed_on_disk(self, prof: Profile) -> None:
        if prof.name == self.profile.name:
            self.profile = prof
            self.notify(f"profile '{prof.name}' changed on disk: now in use")
            self._rebuild()

    def set_dwell(self, on: bool) -> None:
        self.settings.dwell_enabled = on
        self.settings.save()
        self._rebuild()

    def set_dwell_click(self, kind: str) -> None:
        if kind not in DWELL_TYPES:
            raise ValueError(f"dwell click must be one of {', '.join(DWELL_TYPES)}")
        self.settings.dwell_click = kind
        self.settings.save()
        self._rebuild()

    def toggle_dwell_pause(self) -> None:
        self.dwell_paused = not self.dwell_paused
        paused = self.dwell_paused

        def apply(now: float) -> list:
            self.loop.engine.set_dwell_paused(paused)
            return []  # no pointer actions
        self.loop.call(apply)
        self._changed()

    def set_autostart(self, on: bool) -> Path:
        p = autostart.set_enabled(on)
        self._changed()
        return p

    def autostart_enabled(self) -> bool:
        try:
            return autostart.is_enabled()
        except ValueError:
            return False

    def open_path(self, path: Path | str) -> None:
        path = str(path)
        if sys.platform == "win32":  # pragma: no cover
            os.startfile(path)  # type: ignore[attr-defined]
        else:
            opener = "open" if sys.platform == "darwin" else "xdg-open"
            try:
                subprocess.Popen([opener, path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            except OSError:
                self.notify(f"cannot open {path}: no '{opener}' here")

    def open_profiles_folder(self) -> Path:
        d = user_dir()
        d.mkdir(parents=True, exist_ok=True)
        self.open_path(d)
        return d

    def open_last_report(self) -> str | None:
        if self.settings.last_report and Path(self.settings.last_report).exists():
            self.open_path(self.settings.last_report)
            return self.settings.last_report
        self.notify("no calibration report yet: use Calibrate… first")
        return None

    def calibrate(self) -> subprocess.Popen:
        """Open the calibration window in its own process; the cursor is left unfiltered meanwhile."""
        self.set_enabled(False)
        return subprocess.Popen([sys.executable, "-m", "steadyinput", "calibrate"])

    def about(self) -> str:
        return (f"steadyinput {__version__}: steadies the pointer for people with hand tremor. "
                f"Backend {getattr(self.backend, 'name', '?')}, profile {self.profile.name}. "
                f"Toggle with {self.settings.hotkey_toggle}.")

    # -- life cycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        def run() -> None:
            try:
                self.loop.run()
            except Exception as exc:  # the loop has already given the mouse back
                self.error = f"stopped: {type(exc).__name__}: {exc}"
                log.exception("live loop failed")
                self.notify(f"steadyinput stopped steadying: {exc}. The mouse works normally.")
                self._changed()
            finally:
                self._quit.set()
        self.thread = threading.Thread(target=run, name="live-loop", daemon=True)
        self.thread.start()

    def quit(self) -> None:
        self.loop.stop()
        if self.thread is not None:
            self.thread.join(5)
        self._quit.set()
        self._changed()

    def wait(self, timeout: float | None = None) -> bool:
        return self._quit.wait(timeout)
