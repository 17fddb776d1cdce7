"""`steadyinput bench analysis`: the analysis's claims in the README, measured by one command."""

from __future__ import annotations

import re

from steadyinput.cli.main import main
from steadyinput.simulate import TaskSpec, UserSpec, simulate


def test_bench_analysis_scores_every_simulated_group_and_lists_each_recording(tmp_path, capsys):
    rec = tmp_path / "recs"
    rec.mkdir()
    simulate(UserSpec("intention", 3.4, 20.0), TaskSpec(trials=26), seed=1).write(rec / "ms__a.csv")
    out = tmp_path / "out"
    assert main(["bench", "analysis", str(rec), "--quick", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    for group in ("severe tremor", "healthy older adults", "dysmetric reaching", "circles 0.7-2 Hz"):
        m = re.search(rf"^{group}: (\d+) of (\d+) as they must be", text, re.M)
        assert m and m.group(1) == m.group(2), text
    assert re.search(r"^ms__a:.* tremor 3\.\d\d Hz .* profile severe$", text, re.M), text
    assert "ms: 1 tremor" in text
    assert (out / "analysis.md").exists() and (out / "analysis.csv").exists()
    assert "as_it_must_be" in (out / "analysis.csv").read_text().splitlines()[0]


def test_bench_analysis_of_a_folder_without_recordings_long_enough_is_one_clear_line(tmp_path, capsys):
    (tmp_path / "short.csv").write_text("t,x,y,buttons\n0,1,1,0\n0.5,2,2,0\n")
    assert main(["bench", "analysis", str(tmp_path), "--quick", "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no recording of at least 3 s" in err[0]
    assert not (tmp_path / "out").exists()
