"""Shared fixtures: user config points at a temporary folder so tests never touch real profiles."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def user_profile_dir(tmp_path, monkeypatch):
    d = tmp_path / "user-profiles"
    monkeypatch.setenv("STEADYINPUT_PROFILE_DIR", str(d))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return d


@pytest.fixture(scope="session")
def moderate_intention():
    """A moderate MS intention tremor user (4 Hz, 8 px) at 125 Hz, with ground truth."""
    from steadyinput.simulate import TaskSpec, UserSpec, simulate
    return simulate(UserSpec("intention", 4.0, 8.0), TaskSpec(rate_hz=125, trials=16), seed=3)


ARTIFACTS = __import__("pathlib").Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture(scope="session")
def xserver():
    """A real X server (Xvfb) on a free display; yields its DISPLAY string."""
    import os
    import shutil
    import subprocess

    if not shutil.which("Xvfb"):
        pytest.skip("Xvfb is not installed (apt-get install xvfb; .ci/run does)")
    r, w = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    with os.fdopen(r) as fh:
        num = fh.readline().strip()
    if not num:
        proc.kill()
        pytest.fail("Xvfb did not start")
    yield f":{num}"
    proc.terminate()
    proc.wait(5)


@pytest.fixture
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
