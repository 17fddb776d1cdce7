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
