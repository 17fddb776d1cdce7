"""A private accessible desktop for the live target tests and measurements: on a given X display,
a session D-Bus (without service activation, so a killed accessibility bus stays dead), at-spi2-
core's accessibility bus, and the GTK3 window of :mod:`steadyinput.targets.gtk_window` run by the
distribution's Python. Every process is started in its own process group and killed by it.

:func:`missing` says which package is absent (apt: at-spi2-core dbus-x11 python3-gi
gir1.2-gtk-3.0), so a test can skip with that reason.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

LAUNCHERS = ("/usr/libexec/at-spi-bus-launcher", "/usr/lib/at-spi2-core/at-spi-bus-launcher",
             "/usr/lib/at-spi-bus-launcher")
SYSTEM_PY = "/usr/bin/python3"
WINDOW = Path(__file__).with_name("gtk_window.py")
SESSION_CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def launcher() -> str | None:
    return next((p for p in LAUNCHERS if os.path.exists(p)), None)


def missing() -> str | None:
    """Why an accessible desktop cannot be made here (the package to install), or None."""
    if launcher() is None:
        return "at-spi2-core is not installed (apt-get install at-spi2-core; .ci/run does)"
    if not shutil.which("dbus-daemon"):
        return "dbus is not installed (apt-get install dbus-x11; .ci/run does)"
    try:
        import jeepney  # noqa: F401
    except ImportError:
        return "jeepney is not installed (pip install -e . installs it)"
    probe = "import gi; gi.require_version('Gtk', '3.0'); from gi.repository import Gtk"
    if not os.path.exists(SYSTEM_PY) or subprocess.run([SYSTEM_PY, "-c", probe], capture_output=True).returncode:
        return "GTK3 for the system Python is not installed (apt-get install python3-gi gir1.2-gtk-3.0; .ci/run does)"
    return None


class A11yDesktop:
    """The session bus, accessibility bus and GTK3 window on ``disp`` (see the module doc)."""

    def __init__(self, disp: str, grid: int = 0, at: tuple[int, int] | None = None,
                 app_env: dict[str, str] | None = None) -> None:
        self.procs: list[subprocess.Popen] = []
        fd, self.conf = tempfile.mkstemp(suffix=".conf", prefix="steadyinput-bus-")
        with os.fdopen(fd, "w") as f:
            f.write(SESSION_CONF)
        try:
            bus = self._start(["dbus-daemon", f"--config-file={self.conf}", "--nofork", "--print-address=1"],
                              dict(os.environ), stdout=subprocess.PIPE)
            self.env = dict(os.environ, DISPLAY=disp, DBUS_SESSION_BUS_ADDRESS=bus.stdout.readline().strip())
            self.env.pop("AT_SPI_BUS_ADDRESS", None)
            self.env.pop("NO_AT_BRIDGE", None)
            self.env.pop("WAYLAND_DISPLAY", None)
            self.launcher = self._start([launcher(), "--launch-immediately"], self.env)
            time.sleep(0.3)
            self.app = self._start([SYSTEM_PY, str(WINDOW)] + (["--grid", str(grid)] if grid else [])
                                   + (["--at", f"{at[0]},{at[1]}"] if at else []), dict(self.env, **(app_env or {})),
                                   stdout=subprocess.PIPE)
            line = self.app.stdout.readline()
            if not line:
                raise RuntimeError("the GTK3 test window did not start")
            self.layout = {k: tuple(v) for k, v in json.loads(line).items()}  # name -> (x, y, w, h) px
            self.clicked: list[str] = []  # the buttons the window says were activated, in order
            threading.Thread(target=self._read_clicks, daemon=True).start()
        except BaseException:
            self.close()
            raise

    def _read_clicks(self) -> None:
        for line in self.app.stdout:
            if line.startswith("clicked "):
                self.clicked.append(line.split()[1])

    def _start(self, cmd: list[str], env: dict, stdout=subprocess.DEVNULL) -> subprocess.Popen:
        p = subprocess.Popen(cmd, env=env, stdout=stdout, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
        self.procs.append(p)
        return p

    def kill_bus(self) -> None:
        """Kill the accessibility bus outright (launcher, its dbus-daemon, registryd), as a crash would."""
        try:
            os.killpg(self.launcher.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.launcher.wait(5)

    def close(self) -> None:
        for p in reversed(self.procs):
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait(5)
        self.procs = []
        if os.path.exists(self.conf):
            os.unlink(self.conf)
