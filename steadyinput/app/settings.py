"""Settings that persist between runs, in the per-user config folder (settings.yaml)."""

from __future__ import annotations

import logging
import math
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml


def config_dir() -> Path:
    env = os.environ.get("STEADYINPUT_CONFIG_DIR")
    if env:
        return Path(env)
    import platformdirs
    return Path(platformdirs.user_config_dir("steadyinput"))


def log_dir() -> Path:
    env = os.environ.get("STEADYINPUT_LOG_DIR")
    if env:
        return Path(env)
    import platformdirs
    return Path(platformdirs.user_log_dir("steadyinput"))


def runtime_dir() -> Path:
    env = os.environ.get("STEADYINPUT_RUNTIME_DIR")
    if env:
        return Path(env)
    import platformdirs
    return Path(platformdirs.user_runtime_dir("steadyinput"))


@dataclass
class Settings:
    profile: str = "moderate"
    enabled: bool = True  # filtering on at start
    dwell_enabled: bool | None = None  # None: as the profile says
    dwell_click: str = "left"
    hotkey_toggle: str = "<pause>"  # one big key: easier than a chord with a tremor
    hotkey_dwell_pause: str = "<scroll_lock>"
    last_report: str = ""
    extra: dict = field(default_factory=dict)

    @classmethod
    def load(cls) -> "Settings":
        p = config_dir() / "settings.yaml"
        try:
            data = yaml.safe_load(p.read_text()) or {}
        except (OSError, yaml.YAMLError):
            return cls()
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "extra"}
        s = cls(**known)
        s.extra = {k: v for k, v in data.items() if k not in cls.__dataclass_fields__}
        return s

    def save(self) -> Path:
        d = config_dir()
        d.mkdir(parents=True, exist_ok=True)
        data = {k: v for k, v in asdict(self).items() if k != "extra"} | self.extra
        fd, tmp = tempfile.mkstemp(dir=d, prefix=".settings.", suffix=".tmp")
        with os.fdopen(fd, "w") as fh:
            yaml.safe_dump(data, fh, sort_keys=False)
        os.replace(tmp, d / "settings.yaml")
        return d / "settings.yaml"


EVDEV_PX_PER_COUNT = "evdev_px_per_count"  # px per mouse count on the evdev backend (README)


def evdev_px_per_count(settings: Settings | None = None) -> float | None:
    """settings.yaml's ``evdev_px_per_count`` if it is a positive number; None: the backend's
    measured default (a value that is not a positive number is ignored, with a warning)."""
    value = (settings or Settings.load()).extra.get(EVDEV_PX_PER_COUNT)
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not (number > 0 and math.isfinite(number)):
        logging.getLogger("steadyinput.settings").warning(
            "%s in settings.yaml must be a positive number, not %r: using the default", EVDEV_PX_PER_COUNT, value)
        return None
    return number
