"""Bad input gets one clear line and costs nothing: no traceback, no input overwritten, no
partial output. Each test runs the real command line (in-process through ``main`` where the
output is enough, in a real subprocess where exit status and stderr matter)."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from steadyinput.cli.main import main
from steadyinput.outputs import TMP_TAG, Outputs

TRACE = "t,x,y,buttons\n" + "".join(f"{i / 100:.2f},{100 + i % 7},{200 + i % 5},0\n" for i in range(300))


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "STEADYINPUT_LOG_DIR": str(cwd / "logs")}
    return subprocess.run([sys.executable, "-m", "steadyinput", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=120)


def _snapshot(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def _one_line_error(r: subprocess.CompletedProcess, names: str) -> None:
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and names in lines[0], r.stderr


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "rec.csv").write_text(TRACE)
    with gzip.open(tmp_path / "rec.csv.gz", "wt") as fh:
        fh.write(TRACE)
    return tmp_path


@pytest.mark.parametrize("name", ["rec.csv", "rec.csv.gz"])
def test_replay_refuses_to_overwrite_its_input_by_path_symlink_or_hard_link(work, name):
    (work / "link").symlink_to(work / name)
    os.link(work / name, work / "hard")
    before = _snapshot(work)
    for out in (name, "link", "hard", f"./{name}"):
        r = _cli("replay", name, "-o", out, cwd=work)
        _one_line_error(r, "refusing to write over an input")
    assert _snapshot(work) == before


def test_replay_refuses_to_overwrite_its_truth_file(work):
    shutil.copy(work / "rec.csv", work / "sim.csv")
    (work / "sim.csv.truth.json").write_text('{"trials": []}')
    before = _snapshot(work)
    _one_line_error(_cli("replay", "sim.csv", "-o", "sim.csv.truth.json", "--metrics", cwd=work), "refusing")
    assert _snapshot(work) == before


def test_missing_or_malformed_truth_is_one_line_and_writes_nothing(work):
    (work / "bad.json").write_text('{"trials": [1,')
    (work / "shape.json").write_text('{"trials": [{"start": 0, "reach_end": "x", "end": 1}]}')
    before = _snapshot(work)
    _one_line_error(_cli("replay", "rec.csv", "-o", "out.csv", "--truth", "nosuch.json", cwd=work), "nosuch.json")
    _one_line_error(_cli("replay", "rec.csv", "-o", "out.csv", "--truth", "bad.json", cwd=work), "bad.json:1")
    _one_line_error(_cli("replay", "rec.csv", "-o", "out.csv", "--truth", "shape.json", cwd=work),
                    "trials[0].reach_end")
    assert _snapshot(work) == before


def test_output_in_an_unwritable_place_or_naming_a_folder_is_one_line_and_leaves_nothing(work):
    (work / "folder").mkdir()
    before = _snapshot(work)
    _one_line_error(_cli("replay", "rec.csv", "-o", "/proc/out.csv", cwd=work), "/proc/out.csv")
    _one_line_error(_cli("replay", "rec.csv", "-o", "folder", "--report", "rep", cwd=work), "folder")
    _one_line_error(_cli("replay", "rec.csv", "-o", "out.csv", "--report", "rec.csv", cwd=work), "rec.csv")
    assert _snapshot(work) == before
    assert not (work / "rep").exists() and not (work / "out.csv").exists()
    assert not list(work.rglob(f"*{TMP_TAG}*"))


def test_report_files_never_replace_an_input_living_in_the_report_folder(work):
    (work / "rep").mkdir()
    (work / "rep" / "metrics.json").write_text("t,x,y,buttons\n0,1,1,0\n0.1,1,1,0\n")
    before = _snapshot(work)
    r = _cli("replay", "rep/metrics.json", "-o", "out.csv", "--report", "rep", cwd=work)
    assert r.returncode == 2 and "refusing" in r.stderr, r.stderr
    assert _snapshot(work) == before


def test_a_trace_starting_with_a_byte_order_mark_reads_like_one_without(work):
    (work / "bom.csv").write_bytes(b"\xef\xbb\xbf" + TRACE.encode())
    assert main(["replay", str(work / "bom.csv"), "-o", str(work / "a.csv")]) == 0
    assert main(["replay", str(work / "rec.csv"), "-o", str(work / "b.csv")]) == 0
    assert (work / "a.csv").read_bytes() == (work / "b.csv").read_bytes()


@pytest.mark.parametrize("row,field", [("0.5,1e308,200,0", "x"), ("0.5,100,-2000000,0", "y"),
                                       ("0.5,100,200,-1", "buttons"), ("0.5,100,200,70000", "buttons"),
                                       ("1e300,100,200,0", "t")])
def test_values_out_of_range_name_line_and_field(work, row, field, capsys):
    lines = TRACE.splitlines()
    lines.insert(5, row)
    (work / "bad.csv").write_text("\n".join(lines) + "\n")
    assert main(["replay", str(work / "bad.csv"), "-o", str(work / "o.csv")]) == 2
    err = capsys.readouterr().err
    assert f"bad.csv:6: field '{field}'" in err
    assert not (work / "o.csv").exists()


def test_binary_garbage_is_refused_from_its_first_bytes(work, capsys):
    with open(work / "nul.csv", "wb") as fh:
        fh.truncate(50_000_000)  # sparse: 50 MB of NUL bytes, costs no disk
    (work / "long.csv").write_bytes(b"a" * 3_000_000)
    assert main(["replay", str(work / "nul.csv"), "-o", str(work / "o.csv")]) == 2
    assert main(["replay", str(work / "long.csv"), "-o", str(work / "o.csv")]) == 2
    err = capsys.readouterr().err
    assert "nul.csv:1: is not a text trace" in err and "long.csv:1: is not a trace" in err


def test_output_timestamps_are_whole_microseconds(work):
    for name in ("o.csv", "o.jsonl"):
        assert main(["replay", str(work / "rec.csv"), "-o", str(work / name)]) == 0
        text = (work / name).read_text()
        stamps = [line.split(",")[0] for line in text.splitlines()[1:]] if name.endswith(".csv") else \
            [line.split('"t": ')[1].split(",")[0] for line in text.splitlines()]
        assert stamps and all(len(s.split(".")[1]) <= 6 for s in stamps if "." in s)


def test_an_unexpected_failure_is_one_line_pointing_at_the_log_and_debug_shows_it(work, monkeypatch, capsys):
    import steadyinput.engine

    def boom(*a, **k):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(steadyinput.engine, "feed_arrays", boom)
    monkeypatch.setenv("STEADYINPUT_LOG_DIR", str(work / "logs"))
    assert main(["replay", str(work / "rec.csv"), "-o", str(work / "o.csv")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error: RuntimeError: simulated bug" in err and "--debug" in err
    assert "Traceback" in (work / "logs" / "steadyinput.log").read_text()
    assert not (work / "o.csv").exists()
    assert main(["--debug", "replay", str(work / "rec.csv"), "-o", str(work / "o.csv")]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_an_interrupted_transaction_leaves_nothing_and_keeps_the_old_file(tmp_path):
    (tmp_path / "old.csv").write_text("keep me")
    with pytest.raises(KeyboardInterrupt):
        with Outputs() as outs:
            outs.file(tmp_path / "old.csv").write_text("half")
            outs.folder(tmp_path / "new" / "report")
            raise KeyboardInterrupt
    assert (tmp_path / "old.csv").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.csv"]


def test_sigterm_during_a_replay_leaves_no_partial_output(work):
    big = "t,x,y,buttons\n" + "".join(f"{i / 1000:.3f},{100 + i % 7},{200 + i % 5},0\n" for i in range(400_000))
    (work / "big.csv").write_text(big)
    env = {**os.environ, "STEADYINPUT_LOG_DIR": str(work / "logs")}
    p = subprocess.Popen([sys.executable, "-m", "steadyinput", "replay", "big.csv", "-o", "out.csv", "--report",
                          "rep"], cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    import time
    deadline = time.monotonic() + 60
    while not list(work.glob(f".*{TMP_TAG}*")) and time.monotonic() < deadline and p.poll() is None:
        time.sleep(0.01)
    p.terminate()
    _, err = p.communicate(timeout=60)
    assert "Traceback" not in err
    assert not (work / "out.csv").exists() and not (work / "rep").exists()
    assert not list(work.rglob(f"*{TMP_TAG}*"))


def test_a_character_beyond_the_basic_plane_in_a_number_is_an_error_not_a_number(work, capsys):
    # NumPy's fast parser read '\U0006b73d' as 440077 (and sometimes crashed): found by hypothesis
    lines = TRACE.splitlines()
    lines[1] = "0.0,\U0006b73d,200,0"
    (work / "odd.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for _ in range(3):
        assert main(["replay", str(work / "odd.csv"), "-o", str(work / "o.csv")]) == 2
        assert "odd.csv:2: field 'x'" in capsys.readouterr().err
