"""The command line, run as a real subprocess the way testers use it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def si(*args, cwd=None, env=None, check=True):
    r = subprocess.run([sys.executable, "-m", "steadyinput", *map(str, args)], capture_output=True, text=True,
                       cwd=cwd, env=env or os.environ.copy())
    if check and r.returncode != 0:
        raise AssertionError(f"exit {r.returncode}\n{r.stdout}\n{r.stderr}")
    return r


def test_help_lists_the_commands():
    out = si("--help").stdout
    for cmd in ("replay", "simulate", "demo", "profile"):
        assert cmd in out


def test_simulate_then_replay_with_report(tmp_path):
    trace = tmp_path / "user.csv"
    si("simulate", "--tremor", "essential", "--freq", "6", "--amp", "5", "--trials", "8", "--seed", "4", "-o", trace)
    assert (tmp_path / "user.csv.truth.json").exists()
    r = si("replay", trace, "-o", tmp_path / "out.csv", "--report", tmp_path / "rep", "--json")
    res = json.loads(r.stdout)
    assert res["profile"] == "moderate" and res["faults"] == []
    assert res["metrics"]["reference"] == "truth"
    for f in ("metrics.json", "path.png", "xy_t.png", "spectrum.png", "index.html"):
        assert (tmp_path / "rep" / f).stat().st_size > 0
    head = (tmp_path / "out.csv").read_text().splitlines()[0]
    assert head == "t,x,y,buttons"


def test_replay_is_reproducible_byte_for_byte(tmp_path):
    trace = tmp_path / "u.csv.gz"
    si("simulate", "--trials", "5", "--seed", "9", "-o", trace)
    si("replay", trace, "-o", tmp_path / "a.csv", "--profile", "severe")
    si("replay", trace, "-o", tmp_path / "b.csv", "--profile", "severe")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_replay_of_a_malformed_trace_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("t,x,y,buttons\n0,1,2,0\n0.1,oops,2,0\n")
    r = si("replay", bad, "-o", tmp_path / "o.csv", check=False)
    assert r.returncode == 2
    assert f"{bad}:3: field 'x'" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "o.csv").exists()


def test_replay_with_a_broken_profile_names_line_and_key(tmp_path):
    prof = tmp_path / "p.yaml"
    prof.write_text("extends: moderate\nadaptive:\n  gate_px: lots\n")
    si("simulate", "--trials", "3", "-o", tmp_path / "u.csv")
    r = si("replay", tmp_path / "u.csv", "-o", tmp_path / "o.csv", "--profile", prof, check=False)
    assert r.returncode == 2 and f"{prof}:3: adaptive.gate_px must be a number" in r.stderr


def test_demo_writes_a_report_without_a_display(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    r = si("demo", "-d", tmp_path / "demo", env=env)
    assert "report:" in r.stdout
    assert (tmp_path / "demo" / "report" / "index.html").exists()
    assert (tmp_path / "demo" / "filtered.csv").exists()
    _readme_demo_figures_match(r.stdout)


def _readme_demo_figures_match(printed: str) -> None:
    """The README's opening paragraph quotes the demo's figures: they must be the ones it prints."""
    import re

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    para = readme[readme.index("On the bundled demo trace"):]
    para = " ".join(para[:para.index("\n\n")].split())
    db = re.search(r"removes \*\*([\d.]+) dB\*\*", para).group(1)
    before, after = re.search(r"\(([\d.]+) px → ([\d.]+) px RMS", para).groups()
    lag = re.search(r"\*\*(\d+) ms\*\*", para).group(1)
    steadier = re.search(r"\*\*([\d.]+)× steadier\*\*", para).group(1)
    assert f"{float(before) / float(after):.1f}" == steadier, para
    dragged, clean = re.search(r"turns (\d+) tremor-dragged presses into (\d+) clean clicks", para).groups()
    assert f"tremor removed     {db} dB" in printed, (para, printed)
    assert f"hold jitter        {before} px -> {after} px" in printed, (para, printed)
    assert re.search(rf"lag while moving\s+{lag} ms", printed), (para, printed)
    assert f"presses              {dragged} -> {clean} (drags {dragged} -> 0" in printed, (para, printed)


def test_profile_commands(tmp_path, user_profile_dir):
    assert "moderate" in si("profile", "list").stdout
    assert "kalman:" in si("profile", "show", "intention-tremor").stdout
    assert "adaptive.gate_px" in si("profile", "diff", "mild", "severe").stdout
    si("profile", "new", "anna", "--from", "severe")
    assert (user_profile_dir / "anna.yaml").exists()
    assert "anna" in si("profile", "list").stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema_version: 1\nadaptive:\n  hold_cutof_hz: 1\n  order: 3\n")
    r = si("profile", "validate", bad, check=False)
    assert r.returncode == 2 and f"{bad}:3:" in r.stdout and f"{bad}:4:" in r.stdout


@pytest.mark.parametrize("fix,expect_saved", [("s/gate_px: 3/gate_px: 4/", True), ("s/gate_px: 3/gate_px: -4/", False)])
def test_profile_edit_saves_only_valid_profiles(user_profile_dir, fix, expect_saved):
    si("profile", "new", "bob")
    path = user_profile_dir / "bob.yaml"
    path.write_text(path.read_text() + "adaptive:\n  gate_px: 3\n")
    env = os.environ.copy()
    env["EDITOR"] = f"sed -i '{fix}'"
    r = subprocess.run([sys.executable, "-m", "steadyinput", "profile", "edit", "bob"], capture_output=True,
                       text=True, env=env, input="n\n")
    text = path.read_text()
    if expect_saved:
        assert r.returncode == 0 and "gate_px: 4" in text
    else:
        assert r.returncode == 2 and "gate_px: 3" in text and "must be a number" in r.stdout


def test_profile_validate_of_a_missing_or_invalid_file_exits_2_as_the_readme_says(tmp_path):
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    assert "2 when one is\nmissing or invalid" in readme
    missing = tmp_path / "nope.yaml"
    r = si("profile", "validate", missing, check=False)
    assert r.returncode == 2 and str(missing) in r.stdout + r.stderr and "Traceback" not in r.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("extends: moderate\nadaptive: {gate_px: -1}\n")
    assert si("profile", "validate", bad, check=False).returncode == 2
    assert si("profile", "validate", "moderate").returncode == 0


def test_the_replay_page_opens_with_the_persons_figures_in_plain_sentences_and_no_internal_keys(tmp_path):
    import html
    import re
    trace = tmp_path / "user.csv"
    si("simulate", "--tremor", "essential", "--freq", "6", "--amp", "5", "--trials", "8", "--seed", "4", "-o", trace)
    si("replay", trace, "-o", tmp_path / "out.csv", "--report", tmp_path / "rep")
    page = (tmp_path / "rep" / "index.html").read_text()
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.split("<body>", 1)[1])).split())
    for internal in ("profile_file", "faults:", "warnings:", "events_in", "actions_out", "site-packages", "[]",
                     str(Path(__file__).anchor) + "tmp", "against truth", "reference"):
        assert internal not in text, (internal, text)
    m = json.loads((tmp_path / "rep" / "metrics.json").read_text())
    assert m["profile_file"] and m["faults"] == []  # the internal keys stay in metrics.json
    mm = m["metrics"]
    first = text.split("Tremor removed", 1)[0]  # before the table: the person's figures, in a sentence
    assert (f"With the profile 'moderate', {mm['tremor_db']:.1f} dB of the tremor was removed; while holding still "
            f"the pointer wandered {mm['jitter_raw_px']:.2f} px, the cursor {mm['jitter_out_px']:.2f} px; the cursor "
            f"followed deliberate movement {mm['lag_ms']:.0f} ms behind the hand.") in first, first
    assert "These figures are measured: the recording is a simulation" in text
    assert "Recording user.csv:" in text and "metrics.json" in text
    bare = tmp_path / "bare.csv"
    bare.write_text(trace.read_text())
    si("replay", bare, "-o", tmp_path / "out2.csv", "--report", tmp_path / "rep2")
    assert "These figures are estimates" in (tmp_path / "rep2" / "index.html").read_text()


def test_a_trace_timed_in_milliseconds_is_refused_by_each_command_unless_the_unit_is_given(tmp_path):
    from steadyinput.traces import Trace, read_trace, write_trace
    good = tmp_path / "s.csv"
    si("simulate", "--trials", "3", "-o", good)
    (tmp_path / "in").mkdir()
    odd = tmp_path / "in" / "rec.csv"
    tr = read_trace(good)
    write_trace(odd, Trace(tr.t * 1000, tr.x, tr.y, tr.buttons))
    commands = {
        "replay": ["replay", odd, "-o", tmp_path / "o.csv"],
        "calibrate": ["calibrate", "--from", odd, "--no-tune"],
        "bench real": ["bench", "real", tmp_path / "in", "--format", "trace", "--profiles", "off", "-j", "1",
                       "-o", tmp_path / "b"],
    }
    for cmd, argv in commands.items():
        r = si(*argv, check=False)
        lines = r.stderr.strip().splitlines()
        assert r.returncode == 2 and len(lines) == 1, (cmd, r.stderr)
        assert lines[0].startswith(f"steadyinput {cmd.split()[0]}: error: ") and "rec.csv: field 't': looks like " \
            "milliseconds" in lines[0] and "--time-unit ms" in lines[0], (cmd, r.stderr)
        assert r.stdout == "" or cmd == "bench real", (cmd, r.stdout)
    assert not (tmp_path / "o.csv").exists() and not (tmp_path / "b").exists()  # nothing written
    # with the unit said, each command converts and runs; the figures are those of the trace in s
    ok = {cmd: si(*argv, "--time-unit", "ms") for cmd, argv in commands.items()}
    assert all("warning" not in r.stderr for r in ok.values())
    assert tr.t[-1] <= read_trace(tmp_path / "o.csv").t[-1] < tr.t[-1] + 2  # seconds again (until settled)
    same = si("calibrate", "--from", good, "--no-tune", "--json")
    conv = si("calibrate", "--from", odd, "--no-tune", "--json", "--time-unit", "ms")
    a, b = json.loads(same.stdout), json.loads(conv.stdout)
    assert (a["tremor_hz"], a["amplitude_px"], a["rhythmic"]) == (b["tremor_hz"], b["amplitude_px"], b["rhythmic"])
    assert "warning" not in si("replay", good, "-o", tmp_path / "o2.csv").stderr


def test_normalised_coordinates_are_refused_unless_the_screen_is_given(tmp_path):
    from steadyinput.traces import Trace, read_trace, write_trace
    good = tmp_path / "s.csv"
    si("simulate", "--trials", "3", "-o", good)
    tr = read_trace(good)
    odd = tmp_path / "norm.csv"
    write_trace(odd, Trace(tr.t, tr.x / 1920, tr.y / 1080, tr.buttons))  # normalised to the screen
    r = si("replay", odd, "-o", tmp_path / "o3.csv", check=False)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "x and y look normalised" in r.stderr and "--coords normalised --screen" in r.stderr
    r = si("replay", odd, "-o", tmp_path / "o3.csv", "--coords", "normalised", check=False)
    assert r.returncode == 2 and "needs --screen" in r.stderr and not (tmp_path / "o3.csv").exists()
    r = si("replay", odd, "-o", tmp_path / "o3.csv", "--coords", "normalised", "--screen", "big", check=False)
    assert r.returncode == 2 and "WIDTHxHEIGHT" in r.stderr
    si("replay", odd, "-o", tmp_path / "o3.csv", "--coords", "normalised", "--screen", "1920x1080")
    si("replay", good, "-o", tmp_path / "o4.csv")
    back, same = read_trace(tmp_path / "o3.csv"), read_trace(tmp_path / "o4.csv")
    assert back.x.max() == pytest.approx(same.x.max(), abs=1) and back.y.max() == pytest.approx(same.y.max(), abs=1)
