"""`steadyinput setup` / `--undo` with the root of written paths redirected (STEADYINPUT_SETUP_ROOT).

These run on the host without root: they pin the exact files written, idempotence, undo and the
refusals. With the root redirected no system command runs (modprobe, udevadm): those, the rule
taking effect and a non-root user's access are checked in the real-kernel VM
(tests/test_evdev_kernel.py, .ci/kernel-tier).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from steadyinput import setup_access as sa
from steadyinput.cli import setup as setup_cli
from steadyinput.cli.main import main

RULE = "etc/udev/rules.d/70-steadyinput.rules"
MODS = "etc/modules-load.d/steadyinput.conf"


@pytest.fixture
def root(tmp_path, monkeypatch):
    r = tmp_path / "root"
    (r / "etc/udev/rules.d").mkdir(parents=True)
    (r / "etc/udev/rules.d/60-someone-else.rules").write_text("# not ours\n")
    monkeypatch.setenv(sa.ROOT_ENV, str(r))
    return r


def _cli(root: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = dict(os.environ, **{sa.ROOT_ENV: str(root)})
    return subprocess.run([sys.executable, "-m", "steadyinput", "setup", *args], env=env, input=stdin,
                          capture_output=True, text=True)


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): (p.read_text() if p.is_file() else "<dir>") for p in sorted(root.rglob("*"))}


def test_dry_run_shows_the_exact_files_and_commands_and_writes_nothing(root):
    before = _tree(root)
    r = _cli(root, "--dry-run")
    assert r.returncode == 0, r.stderr
    assert _tree(root) == before
    shown = "\n".join(line[4:] for line in r.stdout.splitlines() if line.startswith("  | "))
    assert sa.RULES.strip() in shown and sa.MODULES.strip() in shown
    assert "(first making the folder /etc/modules-load.d)" in r.stdout
    assert "modprobe uinput; udevadm control --reload-rules; udevadm trigger" in r.stdout
    assert "dry run: nothing was changed" in r.stdout


def test_setup_writes_exactly_the_rule_and_the_modules_load_file(root):
    r = _cli(root, "--yes")
    assert r.returncode == 0, r.stderr
    rule, mods = (root / RULE).read_text(), (root / MODS).read_text()
    assert rule == sa.RULES  # rules.d existed: no folder recorded
    assert mods == sa.MODULES + "# made-folder: /etc/modules-load.d\n"
    for line in ('KERNEL=="uinput", SUBSYSTEM=="misc", TAG+="uaccess", OPTIONS+="static_node=uinput"',
                 'SUBSYSTEM=="input", KERNEL=="event*", ENV{ID_INPUT_MOUSE}=="1", TAG+="uaccess"',
                 'KERNEL=="uinput", SUBSYSTEM=="misc", GROUP="input", MODE="0660"'):
        assert line in rule.splitlines()
    assert [ln for ln in mods.splitlines() if not ln.startswith("#")] == ["uinput"]
    for p in (root / RULE, root / MODS):
        assert stat.S_IMODE(p.stat().st_mode) == 0o644
    assert not [p for p in root.rglob(".*.tmp")]
    assert "wrote /etc/udev/rules.d/70-steadyinput.rules" in r.stdout
    assert "not run (STEADYINPUT_SETUP_ROOT is set): modprobe uinput" in r.stdout


def test_a_second_setup_says_already_set_up_and_changes_nothing(root):
    assert _cli(root, "--yes").returncode == 0
    before = {p: p.stat().st_mtime_ns for p in root.rglob("*")}
    r = _cli(root)  # no --yes: it must not even ask
    assert r.returncode == 0 and r.stdout.startswith("already set up"), r.stdout + r.stderr
    assert {p: p.stat().st_mtime_ns for p in root.rglob("*")} == before


def test_undo_removes_exactly_what_setup_wrote_and_leaves_the_tree_as_before(root):
    (root / "etc/modules-load.d").mkdir()
    (root / "etc/modules-load.d/modules.conf").write_text("# the system's own\n")
    before = _tree(root)
    assert _cli(root, "--yes").returncode == 0
    r = _cli(root, "--undo", "--yes")
    assert r.returncode == 0, r.stderr
    assert _tree(root) == before
    assert "removed /etc/udev/rules.d/70-steadyinput.rules" in r.stdout
    assert "removed /etc/modules-load.d/steadyinput.conf" in r.stdout


def test_undo_also_removes_the_folders_setup_made_when_they_are_empty(tmp_path):
    r = tmp_path / "empty-root"
    r.mkdir()
    assert _cli(r, "--yes").returncode == 0
    assert (r / RULE).read_text().count("# made-folder:") == 3  # /etc, /etc/udev, /etc/udev/rules.d
    out = _cli(r, "--undo", "--yes")
    assert out.returncode == 0 and list(r.iterdir()) == [], out.stdout
    assert "removed the empty folder /etc (setup had made it)" in out.stdout


def test_a_second_undo_says_there_is_nothing_to_undo(root):
    assert _cli(root, "--yes").returncode == 0 and _cli(root, "--undo", "--yes").returncode == 0
    r = _cli(root, "--undo")
    assert r.returncode == 0 and r.stdout.startswith("nothing to undo"), r.stdout


def test_a_file_setup_did_not_write_is_refused_and_left_alone_by_setup_and_undo(root):
    (root / RULE).write_text('KERNEL=="uinput", MODE="0666"\n')
    before = _tree(root)
    r = _cli(root, "--yes")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines() == [
        f"steadyinput setup: error: {root / RULE} exists and was not written by steadyinput setup: nothing was "
        "changed (move it away, then run setup again)"]
    assert _tree(root) == before
    assert _cli(root, "--undo", "--yes").stdout.startswith("nothing to undo")
    assert _tree(root) == before


def test_an_edited_setup_file_is_replaced_by_setup_and_removed_by_undo(root):
    assert _cli(root, "--yes").returncode == 0
    (root / MODS).write_text((root / MODS).read_text() + "evdev\n")
    r = _cli(root, "--yes")
    assert "will replace (an older or edited copy) /etc/modules-load.d/steadyinput.conf" in r.stdout
    assert (root / MODS).read_text() == sa.MODULES + "# made-folder: /etc/modules-load.d\n"
    (root / MODS).write_text((root / MODS).read_text() + "evdev\n")
    r = _cli(root, "--undo", "--yes")
    assert "removed /etc/modules-load.d/steadyinput.conf (it had been edited since setup wrote it)" in r.stdout
    assert not (root / "etc/modules-load.d").exists()


@pytest.mark.parametrize("answer", ["", "n\n", "no\n", "maybe\n"])
def test_anything_but_yes_at_the_prompt_changes_nothing_and_exits_2(root, answer):
    before = _tree(root)
    r = _cli(root, stdin=answer)
    assert "write these and run the commands? [y/N]" in r.stdout
    assert r.returncode == 2 and _tree(root) == before
    assert r.stderr.strip() == "steadyinput setup: error: not confirmed: nothing was changed (--yes skips the question)"


def test_yes_at_the_prompt_sets_up_and_at_the_undo_prompt_removes(root):
    assert _cli(root, stdin="y\n").returncode == 0 and (root / RULE).exists()
    r = _cli(root, "--undo", stdin="yes\n")
    assert "remove these? [y/N]" in r.stdout and r.returncode == 0 and not (root / RULE).exists()


def test_a_failed_write_leaves_no_partial_file_and_no_folder_it_made(tmp_path):
    r = tmp_path / "r"
    (r / "etc").mkdir(parents=True)
    (r / "etc/modules-load.d").write_text("a file where a folder should be\n")
    before = _tree(r)
    out = _cli(r, "--yes")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "modules-load.d" in out.stderr, out.stderr
    assert _tree(r) == before  # the staged rule file and the folders made for it are gone


def test_without_root_the_privileged_part_runs_as_a_sudo_subprocess(root, tmp_path, monkeypatch, capsys):
    """The uid check is faked (these tests run as any user); the sudo on PATH is a stand-in that
    records its arguments and runs them, so the privileged part really runs as a subprocess."""
    bin_dir, log = tmp_path / "bin", tmp_path / "sudo.log"
    bin_dir.mkdir()
    (bin_dir / "sudo").write_text(f'#!/bin/sh\necho "$@" > {log}\nexec "$@"\n')
    (bin_dir / "sudo").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setattr(setup_cli, "needs_root", lambda: True)
    assert main(["setup", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "not root: the privileged part runs with sudo: sudo " in out
    assert log.read_text().split() == [sys.executable, "-m", "steadyinput.setup_access", "apply", "--root", str(root)]
    assert (root / RULE).read_text() == sa.RULES


def test_without_root_and_without_sudo_or_pkexec_it_refuses_in_one_line(root, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))  # neither sudo nor pkexec there
    monkeypatch.setattr(setup_cli, "needs_root", lambda: True)
    assert main(["setup", "--yes"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["steadyinput setup: error: not root, and neither sudo nor pkexec is installed: run "
                   "'steadyinput setup' as root"]
    assert not (root / RULE).exists()


def test_the_system_commands_are_modprobe_and_a_udev_reload_and_a_failure_is_named(tmp_path, monkeypatch):
    """With the root not redirected, run_commands runs them; here stand-ins on PATH record them."""
    monkeypatch.delenv(sa.ROOT_ENV, raising=False)
    log = tmp_path / "ran.log"
    for tool, rc in (("modprobe", 0), ("udevadm", 0)):
        (tmp_path / tool).write_text(f'#!/bin/sh\necho "{tool} $@" >> {log}\nexit {rc}\n')
        (tmp_path / tool).chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert sa.run_commands() == ["ran modprobe uinput", "ran udevadm control --reload-rules", "ran udevadm trigger"]
    assert log.read_text().splitlines() == ["modprobe uinput", "udevadm control --reload-rules", "udevadm trigger"]
    (tmp_path / "modprobe").write_text('#!/bin/sh\necho "modprobe: FATAL: Module uinput not found" >&2\nexit 1\n')
    with pytest.raises(sa.UserError, match=r"'modprobe uinput' failed \(exit 1: modprobe: FATAL: Module uinput"):
        sa.run_commands()


def test_doctor_names_each_missing_piece_with_the_command_that_fixes_it(root):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env[sa.ROOT_ENV] = str(root)
    doctor = lambda: subprocess.run([sys.executable, "-m", "steadyinput", "doctor"], env=env,  # noqa: E731
                                    capture_output=True, text=True).stdout
    out = doctor()
    assert "-- /etc/udev/rules.d/70-steadyinput.rules: missing\n       fix: steadyinput setup" in out
    assert "-- /etc/modules-load.d/steadyinput.conf: missing\n       fix: steadyinput setup" in out
    assert "uinput module: " in out and "/dev/uinput: " in out and "mouse event nodes: " in out
    assert _cli(root, "--yes").returncode == 0
    out = doctor()
    assert "ok /etc/udev/rules.d/70-steadyinput.rules: present" in out
    assert "ok /etc/modules-load.d/steadyinput.conf: present" in out


def test_doctor_in_a_wayland_session_says_whether_the_evdev_backend_would_be_chosen(root):
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env.update({sa.ROOT_ENV: str(root), "WAYLAND_DISPLAY": "wayland-test"})
    out = subprocess.run([sys.executable, "-m", "steadyinput", "doctor"], env=env, capture_output=True, text=True).stdout
    writable = os.access("/dev/uinput", os.W_OK)
    assert ("ok Wayland session: the evdev backend would be chosen" in out) == writable
    assert ("-- Wayland session: the evdev backend would not be chosen" in out) != writable


def test_setup_help_explains_what_it_writes_the_prompt_and_undo():
    r = subprocess.run([sys.executable, "-m", "steadyinput", "setup", "--help"], capture_output=True, text=True)
    text = " ".join(r.stdout.split())
    assert r.returncode == 0
    for words in (sa.RULES_PATH, sa.MODULES_PATH, "uaccess", "'input' group", "modprobe uinput", "asks first",
                  "--dry-run", "sudo (or pkexec)", "--undo removes exactly what setup wrote", "doctor"):
        assert words in text, words
