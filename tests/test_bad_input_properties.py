"""Property: whatever a trace file holds, the command line never shows a traceback, never loses
or changes an input and never leaves partial output. Hypothesis mutates a valid trace (bad
cells, dropped, doubled and swapped lines, truncation, a byte-order mark, odd headers, gzip,
JSON Lines) and the real CLI runs on it in a subprocess."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steadyinput.outputs import TMP_TAG

pytestmark = pytest.mark.slow

ROWS = [[round(i / 125, 6), 300 + (i * 7) % 23, 200 + (i * 3) % 11, 1 if 40 <= i < 50 else 0] for i in range(250)]
NASTY = ["", "nan", "inf", "-inf", "1e308", "-1e309", "-1", "1.5", "0x10", "1e6", "1000001", "７", "\x00", "\"",
         "1,2", "  ", "true", "null", "[]", "9" * 400, "-0", "1e-320", "\ufeff", "é", "\r"]


@st.composite
def malformed(draw) -> tuple[str, bytes]:
    rows = [list(map(str, r)) for r in ROWS]
    header = ["t", "x", "y", "buttons"]
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["cell", "drop", "dup", "swap", "header", "truncate", "blank", "extra"]))
        i = draw(st.integers(0, len(rows) - 1)) if rows else 0
        if kind == "cell" and rows:
            rows[i][draw(st.integers(0, len(rows[i]) - 1))] = draw(st.sampled_from(NASTY) | st.text(max_size=8))
        elif kind == "drop" and rows:
            del rows[i:i + draw(st.integers(1, 300))]
        elif kind == "dup" and rows:
            rows.insert(i, list(rows[i]))
        elif kind == "swap" and len(rows) > 2:
            j = draw(st.integers(0, len(rows) - 1))
            rows[i], rows[j] = rows[j], rows[i]
        elif kind == "header":
            header = draw(st.permutations(header + ["ix"]).map(list)) if draw(st.booleans()) else \
                [draw(st.sampled_from(["T", "t ", "x", "time", ""])), "x", "y", "buttons"]
        elif kind == "blank" and rows:
            rows.insert(i, [""])
        elif kind == "extra" and rows:
            rows[i] = rows[i] + [draw(st.sampled_from(NASTY))]
    fmt = draw(st.sampled_from([".csv", ".csv.gz", ".jsonl"]))
    if fmt == ".jsonl":
        lines = []
        for r in rows:
            rec: dict = dict(zip(header, r))
            for k in list(rec):
                try:
                    rec[k] = json.loads(rec[k])
                except ValueError:
                    pass
            lines.append(json.dumps(rec))
        text = "\n".join(lines) + "\n"
    else:
        text = ",".join(header) + "\n" + "".join(",".join(r) + "\n" for r in rows)
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    if draw(st.integers(0, 5)) == 0:
        data = data[:draw(st.integers(0, len(data)))]
    if fmt.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
        if draw(st.integers(0, 5)) == 0:
            data = data[:draw(st.integers(0, len(data)))]
    return fmt, data


def _snapshot(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(case=malformed())
def test_malformed_traces_never_cost_a_file_or_show_a_traceback(tmp_path_factory, case):
    fmt, data = case
    work = tmp_path_factory.mktemp("bad")
    name = f"rec{fmt}"
    (work / name).write_bytes(data)
    before = _snapshot(work)
    env = {**os.environ, "STEADYINPUT_LOG_DIR": str(work / "logs"), "MPLBACKEND": "Agg"}
    for cmd, outputs in ((["replay", name, "-o", "out.csv", "--report", "rep"], ("out.csv", "rep")),
                         (["calibrate", "--from", name, "--no-tune", "--json", "--report", "cal"], ("cal",))):
        r = subprocess.run([sys.executable, "-m", "steadyinput", *cmd], cwd=work, capture_output=True, text=True,
                           env=env, timeout=120)
        assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr
        assert r.returncode in (0, 2), (r.returncode, r.stderr)
        if r.returncode:
            assert name in r.stderr and r.stderr.count("\n") == 1, r.stderr
            assert not any((work / o).exists() for o in outputs)
        after = _snapshot(work)
        assert {k: after[k] for k in before} == before  # the input is untouched
        assert not [k for k in after if TMP_TAG in k]
        for o in outputs:  # leave the folder as it was for the next command
            p = work / o
            if p.is_dir():
                import shutil
                shutil.rmtree(p)
            elif p.exists():
                p.unlink()
