"""Input backends: thin translators between an OS's pointer and the engine (no filter logic).

Each backend module offers a ``Backend`` class that conforms to the contract in
:mod:`steadyinput.backends.base`, plus ``available()`` saying whether it can run here and, if
not, how to fix that. This module chooses one and explains every choice.
"""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass

from ..errors import BackendError

ORDER = {"linux": ["evdev", "x11"], "win32": ["win32"], "darwin": ["darwin"]}
MODULES = {"evdev": "evdev_backend", "x11": "x11", "win32": "win32", "darwin": "darwin", "trace": "trace"}
__all__ = ["Availability", "BackendError", "MODULES", "ORDER", "check", "choose", "create"]


@dataclass
class Availability:
    name: str
    ok: bool
    why: str = ""
    fix: str = ""


def platform_key() -> str:
    return "linux" if sys.platform.startswith("linux") else sys.platform


def check(name: str) -> Availability:
    if name not in MODULES:
        return Availability(name, False, f"unknown backend {name!r}", f"choose from {', '.join(MODULES)}")
    try:
        mod = importlib.import_module(f".{MODULES[name]}", __package__)
    except ImportError as exc:
        return Availability(name, False, f"cannot be imported: {exc}", "pip install steadyinput (with its dependencies)")
    return mod.available()


def choose(name: str = "auto") -> tuple[str, list[Availability]]:
    """The backend to use: ``name``, or with "auto" the first available in platform order.

    ``STEADYINPUT_BACKEND`` overrides "auto". Raises :class:`BackendError` listing every reason.
    """
    if name == "auto":
        name = os.environ.get("STEADYINPUT_BACKEND", "auto")
    names = ORDER.get(platform_key(), []) if name == "auto" else [name]
    checks = [check(n) for n in names]
    for c in checks:
        if c.ok:
            return c.name, checks
    lines = [f"  {c.name}: {c.why}" + (f"\n     fix: {c.fix}" if c.fix else "") for c in checks]
    raise BackendError("no input backend can run here:\n" + "\n".join(lines) + "\nrun 'steadyinput doctor' for details")


def create(name: str, **kw):
    mod = importlib.import_module(f".{MODULES[name]}", __package__)
    return mod.Backend(**kw)
