"""Picks up a profile edited on disk while the utility runs; a broken edit never replaces the
profile in use: the last good one stays and the reason is reported."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from ..profile import Profile, ProfileError, load

log = logging.getLogger("steadyinput.reload")


class ProfileWatcher:
    """Polls the profile's files (the chain of extends) every ``interval_s`` seconds."""

    def __init__(self, profile: Profile, on_change: Callable[[Profile], None],
                 on_error: Callable[[str], None], interval_s: float = 1.0) -> None:
        self.profile = profile
        self.on_change, self.on_error = on_change, on_error
        self.interval_s = interval_s
        self._stamps = self._read_stamps()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _read_stamps(self) -> dict[str, tuple[float, int] | None]:
        out: dict[str, tuple[float, int] | None] = {}
        for p in self.profile.chain or ([self.profile.path] if self.profile.path else []):
            try:
                st = Path(p).stat()
                out[p] = (st.st_mtime, st.st_size)
            except OSError:
                out[p] = None
        return out

    def check(self) -> bool:
        """Reload if a file changed; returns True when a new profile was taken into use."""
        stamps = self._read_stamps()
        if stamps == self._stamps:
            return False
        self._stamps = stamps
        try:
            new = load(self.profile.path or self.profile.name)
        except ProfileError as exc:
            self.on_error(f"the edited profile is not valid, still using the last good one:\n{exc}")
            return False
        self.profile = new
        self._stamps = self._read_stamps()
        self.on_change(new)
        return True

    def follow(self, profile: Profile) -> None:
        """Watch ``profile``'s files from now on (another profile was chosen)."""
        self.profile = profile
        self._stamps = self._read_stamps()

    def start(self) -> None:
        def loop() -> None:
            while not self._stop.wait(self.interval_s):
                try:
                    self.check()
                except Exception as exc:  # a bug in taking a profile into use must not stop watching
                    log.exception("profile reload failed")
                    self.on_error(f"the edited profile could not be taken into use, still using the last good "
                                  f"one: {type(exc).__name__}: {exc}")
        self._thread = threading.Thread(target=loop, name="profile-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
