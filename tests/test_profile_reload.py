"""A profile edited while the utility runs takes effect; a broken edit never replaces a good one."""

from __future__ import annotations

import os
import time

from steadyinput.live.reload import ProfileWatcher
from steadyinput.profile import load


def _touch_later(path, text):
    path.write_text(text)
    st = path.stat()
    os.utime(path, (st.st_atime, st.st_mtime + 2))  # a new mtime even on coarse file systems


def test_edit_takes_effect_and_a_broken_edit_is_refused(user_profile_dir):
    user_profile_dir.mkdir(parents=True)
    path = user_profile_dir / "anna.yaml"
    path.write_text("extends: moderate\nadaptive:\n  gate_px: 5\n")
    used, errors = [], []
    w = ProfileWatcher(load("anna"), used.append, errors.append, interval_s=0.05)
    assert not w.check()
    _touch_later(path, "extends: moderate\nadaptive:\n  gate_px: 7\n")
    assert w.check() and used[-1].data["adaptive"]["gate_px"] == 7
    _touch_later(path, "extends: moderate\nadaptive:\n  gate_px: far\n")
    assert not w.check()
    assert len(used) == 1 and w.profile.data["adaptive"]["gate_px"] == 7  # the last good one stays
    assert "not valid" in errors[-1] and "anna.yaml:3: adaptive.gate_px" in errors[-1]


def test_the_watcher_thread_picks_up_an_edit(user_profile_dir):
    user_profile_dir.mkdir(parents=True)
    path = user_profile_dir / "bob.yaml"
    path.write_text("extends: mild\n")
    used = []
    w = ProfileWatcher(load("bob"), used.append, lambda m: None, interval_s=0.05)
    w.start()
    try:
        _touch_later(path, "extends: severe\n")
        end = time.monotonic() + 3
        while not used and time.monotonic() < end:
            time.sleep(0.05)
    finally:
        w.stop()
    assert used and used[0].data["adaptive"]["move_cutoff_hz"] == load("severe").data["adaptive"]["move_cutoff_hz"]
