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


# -- an empty profile, duplicate keys, a profile extending itself -----------------------------
def _validate_cli(capsys, *args):
    from steadyinput.cli.main import main
    code = main(["profile", "validate", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n# and another\n", "---\n", "{}\n"])
def test_an_empty_profile_is_an_error_that_says_what_a_profile_needs(tmp_path, capsys, text):
    p = _write(tmp_path, text)
    (msg,) = _problems(p)
    assert msg.startswith(f"{p}:1: the profile is empty") and "extends: moderate" in msg
    code, out = _validate_cli(capsys, p)
    assert code == 2 and "OK" not in out and f"{p}:1:" in out


def test_a_duplicate_setting_is_reported_with_its_line_and_the_first_one(tmp_path):
    p = _write(tmp_path, """\
        extends: moderate
        kalman:
          tremor_hz: 5
          tremor_px: 4
          tremor_hz: 6
        """)
    assert _problems(p) == [f"{p}:5: kalman.tremor_hz appears twice (first at line 3); keep one"]


def test_a_duplicate_section_is_reported_with_its_line_and_the_first_one(tmp_path, capsys):
    p = _write(tmp_path, "extends: moderate\nadaptive:\n  gate_px: 2\ndwell:\n  enabled: true\n"
                         "adaptive:\n  gate_px: 3\nextends: mild\n")
    probs = _problems(p)
    assert probs == [f"{p}:6: adaptive appears twice (first at line 2); keep one",
                     f"{p}:8: extends appears twice (first at line 1); keep one"]
    code, out = _validate_cli(capsys, p)
    assert code == 2 and "OK" not in out and "adaptive appears twice" in out


def test_a_user_profile_extending_its_own_name_without_a_shipped_namesake_says_it_names_itself(
        user_profile_dir, capsys):
    user_profile_dir.mkdir(parents=True)
    bob = user_profile_dir / "bob.yaml"
    bob.write_text("description: Bob\nextends: bob\n")
    (msg,) = _problems("bob")
    assert msg.startswith(f"{bob}:2: extends: 'bob' names this profile itself")
    assert "not a shipped profile" not in msg
    code, out = _validate_cli(capsys, "bob")
    assert code == 2 and f"{bob}:2: extends: 'bob' names this profile itself" in out


@pytest.mark.parametrize("ref", ["./bob.yaml", "bob.yaml", "../profiles/bob.yaml", "{dir}/bob.yaml"])
def test_a_profile_extending_its_own_file_says_it_names_itself(tmp_path, ref):
    d = tmp_path / "profiles"
    d.mkdir()
    bob = d / "bob.yaml"
    bob.write_text(f"# mine\n\nextends: {ref.format(dir=d)}\n")
    (msg,) = _problems(bob)
    assert msg.startswith(f"{bob}:3: extends: ") and "names this profile itself" in msg


def test_a_relative_extends_path_is_relative_to_the_profile_file(tmp_path, monkeypatch):
    d = tmp_path / "profiles"
    d.mkdir()
    (d / "base.yaml").write_text("extends: moderate\nadaptive:\n  gate_px: 2\n")
    (d / "mine.yaml").write_text("extends: ./base.yaml\nadaptive:\n  order: 2\n")
    monkeypatch.chdir(tmp_path)
    prof = P.load(d / "mine.yaml")
    assert prof.data["adaptive"]["gate_px"] == 2 and prof.data["adaptive"]["order"] == 2


def test_a_shipped_profile_may_still_be_extended_by_a_file_of_its_own_name(tmp_path):
    p = _write(tmp_path, "extends: severe\n", "severe.yaml")
    assert P.load(p).data == {**P.load("severe").data}


def test_every_extends_problem_names_the_file_and_line_of_extends(tmp_path):
    cases = {"missing.yaml": "extends: ./nowhere.yaml\n", "typo.yaml": "extends: moderat\n",
             "blank.yaml": "extends: ''\n"}
    for name, text in cases.items():
        p = _write(tmp_path, "# x\n" + text, name)
        (msg,) = _problems(p)
        assert msg.startswith(f"{p}:2: extends:"), msg
    a = _write(tmp_path, "# x\nextends: ./b.yaml\n", "a.yaml")
    _write(tmp_path, "extends: ./a.yaml\n", "b.yaml")
    (msg,) = _problems(a)
    assert msg.startswith(f"{tmp_path / 'b.yaml'}:1: extends:") and "circle: a -> b -> a" in msg
