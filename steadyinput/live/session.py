"""One live session: (backend, profile, options) -> a running, recorded, reloadable, safe loop.

Both the terminal mode (``steadyinput run --no-tray``, ``record``) and the tray utility run
exactly this: it chooses and creates the backend, builds the engine from the profile, records
the raw pointer and logs actions when asked, starts the watchdog that gives the mouse back if
the process dies, reloads the profile when its files change (a broken edit keeps the last good
profile and says why), and on any end closes everything in order.

Targets (issue 20): when the profile uses target assistance (any behaviour in its ``targets``
section switched on) or the session records (``--record``: the recording carries them for replay
and calibration), and ``--targets off`` does not forbid it, the session runs the platform's
target provider (AT-SPI2 on Linux, UI Automation, AX); the loop feeds its target sets to the
engine, and ``--record`` writes them beside the recording. A profile switched on or off for
targets while running starts or stops the provider. A missing accessibility bus only costs the
assistance, said once.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..engine import Engine
from ..errors import ProfileError
from ..pipeline import build_engine
from ..profile import Profile, load
from . import watchdog
from .loop import LiveLoop
from .recording import TargetsRecorder, TraceRecorder, drop_stale_sidecars
from .reload import ProfileWatcher
from .settings_stream import SettingsRecorder, SettingsStream

log = logging.getLogger("steadyinput.session")
# backends whose positions are screen px, the coordinates accessibility rectangles are in
DESKTOP_BACKENDS = frozenset({"x11", "win32", "darwin", "trace"})
DEFAULT_PROFILE = "moderate"


@dataclass
class SessionOptions:
    """What a user asks of a live session (``run``/``record`` options, the tray's settings)."""

    backend: str = "auto"
    profile: str | None = None
    devices: list[str] | None = None
    record: str | None = None  # raw pointer trace to write (never keys)
    log_actions: str | None = None  # what the cursor was told to do, as replay -o writes it
    backend_options: dict[str, Any] = field(default_factory=dict)
    px_per_count: float | None = None  # evdev: px per mouse count (None: the backend's measured default)
    targets: str = "auto"  # "auto": the platform's accessibility provider; "off": none

    def __post_init__(self) -> None:
        if self.targets not in ("auto", "off"):
            raise ValueError(f"targets must be 'auto' or 'off', got {self.targets!r}")

    @classmethod
    def from_args(cls, args: Any) -> "SessionOptions":
        """The session the ``run``/``record`` command-line options ask for."""
        return cls(backend=args.backend, profile=args.profile, devices=args.device,
                   record=getattr(args, "record", None), log_actions=getattr(args, "log_actions", None),
                   targets=getattr(args, "targets", None) or "auto")


class LiveSession:
    """A live session; ``run()`` blocks until stopped, ``start()`` runs it in a thread."""

    def __init__(self, options: SessionOptions, say: Callable[[str], None] | None = None,
                 adjust: Callable[[dict], dict] | None = None, backend=None,
                 profile: Profile | None = None, targets=None) -> None:
        from ..backends import choose, create
        self.options = options
        self.say = say or (lambda msg: print(f"steadyinput: {msg}", file=sys.stderr, flush=True))
        self.adjust = adjust or (lambda data: data)  # e.g. the tray's dwell settings over the profile
        self.profile = profile or load(options.profile or DEFAULT_PROFILE)
        if backend is None:
            self.backend_name, _ = choose(options.backend)
            kw = dict(options.backend_options)
            if options.devices:
                kw["devices"] = options.devices
            if options.px_per_count is not None and self.backend_name == "evdev":
                kw["px_per_count"] = options.px_per_count
            backend = create(self.backend_name, **kw)
        else:
            self.backend_name = backend.name
        self.backend = backend
        self._own_targets = targets is None  # ours to start and stop as the profile asks
        self._told_coordinates = False
        if targets is None and wants_targets(options, self.profile) and self._desktop_coordinates():
            targets = self._new_provider()
        self.targets = targets  # a TargetProvider or None
        self._running = False
        self.recorder = TraceRecorder(options.record, "events") if options.record else None
        self.targets_recorder = TargetsRecorder(options.record) if options.record and targets is not None else None
        self.action_log = TraceRecorder(options.log_actions, "actions") if options.log_actions else None
        self.loop = LiveLoop(self.build_engine(), backend,
                             record=self.recorder.event if self.recorder else None,
                             on_actions=self.action_log.actions if self.action_log else None,
                             on_fault=self._fault, targets=targets,
                             record_targets=self.targets_recorder.sets if self.targets_recorder else None)
        self.on_fault: Callable[[str], None] | None = None
        # settings changes are engine input: applied on the loop's thread, recorded beside the trace
        self.settings = SettingsStream(self.loop, SettingsRecorder(options.record) if options.record else None,
                                       on_error=lambda m: self.say(f"warning: {m}"))
        self.settings.start(self.engine_data(), self.profile.name)
        self.watcher = ProfileWatcher(self.profile, self.reload, lambda m: self.say(f"warning: {m}"))
        self.failed: str | None = None  # why the loop ended by itself, if it did
        self.thread: threading.Thread | None = None
        self._ended = threading.Event()

    # -- engine and profile -----------------------------------------------------------------------
    def engine_data(self, profile: Profile | None = None) -> dict:
        """The settings an engine is built from: ``profile`` (default: the one in use), adjusted."""
        prof = profile or self.profile
        return self.adjust({k: (dict(v) if isinstance(v, dict) else v) for k, v in prof.data.items()})

    def build_engine(self, profile: Profile | None = None) -> Engine:
        """An engine for ``profile`` (default: the one in use) with the session's adjustments."""
        return build_engine(self.engine_data(profile), screens=self.backend.screens())

    def use_profile(self, profile: Profile) -> bool:
        """Switch to ``profile``; if its engine cannot be built the one in use stays. True if switched.

        The running engine is retuned on the loop's thread (a recorded settings change), not
        replaced, so a recording replays to the same actions across the switch."""
        try:
            self.build_engine(profile)  # the check: filters that cannot run with it change nothing
        except ProfileError as exc:
            self.say(f"warning: profile '{profile.name}' cannot be used, keeping '{self.profile.name}':\n{exc}")
            return False
        self.profile = profile
        self.watcher.follow(profile)
        self.settings.change(self.engine_data(profile), note=f"profile {profile.name}")
        self._follow_targets()
        return True

    # -- targets ----------------------------------------------------------------------------------
    def _desktop_coordinates(self) -> bool:
        """Whether the backend's positions are screen px, as the accessibility tree's rectangles are
        (the evdev backend's relative mice count from where they started: no targets there)."""
        if self.backend_name in DESKTOP_BACKENDS:
            return True
        if not self._told_coordinates:
            self._told_coordinates = True
            self.say(f"targets: not with the {self.backend_name} backend: its positions are not screen "
                     "coordinates (in an X11 session, --backend x11 has them)")
        return False

    def _new_provider(self):
        from ..targets.live import create_provider
        return create_provider(on_status=lambda m: self.say(f"targets: {m}"))

    def _follow_targets(self) -> None:
        """Start or stop our provider when the profile in use starts or stops wanting targets."""
        if not self._own_targets or self.targets_recorder is not None:
            return  # a given provider, or a recording (which always carries its targets): as started
        want = wants_targets(self.options, self.profile)
        if want and self.targets is None and self._desktop_coordinates():
            prov = self._new_provider()
            if prov is None:
                return
            self.targets = prov
            if self._running:
                prov.start()
                self.loop.call(lambda now: self.loop.attach_targets(prov) or [])
            else:
                self.loop.targets = prov
        elif not want and self.targets is not None:
            self.targets = None
            if self._running:
                self.loop.call(self.loop.detach_targets)
            else:
                self.loop.targets = None

    def rebuild(self) -> None:
        """Rebuild the engine after the adjustments changed (same profile)."""
        self.use_profile(self.profile)

    def reload(self, profile: Profile) -> None:
        """The profile's files changed on disk and validate: take it into use."""
        if self.use_profile(profile):
            self.say(f"profile '{profile.name}' changed on disk: now in use")

    def _fault(self, msg: str) -> None:
        if self.on_fault:  # first, so whoever hears the warning sees the state it caused
            self.on_fault(msg)
        self.say(f"warning: {msg}")

    # -- life cycle -------------------------------------------------------------------------------
    def run(self, on_started: Callable[[], None] | None = None) -> None:
        """Run until :meth:`stop`; whatever ends it, the pointer is given back and files closed."""
        dog = watchdog.spawn(self.backend.rescue_display) if self.backend.rescue_display else None
        self.watcher.start()
        if self.targets is not None:
            self.targets.start()
        self._running = True
        try:
            self.loop.run(on_started=on_started)
        finally:
            self._running = False
            for prov in {id(p): p for p in (self.targets, self.loop.targets) if p is not None}.values():
                prov.stop()
            self.watcher.stop()
            self.settings.close()
            for rec in (self.recorder, self.targets_recorder, self.action_log):
                if rec is not None:
                    rec.close()
            if self.recorder is not None:
                drop_stale_sidecars(self.recorder.path, self.targets_recorder.path if self.targets_recorder else None)
            if dog is not None:
                watchdog.dismiss(dog)
            self._ended.set()

    def start(self, on_end: Callable[[], None] | None = None) -> None:
        """Run in a thread (the tray's way); ``failed`` says why if it ends by itself."""
        def body() -> None:
            try:
                self.run()
            except Exception as exc:  # the loop has already given the mouse back
                self.failed = f"{type(exc).__name__}: {exc}"
                log.exception("live loop failed")
            finally:
                if on_end:
                    on_end()
        self.thread = threading.Thread(target=body, name="live-session", daemon=True)
        self.thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self.loop.stop()
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(timeout_s)

    def ended(self) -> bool:
        return self._ended.is_set()

    def status(self) -> str:
        what = ", ".join(self.backend.steadied()) or "pointer"
        return f"steadying with backend '{self.backend_name}', profile '{self.profile.name}' ({what})"

    def targets_status(self) -> str:
        """One line on the target provider: off, or what it says (working, or what is missing)."""
        if self.targets is None:
            return "off"
        return f"{self.targets.name}: {self.targets.status()}"


def wants_targets(options: SessionOptions, profile: Profile) -> bool:
    """Whether to run a target provider: never with ``--targets off``; when recording (the
    recording carries the targets for replay and calibration); else when the profile switches
    on any target assistance (a true setting in its ``targets`` section)."""
    if options.targets == "off":
        return False
    if options.record:
        return True
    section = profile.data.get("targets")
    return isinstance(section, dict) and any(v is True for v in section.values())
