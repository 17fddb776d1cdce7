"""The running utility's state and every action the tray menu and hotkeys offer.

The menu, the hotkeys and the tests all call these same methods. Engine changes go through the
live loop's thread as settings changes (:mod:`steadyinput.live.settings_stream`: recorded, and
replayed at their time); the tray is told about each change.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from enum import Enum
from pathlib import Path

from .. import __version__
from ..live.loop import LiveLoop
from ..live.session import LiveSession, SessionOptions
from ..profile import Profile, ProfileError, available, load, user_dir
from . import autostart
from .settings import Settings

log = logging.getLogger("steadyinput.app")
DWELL_TYPES = ("left", "right", "double", "drag")


class State(str, Enum):
    """What the tray icon shows (the values are what the state file says)."""

    ON = "on"
    OFF = "off"
    DWELL = "dwell"  # on, and dwell-click armed
    ERROR = "error"  # running, but something went wrong (a filter fault): see ``error``
    STOPPED = "stopped"  # the live loop ended by itself; the mouse works unfiltered


class App:
    """The tray's live session plus the settings the menu changes."""

    def __init__(self, backend, settings: Settings, notify: Callable[[str], None] | None = None,
                 options: SessionOptions | None = None) -> None:
        self.backend = backend
        self.settings = settings
        self.notify = notify or (lambda msg: log.info(msg))
        self.post: Callable[[Callable[[], None]], None] = lambda fn: fn()  # the tray runs it on its thread
        self.listeners: list[Callable[[], None]] = []
        self.error: str | None = None
        self.enabled = settings.enabled
        self.dwell_paused = False
        self.session = LiveSession(options or SessionOptions(), say=self._said, adjust=self._adjust, backend=backend,
                                   profile=self._load_profile(settings.profile))
        self.session.on_fault = self._fault
        if not self.enabled:  # off as the settings say: a recorded change, so a recording replays the same
            self.session.settings.change(enabled=False, note="off at start")
        self._quit = threading.Event()
        self._quitting = False
        self.view = None  # the live view, while open
        self.view_master = None  # the Tk root the view opens on (the tray's); None: its own

    @property
    def loop(self) -> LiveLoop:
        return self.session.loop

    @property
    def profile(self) -> Profile:
        return self.session.profile

    # -- engine ---------------------------------------------------------------------------------
    def _load_profile(self, name: str) -> Profile:
        try:
            return load(name)
        except ProfileError as exc:
            self.notify(f"profile '{name}' cannot be used, using 'moderate': {exc.problems[0]}")
            return load("moderate")

    def _adjust(self, data: dict) -> dict:
        """The menu's dwell settings over the profile's."""
        if self.settings.dwell_enabled is not None:
            data["dwell"]["enabled"] = self.settings.dwell_enabled
        if data["dwell"]["enabled"]:
            data["dwell"]["click"] = self.settings.dwell_click
        return data

    def _rebuild(self) -> None:
        self.session.rebuild()
        self._after_swap()

    def _after_swap(self) -> None:
        """The new engine pauses dwell as the menu says, and the tray shows the change."""
        self.session.settings.change(dwell_paused=self.dwell_paused)
        self._changed()

    def _said(self, msg: str) -> None:
        """A message from the session (any thread): shown by the tray, on its thread."""
        def show() -> None:
            self.notify(msg.removeprefix("warning: "))
            self._changed()
        self.post(show)

    def _fault(self, msg: str) -> None:
        self.error = msg
        log.warning(msg)

    def _changed(self) -> None:
        for fn in list(self.listeners):
            try:
                fn()
            except Exception:  # a UI listener must never take the utility down
                log.exception("state listener failed")

    # -- state the tray shows ---------------------------------------------------------------------
    @property
    def dwell_enabled(self) -> bool:
        return bool(self.session.engine_data()["dwell"]["enabled"])

    def state(self) -> State:
        if self.session.failed:
            return State.STOPPED
        if self.error:
            return State.ERROR
        if not self.enabled:
            return State.OFF
        if self.dwell_enabled and not self.dwell_paused:
            return State.DWELL
        return State.ON

    def title(self) -> str:
        s = {State.ON: "on", State.OFF: "OFF", State.DWELL: "on, dwell-click armed", State.ERROR: "problem",
             State.STOPPED: "stopped"}[self.state()]
        return f"steadyinput: {s}, profile {self.profile.name}"  # Latin-1 only: X11 window titles

    def profiles(self) -> list[str]:
        return sorted(available())

    # -- actions (menu items, hotkeys) ---------------------------------------------------------------
    def set_enabled(self, on: bool) -> None:
        self.enabled = on
        self.session.settings.change(enabled=on)  # engine input: recorded with run --record
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
        if not self.session.use_profile(prof):
            return
        self.settings.profile = name
        self.settings.save()
        self.error = None
        log.info("profile %s", name)
        self._after_swap()

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
        self.session.settings.change(dwell_paused=self.dwell_paused)
        self._changed()

    def open_view(self) -> None:
        """Open the live view (one at a time; a second request brings it to the front). Runs on
        the tray's Tk thread; closing it leaves the pointer steadied and the tray running."""
        def show() -> None:
            if self.view is not None and self.view.alive():
                self.view.lift()
                return
            from ..view.window import LiveView
            self.view = LiveView(self.session, master=self.view_master, on_enabled=self.set_enabled,
                                 enabled=lambda: self.enabled)
            log.info("live view opened")
        self.post(show)

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
                f"Backend {self.backend.name}, profile {self.profile.name}. "
                f"Toggle with {self.settings.hotkey_toggle}.")

    # -- life cycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        def ended() -> None:
            if self._quitting:  # asked to: the tray is going away, nothing to show
                self._quit.set()
                return
            if self.session.failed:
                log.error("live loop stopped: %s", self.session.failed)
                self.post(lambda: self.notify(f"steadyinput stopped steadying: {self.session.failed}. "
                                              "The mouse works normally."))
            self._quit.set()
            self.post(self._changed)
        self.session.start(on_end=ended)

    def quit(self) -> None:
        self._quitting = True
        self.session.stop()
        self._quit.set()
        self._changed()

    def wait(self, timeout: float | None = None) -> bool:
        return self._quit.wait(timeout)
