"""Property: random malformed profile files through the real CLI (a subprocess): validate and replay
fail with a message naming the file, exit 1 or 2, no traceback, and the file is left as it was."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steadyinput import profile as P

from test_profile_malformed import MALFORMED

KNOWN = set(P.TOP) | set(P.SCHEMA) | set(P.FREE_SECTIONS) | {"name"}
VALID = (P.shipped_dir() / "moderate.yaml").read_text()


def _flow(value) -> str:
    return yaml.safe_dump(value, default_flow_style=True, width=10 ** 6).strip().removesuffix("\n...")


def _bad_value(spec: P.Spec) -> st.SearchStrategy:
    """A value the spec rejects, as YAML text."""
    out_of_range = st.floats(allow_nan=True).filter(lambda v: not (spec.lo or 0) <= v <= (spec.hi or 0))
    junk = st.one_of(st.text(alphabet="abcxyz", min_size=1, max_size=8).map(lambda s: f"'{s}'"),
                     st.lists(st.integers(), max_size=3).map(_flow), st.just("{a: 1}"), st.just("~"))
    if spec.kind in ("float", "int", "band"):
        return st.one_of(junk, out_of_range.map(_flow), st.just(".nan"), st.just("1.0e+999"),
                         st.integers(10 ** 6, 10 ** 60).map(str), st.just("true"))
    if spec.kind == "bool":
        return st.one_of(junk, st.just("1"), st.just("0.5"))
    return st.one_of(st.lists(st.integers(), max_size=3).map(_flow), st.just("{a: 1}"), st.just("~"))


@st.composite
def _a_bad_setting(draw) -> bytes:
    sec = draw(st.sampled_from(sorted(P.SCHEMA)))
    key = draw(st.sampled_from(sorted(P.SCHEMA[sec])))
    return f"extends: moderate\n{sec}:\n  {key}: {draw(_bad_value(P.SCHEMA[sec][key]))}\n".encode()


@st.composite
def _a_duplicate_line(draw) -> bytes:
    lines = VALID.splitlines(keepends=True)
    i = draw(st.sampled_from([i for i, line in enumerate(lines) if ":" in line and not line.startswith("#")]))
    return "".join(lines[:i + 1] + [lines[i]] + lines[i + 1:]).encode()


def _malformed() -> st.SearchStrategy:
    unknown = st.from_regex(r"\A[a-z_]{1,12}\Z").filter(lambda k: k not in KNOWN)
    return st.one_of(
        st.binary(max_size=200).map(lambda b: b + b"\xff\xfe" + b),  # never UTF-8
        st.binary(max_size=200).map(lambda b: b"\x00" + b),  # NUL is not allowed in YAML
        st.sampled_from(sorted(MALFORMED.values())),
        _a_bad_setting(),
        _a_duplicate_line(),
        unknown.map(lambda k: f"extends: moderate\n{k}: 1\n".encode()),
        st.integers(1, len(VALID) - 1).map(lambda n: (VALID[:n] + "\n:\n- [").encode()),
        st.floats(40.01, 100).map(lambda v: f"extends: moderate\nadaptive:\n  hold_cutoff_hz: 40\n"
                                            f"  move_cutoff_hz: 39.9\n  gate_px: {v}\n".encode()),
        st.sampled_from([b"", b"# nothing\n", b"---\n", b"[]\n", b"{}\n", b"extends: bad\n"]),
    )


@pytest.fixture(scope="module")
def trace(tmp_path_factory):
    t = tmp_path_factory.mktemp("trace") / "t.csv"
    subprocess.run([sys.executable, "-m", "steadyinput", "simulate", "--trials", "2", "-o", str(t)], check=True,
                   capture_output=True)
    return t


def _si(*args, cwd):
    return subprocess.run([sys.executable, "-m", "steadyinput", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=os.environ.copy(), timeout=60)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_malformed())
def test_any_malformed_profile_fails_validate_and_replay_with_a_message_naming_it(tmp_path, trace, text):
    p = tmp_path / "random.yaml"
    p.write_bytes(text)
    out = tmp_path / "o.csv"
    for args in (("profile", "validate", p), ("replay", trace, "-o", out, "--profile", p)):
        r = _si(*args, cwd=tmp_path)
        assert r.returncode in (1, 2), (args, r.stdout, r.stderr)
        assert "Traceback" not in r.stderr and "internal error" not in r.stderr
        assert str(p) in r.stdout + r.stderr
        assert p.read_bytes() == text
    assert not out.exists()
