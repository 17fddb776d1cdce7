"""simulate writes long runs in chunks of trials, streaming, all or nothing."""

from __future__ import annotations

import json

import numpy as np
import pytest

from steadyinput import simulate as S
from steadyinput.traces import read_trace
from steadyinput.truth import read_truth, truth_path_for


def test_a_normal_run_writes_exactly_what_simulate_makes(tmp_path):
    user, task = S.UserSpec("essential"), S.TaskSpec(trials=6)
    S.simulate(user, task, seed=4).write(tmp_path / "a.csv")
    done = S.simulate_file(user, task, tmp_path / "b.csv", seed=4)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert (tmp_path / "a.csv.truth.json").read_bytes() == (tmp_path / "b.csv.truth.json").read_bytes()
    assert done["events"] == len(read_trace(tmp_path / "b.csv"))


@pytest.mark.parametrize("name", ["long.csv", "long.jsonl.gz"])
def test_a_long_run_is_made_in_chunks_that_join_up(tmp_path, monkeypatch, name):
    monkeypatch.setattr(S, "CHUNK_TRIALS", 4)
    done = S.simulate_file(S.UserSpec("intention"), S.TaskSpec(trials=10, rate_hz=250), tmp_path / name, seed=1)
    tr = read_trace(tmp_path / name, extra=("ix", "iy"))
    truth = read_truth(truth_path_for(tmp_path / name))
    assert len(tr) == done["events"] and set(tr.extra) == {"ix", "iy"}
    assert (np.diff(tr.t) > 0).all() and np.diff(tr.t).max() < 0.1  # no pause, no overlap at the seams
    assert len(truth["trials"]) == 10 and truth["task"]["trials"] == 10
    starts = [t["start"] for t in truth["trials"]]
    assert starts == sorted(starts) and truth["trials"][-1]["end"] <= tr.t[-1]
    assert np.hypot(*np.diff(np.c_[tr.extra["ix"], tr.extra["iy"]], axis=0).T).max() < 50  # the hand never jumps


def test_a_failed_run_leaves_neither_file(tmp_path, monkeypatch):
    monkeypatch.setattr(S, "CHUNK_TRIALS", 2)
    calls = []

    def boom(*a, **k):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(*a, **k)

    real = S._simulate
    monkeypatch.setattr(S, "_simulate", boom)
    with pytest.raises(RuntimeError):
        S.simulate_file(S.UserSpec("essential"), S.TaskSpec(trials=6), tmp_path / "x.csv")
    assert list(tmp_path.iterdir()) == []
    json.dumps({})
