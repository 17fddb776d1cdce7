"""``steadyinput profile edit``: a missing editor or an unchanged file saves nothing, says so, no traceback."""

from __future__ import annotations

import pytest

from steadyinput import profile as P
from steadyinput.cli.main import main


def _edit(capsys, monkeypatch, editor, name):
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", editor)
    code = main(["profile", "edit", name])
    out = capsys.readouterr()
    return code, out.out, out.err


def _files(d):
    return {p.name: p.read_bytes() for p in d.iterdir()} if d.exists() else {}


@pytest.fixture
def bob(user_profile_dir, capsys):
    assert main(["profile", "new", "bob"]) == 0
    capsys.readouterr()
    return user_profile_dir / "bob.yaml"


@pytest.mark.parametrize("editor", ["nonexistent-editor-xyz", "/no/such/dir/vim -f", "'unclosed", "  "])
def test_a_missing_or_unusable_editor_is_one_line_exit_2_and_nothing_changes(capsys, monkeypatch, bob, editor):
    before = _files(bob.parent)
    code, out, err = _edit(capsys, monkeypatch, editor, "bob")
    assert code == 2 and "Traceback" not in err
    (line,) = err.strip().splitlines()
    assert "editor" in line and "VISUAL" in line and "EDITOR" in line and "nothing saved" in line
    assert _files(bob.parent) == before


def test_a_missing_editor_for_a_shipped_profile_writes_no_user_copy(capsys, monkeypatch, user_profile_dir):
    code, out, err = _edit(capsys, monkeypatch, "nonexistent-editor-xyz", "moderate")
    assert code == 2 and "editor not found" in err and not _files(user_profile_dir)


def test_editing_a_shipped_profile_without_a_change_writes_no_user_copy(capsys, monkeypatch, user_profile_dir):
    code, out, err = _edit(capsys, monkeypatch, "true", "moderate")
    assert code == 0 and "no change; nothing saved" in out and "saved /" not in out
    assert not _files(user_profile_dir)
    assert P.find("moderate").parent == P.shipped_dir()


def test_editing_a_user_profile_without_a_change_writes_no_backup(capsys, monkeypatch, bob):
    before = _files(bob.parent)
    code, out, err = _edit(capsys, monkeypatch, "true", "bob")
    assert code == 0 and "no change; nothing saved" in out and "saved /" not in out
    assert _files(bob.parent) == before and not bob.with_name("bob.yaml~").exists()


def test_an_edit_that_changes_the_profile_is_saved_with_a_backup(capsys, monkeypatch, bob):
    old = bob.read_bytes()
    code, out, err = _edit(capsys, monkeypatch, "sed -i s/^notes:.*/notes:\\ tuned/", "bob")
    assert code == 0 and f"saved {bob}" in out
    assert b"notes: tuned" in bob.read_bytes() and bob.with_name("bob.yaml~").read_bytes() == old


def test_editing_an_unreadable_profile_is_one_line_naming_the_file(capsys, monkeypatch, user_profile_dir):
    user_profile_dir.mkdir(parents=True)
    bad = user_profile_dir / "bad.yaml"
    bad.write_bytes(b"extends: moderate\nnotes: \xff\n")
    code, out, err = _edit(capsys, monkeypatch, "true", "bad")
    assert code == 2 and f"{bad}:2: not UTF-8" in err and bad.read_bytes() == b"extends: moderate\nnotes: \xff\n"


@pytest.mark.parametrize("name", ["../escape", "a/b", ".hidden", "bob.yaml", ""])
def test_a_new_profile_name_must_be_a_plain_name(capsys, user_profile_dir, name):
    assert main(["profile", "new", name]) == 2
    assert "cannot be a profile name" in capsys.readouterr().err
    assert not _files(user_profile_dir) and not (user_profile_dir.parent / "escape.yaml").exists()
