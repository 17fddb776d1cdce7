"""Malformed profile files: always one line per problem naming the file, never a traceback or "OK"."""

from __future__ import annotations

import pytest

from steadyinput import profile as P
from steadyinput.cli.main import main

BOMB = "".join(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}" if i else "x"] * 9) + "]\n" for i in range(9))
MALFORMED: dict[str, bytes] = {
    "binary garbage": bytes(range(256)) * 4,
    "not UTF-8": "extends: moderate\ndescription: café\n".encode("latin-1"),
    "a NUL byte": b"extends: moderate\nnotes: a\x00b\n",
    "a list at the top": b"- extends: moderate\n- kalman: {enabled: true}\n",
    "a single value": b"moderate\n",
    "a section that is a list": b"extends: moderate\nkalman:\n  - enabled\n  - true\n",
    "a section that is empty": b"extends: moderate\nkalman:\n",
    "a huge number": b"extends: moderate\ntick_hz: 1.0e+999\n",
    "a huge whole number": b"extends: moderate\nadaptive:\n  order: " + b"9" * 400 + b"\n",
    "a number too long to read": b"extends: moderate\nadaptive:\n  order: " + b"9" * 5000 + b"\n",
    "nan": b"extends: moderate\nkalman:\n  tremor_hz: .nan\n",
    "nan in a band": b"extends: moderate\nkalman:\n  track_band_hz: [.nan, 10]\n",
    "an alias bomb": ("extends: moderate\n" + BOMB).encode(),
    "deep nesting": b"extends: moderate\nprovenance: " + b"[" * 3000 + b"]" * 3000 + b"\n",
    "a bad tag": b"extends: moderate\ntick_hz: !!float fast\n",
    "a python tag": b"extends: !!python/object/apply:os.system [echo hi]\n",
    "a list as a key": b"extends: moderate\n? [a, b]\n: 1\n",
    "two documents": b"extends: moderate\n---\nextends: mild\n",
    "tabs": b"extends: moderate\nkalman:\n\tenabled: true\n",
    "extends a NUL": b"extends: \"a\\0b\"\n",
    "extends a very long name": b"extends: " + b"x" * 5000 + b"\n",
    "extends a number": b"extends: 5\n",
}


def _validate(capsys, path):
    code = main(["profile", "validate", str(path)])
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.parametrize("what", MALFORMED)
def test_a_malformed_profile_is_a_profile_error_naming_the_file_never_ok(tmp_path, capsys, what):
    p = tmp_path / "bad.yaml"
    p.write_bytes(MALFORMED[what])
    with pytest.raises(P.ProfileError) as exc:
        P.load(p)
    assert exc.value.problems and all(m.startswith(f"{p}:") and "\n" not in m for m in exc.value.problems)
    assert len(exc.value.problems) < 10
    code, out = _validate(capsys, p)
    assert code == 2 and "OK" not in out and str(p) in out
    assert p.read_bytes() == MALFORMED[what]


def test_a_folder_named_like_a_profile_is_an_error_naming_it(tmp_path, capsys):
    d = tmp_path / "x.yaml"
    d.mkdir()
    code, out = _validate(capsys, d)
    assert code == 2 and f"{d}: is a folder, not a profile file" in out


def test_a_100_mb_file_is_refused_without_reading_it(tmp_path, capsys):
    p = tmp_path / "big.yaml"
    with open(p, "wb") as fh:
        fh.write(b"extends: moderate\nnotes: ")
        fh.truncate(100 * 1024 * 1024)
    code, out = _validate(capsys, p)
    assert code == 2 and f"{p}: too large for a profile" in out


def test_a_profile_that_is_a_device_is_refused(capsys):
    code, out = _validate(capsys, "/dev/zero")
    assert code == 2 and "/dev/zero: not a regular file" in out


def test_an_extends_of_a_folder_names_the_line(tmp_path):
    (tmp_path / "d.yaml").mkdir()
    p = tmp_path / "p.yaml"
    p.write_text("# x\nextends: ./d.yaml\n")
    with pytest.raises(P.ProfileError) as exc:
        P.load(p)
    assert any(m.startswith(f"{tmp_path / 'd.yaml'}: is a folder") for m in exc.value.problems)
