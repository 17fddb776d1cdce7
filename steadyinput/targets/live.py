"""Which live target provider this platform has: AT-SPI2 on Linux, UI Automation on Windows,
the AX API on macOS (each a worker-thread provider, see :mod:`steadyinput.targets.worker`)."""

from __future__ import annotations

import sys
from collections.abc import Callable

from .worker import WorkerProvider


def create_provider(platform: str = sys.platform, on_status: Callable[[str], None] | None = None,
                    in_process: bool = False):
    """The provider for ``platform`` (not started), or None where there is none. On Linux and
    macOS it runs in a child process (:mod:`steadyinput.targets.process`) unless ``in_process``;
    on Windows (no non-blocking pipes) in a worker thread."""
    if in_process or platform == "win32" or platform != sys.platform:
        return create_in_process(platform, on_status)
    kind = {"darwin": "ax"}.get(platform, "atspi" if platform.startswith("linux") else None)
    if kind is None:
        return None
    from .process import ProcessProvider
    return ProcessProvider(kind, on_status=on_status)


def create_in_process(platform: str = sys.platform,
                      on_status: Callable[[str], None] | None = None) -> WorkerProvider | None:
    """The worker-thread provider for ``platform`` (or a provider name: atspi, uia, ax), not started."""
    if platform in ("atspi", "uia", "ax"):
        platform = {"atspi": "linux", "uia": "win32", "ax": "darwin"}[platform]
    if platform.startswith("linux"):
        from .atspi import AtspiProvider
        return AtspiProvider(on_status=on_status)
    if platform == "win32":
        from .uia import UiaProvider
        return UiaProvider(on_status=on_status)
    if platform == "darwin":
        from .ax import AxProvider
        return AxProvider(on_status=on_status)
    return None


def probe(platform: str = sys.platform) -> tuple[bool, str]:
    """For ``doctor``: (usable, one line: what the accessibility tree offers, or how to turn it on)."""
    if platform.startswith("linux"):
        from .atspi import probe as atspi_probe
        return atspi_probe()
    if platform == "win32":
        from .uia import probe as uia_probe
        return uia_probe()
    if platform == "darwin":
        from .ax import probe as ax_probe
        return ax_probe()
    return False, f"no accessibility API known on {platform}"
