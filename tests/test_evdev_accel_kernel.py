"""libinput's pointer acceleration measured on a real kernel: how counts become px.

The evdev backend's virtual pointer is accelerated by the compositor's libinput; the backend's
``px_per_count`` default comes from this measurement (README: "Counts and pixels"). The test runs
``python -m steadyinput.bench.accel`` (a uinput mouse, ``libinput debug-events --device``, known
counts at known times) and checks the shape of the curve and that libinput's defaults are the
ones the default was measured under. Needs /dev/uinput and ``libinput`` (Debian:
libinput-tools): ``.ci/kernel-tier`` runs it in its VM; elsewhere it is skipped, saying why.
The results (JSON, and the table for the README) are kept in test-artifacts/kernel-tier/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

evdev = pytest.importorskip("evdev")

from steadyinput.backends.evdev_backend import DEFAULT_PX_PER_COUNT  # noqa: E402
from steadyinput.bench.accel import libinput_problem, table  # noqa: E402

HOW = "run .ci/kernel-tier to run this in a throw-away VM with a real kernel"
IN_VM = os.environ.get("STEADYINPUT_KERNEL_VM") == "1"
REPO = Path(__file__).resolve().parents[1]
ART = Path(os.environ.get("STEADYINPUT_KERNEL_ARTIFACTS", REPO / "test-artifacts" / "kernel-tier"))


def _problem() -> str | None:
    skip = os.environ.get("STEADYINPUT_KERNEL_SKIP")
    if skip:
        return skip
    if not IN_VM and os.environ.get("STEADYINPUT_KERNEL_TESTS") != "1":
        return "not the kernel tier's VM (set STEADYINPUT_KERNEL_TESTS=1 to measure on this machine)"
    return libinput_problem()


_why = _problem()
pytestmark = [pytest.mark.slow, pytest.mark.skipif(_why is not None, reason=f"{_why}; {HOW}")]


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    out = tmp_path_factory.mktemp("accel") / "accel.json"
    proc = subprocess.run([sys.executable, "-m", "steadyinput.bench.accel", "--json", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=900)
    print(proc.stdout[-6000:], proc.stderr[-3000:])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    data = json.loads(out.read_text())
    try:
        ART.mkdir(parents=True, exist_ok=True)
        (ART / "accel.json").write_text(json.dumps(data, indent=1))
        (ART / "accel-table.md").write_text(table(data) + "\n")
    except OSError:  # read-only outside the tier's artefact folder: the printout is enough
        pass
    return data


def _enough(points, what):
    if not points:  # every frame came in a burst: the emulated machine was too busy to pace them
        pytest.skip(f"no {what} was written steadily enough to measure (the VM's timing was too irregular)")
    return points


def test_accel_libinput_reports_every_frame_with_its_unaccelerated_delta(measured):
    """One POINTER_MOTION per written frame, its unaccelerated delta the counts written."""
    assert measured["results"] and all(r["unaccel_ok"] for r in measured["results"])


def test_accel_defaults_are_adaptive_at_speed_zero(measured):
    d = measured["defaults"]
    assert "error" not in d, d
    assert d["default_profile"] == "adaptive" and d["profile"] == "adaptive"
    assert d["default_speed"] == 0.0 and d["speed"] == 0.0


def test_accel_slow_motion_is_decelerated_and_fast_motion_accelerated(measured):
    """libinput's curve from every locally steady frame: slowed below ~70 counts/s, 1:1 up to
    ~400, up to 2x at reach speeds."""
    bins = measured["curve"]
    print(table(measured))
    slow = _enough([c["median"] for c in bins if c["to"] is not None and c["to"] <= 40 and c["n"] >= 3], "slow frame")
    mid = _enough([c["median"] for c in bins if c["from"] >= 80 and c["to"] is not None and c["to"] <= 400
                   and c["n"] >= 3], "frame at 80-400 counts/s")
    fast = _enough([c["median"] for c in bins if c["from"] >= 1600 and c["n"] >= 3], "fast frame (>= 1600 counts/s)")
    assert max(slow) < 0.8
    assert all(abs(f - 1.0) < 0.1 for f in mid)
    assert min(fast) > 1.4


def test_accel_the_backend_default_matches_the_measured_tremor_gain(measured):
    """The default ``px_per_count`` is libinput's gain over tremor-like holds of 5-8 Hz at 5-10
    counts coming at a mouse's pace (each frame at the measured curve's factor), to 25 %."""
    gains = _enough([r["gain_predicted"] for r in measured["results"] if r["kind"] == "tremor"
                     and r["params"]["amp"] in (5, 10) and r["params"]["freq_hz"] in (5, 8)
                     and r["gain_predicted"] is not None], "tremor pattern")
    mean = sum(gains) / len(gains)
    assert abs(mean - DEFAULT_PX_PER_COUNT) / DEFAULT_PX_PER_COUNT < 0.25, (mean, gains)
