"""Shared fixtures: user config points at a temporary folder so tests never touch real profiles."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def user_profile_dir(tmp_path, monkeypatch):
    d = tmp_path / "user-profiles"
    monkeypatch.setenv("STEADYINPUT_PROFILE_DIR", str(d))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return d


@pytest.fixture(autouse=True)
def fresh_python_xlib_tables():
    """python-xlib keeps extension event/error tables at class level, shared by every connection
    in a process; connecting to X servers with different extensions (Xvfb, Xvnc) in one test
    process corrupts them. The utility talks to one server only; each test starts clean."""
    import copy
    try:
        from Xlib.protocol import display as pd
    except ImportError:
        yield
        return
    names = ("event_classes", "error_classes", "extension_major_opcodes")
    saved = {n: copy.deepcopy(getattr(pd.Display, n)) for n in names}
    yield
    for n in names:
        table = getattr(pd.Display, n)
        table.clear()
        table.update(copy.deepcopy(saved[n]))


@pytest.fixture(scope="session")
def moderate_intention():
    """A moderate MS intention tremor user (4 Hz, 8 px) at 125 Hz, with ground truth."""
    from steadyinput.simulate import TaskSpec, UserSpec, simulate
    return simulate(UserSpec("intention", 4.0, 8.0), TaskSpec(rate_hz=125, trials=16), seed=3)


@pytest.fixture
def short_trace(tmp_path):
    """A 3-reach essential tremor trace (6 px, 125 Hz) written to tmp_path/hand.csv (its path)."""
    from steadyinput.simulate import TaskSpec, UserSpec, simulate
    sim = simulate(UserSpec(kind="essential", amp_px=6), TaskSpec(trials=3, rate_hz=125), seed=5)
    path = tmp_path / "hand.csv"
    sim.write(path)
    return path


ARTIFACTS = __import__("pathlib").Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture(scope="session")
def xserver():
    """A real X server (Xvfb) on a free display; yields its DISPLAY string."""
    import shutil

    if not shutil.which("Xvfb"):
        pytest.skip("Xvfb is not installed (apt-get install xvfb; .ci/run does)")
    from steadyinput.bench.xserver import start_display_server
    proc, disp = start_display_server(["Xvfb", "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
    yield disp
    proc.terminate()
    proc.wait(5)


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def vnc_server():
    """A real X server (Xvnc) whose pointer device is driven by a VNC client over loopback.

    Yields (DISPLAY, port). Xvnc's pointer is a real slave device (Xvfb has only XTEST ones,
    which cannot be grabbed away from the cursor), so the X11 backend runs against it for real.
    """
    import shutil

    if not shutil.which("Xvnc"):
        pytest.skip("Xvnc is not installed (apt-get install tigervnc-standalone-server; .ci/run does)")
    from steadyinput.bench.xserver import start_xvnc
    proc, disp, port = start_xvnc()
    yield disp, port
    proc.terminate()
    proc.wait(5)


@pytest.fixture
def tray_host(vnc_server):
    """A real system tray (Debian's trayer) on the Xvnc display; yields (DISPLAY, port)."""
    import os
    import shutil
    import subprocess
    import time

    if not shutil.which("trayer"):
        pytest.skip("trayer is not installed (apt-get install trayer; .ci/run does)")
    disp, port = vnc_server
    proc = subprocess.Popen(["trayer", "--edge", "top", "--align", "right", "--widthtype", "request", "--height",
                             "32", "--transparent", "false"], env=dict(os.environ, DISPLAY=disp),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    from Xlib import display
    d = display.Display(disp)
    end = time.monotonic() + 10
    while d.get_selection_owner(d.intern_atom("_NET_SYSTEM_TRAY_S0")) == 0 and time.monotonic() < end:
        time.sleep(0.1)
    d.close()
    yield disp, port
    proc.terminate()
    proc.wait(5)
