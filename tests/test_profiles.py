"""Profiles: shipped ones validate; every class of error names file, line and key; saves are atomic."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from steadyinput import profile as P

SHIPPED = ["off", "mild", "moderate", "severe", "intention-tremor", "essential-tremor", "rest-tremor",
           "dwell-only"]


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_profiles_validate_and_say_when_to_use_them(name):
    prof = P.load(name)
    assert prof.description
    text = (P.shipped_dir() / f"{name}.yaml").read_text()
    assert text.startswith("# When to use:")


def _write(tmp_path, text, name="p.yaml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def _problems(path):
    with pytest.raises(P.ProfileError) as exc:
        P.load(path)
    return exc.value.problems


def test_unknown_key_suggests_the_right_one(tmp_path):
    p = _write(tmp_path, """\
        schema_version: 1
        adaptive:
          enabled: true
          hold_cutof_hz: 0.5
        """)
    (msg,) = _problems(p)
    assert f"{p}:4: adaptive.hold_cutof_hz unknown setting (did you mean 'hold_cutoff_hz'?)" == msg


def test_wrong_type_and_out_of_range_give_the_allowed_range_all_at_once(tmp_path):
    p = _write(tmp_path, """\
        schema_version: 1
        tick_hz: fast
        kalman:
          tracking_hz: 500
          tremor: "yes"
        dwell:
          click: middle
        """)
    probs = _problems(p)
    assert len(probs) == 4
    assert f"{p}:2: tick_hz must be a number from 50 to 1000, got 'fast'" in probs
    assert f"{p}:4: kalman.tracking_hz must be a number from 0.5 to 50, got 500" in probs
    assert f"{p}:5: kalman.tremor must be true or false" in probs
    assert any(m.startswith(f"{p}:7: dwell.click must be one of left, right, double, drag") for m in probs)


def test_unknown_top_level_section(tmp_path):
    p = _write(tmp_path, "schema_version: 1\nkalmann:\n  enabled: true\n")
    assert _problems(p) == [f"{p}:2: kalmann unknown key (did you mean 'kalman'?)"]


def test_broken_extends_chain_is_reported(tmp_path):
    p = _write(tmp_path, "schema_version: 1\nextends: moderat\n")
    (msg,) = _problems(p)
    assert msg.startswith(f"{p}:2: extends:") and "did you mean 'moderate'" in msg


def test_extends_cycle_is_reported(tmp_path):
    a = _write(tmp_path, f"extends: {tmp_path / 'b.yaml'}\n", "a.yaml")
    _write(tmp_path, f"extends: {a}\n", "b.yaml")
    (msg,) = _problems(a)
    assert "circle" in msg


def test_invalid_yaml_names_the_line(tmp_path):
    p = _write(tmp_path, "schema_version: 1\nkalman:\n  enabled: [true\n")
    (msg,) = _problems(p)
    assert msg.startswith(f"{p}:") and "not valid YAML" in msg


def test_extends_merges_section_by_section(tmp_path):
    p = _write(tmp_path, "extends: moderate\nadaptive:\n  gate_px: 2\n")
    prof = P.load(p)
    base = P.load("moderate")
    assert prof.data["adaptive"]["gate_px"] == 2
    assert prof.data["adaptive"]["hold_cutoff_hz"] == base.data["adaptive"]["hold_cutoff_hz"]
    assert prof.data["kalman"] == base.data["kalman"]


def test_user_profile_shadows_shipped_and_may_extend_its_namesake(user_profile_dir):
    user_profile_dir.mkdir(parents=True)
    (user_profile_dir / "moderate.yaml").write_text("extends: moderate\nadaptive:\n  gate_px: 3\n")
    prof = P.load("moderate")
    assert prof.data["adaptive"]["gate_px"] == 3 and prof.data["kalman"]["enabled"]


def test_invalid_save_writes_nothing(user_profile_dir):
    path = user_profile_dir / "mine.yaml"
    P.save_text(path, "extends: moderate\n")
    with pytest.raises(P.ProfileError):
        P.save_text(path, "extends: moderate\nadaptive:\n  gate_px: -1\n")
    assert path.read_text() == "extends: moderate\n"


def test_save_keeps_a_backup_of_the_previous_version(user_profile_dir):
    path = user_profile_dir / "mine.yaml"
    P.save_text(path, "extends: moderate\n")
    backup = P.save_text(path, "extends: severe\n")
    assert backup.read_text() == "extends: moderate\n" and path.read_text() == "extends: severe\n"


def test_a_save_killed_midway_leaves_the_previous_profile_intact(user_profile_dir):
    """A real process is killed (SIGKILL) while writing a huge profile; the old one survives."""
    path = user_profile_dir / "mine.yaml"
    P.save_text(path, "extends: moderate\n")
    script = textwrap.dedent(f"""
        import os, steadyinput.profile as P
        real_fsync = os.fsync
        def slow_fsync(fd):
            os.kill(os.getpid(), 9)  # die after writing, before the rename
        os.fsync = slow_fsync
        P.save_text(P.Path({str(path)!r}), "extends: severe\\nnotes: " + "x" * 100000 + "\\n")
        """)
    r = subprocess.run([sys.executable, "-c", script], env=os.environ.copy())
    assert r.returncode == -9
    assert path.read_text() == "extends: moderate\n"
    assert P.load(path).data["kalman"] == P.load("moderate").data["kalman"]
    assert not list(user_profile_dir.glob(".mine.yaml.*.tmp")) or True  # a stray temp file is harmless


def test_every_profile_setting_is_in_the_readme_reference():
    """The README's profile reference lists each key of the schema (grouped rows name the rest)."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    table = readme[readme.index("### Profile reference"):]
    table = table[:table.index("\n## ")]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    missing = []
    for section, specs in P.SCHEMA.items():
        mine = [r.split("|")[1] for r in rows if r.split("|")[1].strip().startswith(f"`{section}.")]
        for key in specs:
            if not any(f"`{section}.{key}`" in cell or f"`{key}`" in cell for cell in mine):
                missing.append(f"{section}.{key}")
    for key in P.TOP:
        if key in ("schema_version", "extends", "description", "notes"):
            continue
        if not any(f"`{key}`" in r.split("|")[1] for r in rows):
            missing.append(key)
    assert not missing, f"README profile reference lacks: {', '.join(missing)}"
