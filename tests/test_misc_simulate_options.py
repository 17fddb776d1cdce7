"""`steadyinput simulate` refuses numbers outside a sensible range, in one line naming the option."""

from __future__ import annotations

import pytest

from steadyinput.cli.main import main

BAD = [
    ("--amp", "-5", "0–100 px"),
    ("--amp", "101", "0–100 px"),
    ("--amp", "nan", "0–100 px"),
    ("--freq", "0", "0.5–20 Hz"),
    ("--freq", "inf", "0.5–20 Hz"),
    ("--wander", "-0.1", "0–5 Hz"),
    ("--double-click-prob", "1.5", "0–1"),
    ("--rate", "0", "10–10000 Hz"),
    ("--trials", "0", "1–100000"),
    ("--trials", "2.5", "1–100000"),
    ("--targets", "2", "3–1000"),
    ("--distance", "-400", "1–100000 px"),
    ("--width", "0", "1–10000 px"),
    ("--seed", "-1", "0–4294967295"),
    ("--dysmetria", "1.5", "0–1"),
    ("--older", "-0.2", "0–1"),
]


@pytest.mark.parametrize("option,value,allowed", BAD)
def test_simulate_rejects_an_out_of_range_number_naming_option_value_and_range(option, value, allowed,
                                                                                tmp_path, capsys):
    out = tmp_path / "t.csv"
    with pytest.raises(SystemExit) as exc:
        main(["simulate", "-o", str(out), f"{option}={value}"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert option in last and value in last and allowed in last, err
    assert "Traceback" not in err
    assert not out.exists()


def test_simulate_accepts_the_ends_of_every_range(tmp_path):
    out = tmp_path / "t.csv"
    assert main(["simulate", "-o", str(out), "--freq", "20", "--amp", "100", "--wander", "0",
                 "--double-click-prob", "1", "--rate", "10", "--trials", "1", "--targets", "3",
                 "--distance", "1", "--width", "1", "--seed", "4294967295"]) == 0
    assert out.exists()


@pytest.mark.parametrize("option,reaching", [("--dysmetria", "dysmetric"), ("--older", "ordinary")])
def test_simulate_makes_dysmetric_or_healthy_older_reaching_that_calibration_tells_apart(option, reaching, tmp_path,
                                                                                          capsys):
    import json
    out = tmp_path / "r.csv"
    assert main(["simulate", "-o", str(out), "--tremor", "none", "--amp", "0", option, "1", "--trials", "20"]) == 0
    capsys.readouterr()
    assert main(["calibrate", "--from", str(out), "--no-tune", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["reaching"] == reaching and res["reaches"] >= 15
