"""`bench speed --live-only`: the live utility measured for real on an Xvnc server (its pointer
a real grabbed slave device driven over VNC). The figures are checked for presence and sense,
never for speed (that is the benchmark's job, in the README)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def test_live_only_reports_cpu_and_latency_at_125_and_1000_events_per_second(tmp_path):
    if not shutil.which("Xvnc"):
        pytest.skip("Xvnc is not installed (apt-get install tigervnc-standalone-server; .ci/run does)")
    out = tmp_path / "b"
    r = subprocess.run([sys.executable, "-m", "steadyinput", "bench", "speed", "--live-only", "--quick",
                        "-o", str(out)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    live = json.loads((out / "speed.json").read_text())["live"]
    rows = {row["rate"]: row for row in live["rates"]}
    assert set(rows) == {125.0, 1000.0}
    assert live["still_cpu_percent"] >= 0
    for row in rows.values():
        assert row["cpu_percent_min"] <= row["cpu_percent"] <= row["cpu_percent_max"]
        assert row["cpu_percent"] > 0  # the process was measured while it worked
        assert row["latency_events"] > 0 and 0 < row["latency_p50_us"] <= row["latency_p99_us"]
        # the X11 backend stamps events: how long they waited is measured too, and the loop's turns
        assert 0 < row["since_stamp_p50_us"] <= row["since_stamp_p99_us"]
        assert row["loop_turns_per_s"] > 0
    md = (out / "speed.md").read_text()
    assert "| events/s | CPU % of a core | latency p50 µs | latency p99 µs |" in md


def test_live_only_with_replay_only_is_refused_and_writes_nothing(tmp_path):
    out = tmp_path / "b"
    r = subprocess.run([sys.executable, "-m", "steadyinput", "bench", "speed", "--live-only", "--replay-only",
                        "-o", str(out)], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert "choose one of --replay-only and --live-only" in r.stderr
    assert "Traceback" not in r.stderr
    assert not out.exists()
