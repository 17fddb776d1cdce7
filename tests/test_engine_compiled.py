"""The compiled engine (mypyc, built by ``pip install .``) is the pure-Python engine, byte for byte.

A checkout's editable install runs the pure engine; STEADYINPUT_PURE=1 picks it wherever a compiled
one is installed. These tests pin the switch and the comparison harness (tests/replay_digest.py);
tests/test_install.py runs the same comparison on a wheel, where the engine is compiled.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _py(code: str, pure: bool) -> str:
    env = {k: v for k, v in os.environ.items() if k != "STEADYINPUT_PURE"}
    if pure:
        env["STEADYINPUT_PURE"] = "1"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


def digests(python: str | Path, pure: bool, *extra: str, cwd: Path | None = None) -> dict:
    """tests/replay_digest.py run by ``python``, with the pure engine or the installed one."""
    env = {k: v for k, v in os.environ.items() if k not in ("STEADYINPUT_PURE", "PYTHONPATH")}
    if pure:
        env["STEADYINPUT_PURE"] = "1"
    r = subprocess.run([str(python), str(HERE / "replay_digest.py"), *extra], env=env, cwd=cwd,
                       capture_output=True, text=True, timeout=1800)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_steadyinput_pure_loads_every_engine_module_from_its_source():
    out = _py("import steadyinput.engine as e, steadyinput.extent as x, steadyinput.filters.kalman as k, "
              "steadyinput.pipeline; print(e.__file__, x.__file__, k.__file__)", pure=True)
    assert all(f.endswith(".py") for f in out.split()), out


def test_doctor_says_which_engine_runs_in_one_line():
    code = "import json; from steadyinput.compiled import engine_note; print(json.dumps(engine_note()))"
    compiled, line = json.loads(_py(code, pure=True))
    assert not compiled and line.startswith("engine: the pure-Python reference (STEADYINPUT_PURE=1 is set)")
    compiled, line = json.loads(_py(code, pure=False))
    assert "\n" not in line and line.startswith("engine: ")
    assert compiled == ("compiled (mypyc)" in line)


def test_the_installed_engine_replays_the_varied_traces_as_the_pure_one():
    ours, ref = digests(sys.executable, False, "--quick"), digests(sys.executable, True, "--quick")
    assert ref["engine"] == "engine.py"
    assert ours["cases"] == ref["cases"]
    assert len(ref["cases"]) >= 150 and not [k for k in ref["cases"] if k.endswith("faults")]
