"""Garbage is refused at once, in bounded memory, with one line naming file and line.

Measurement tests (marked slow): they write multi-gigabyte files (sparse where possible) and
time the refusal with a generous limit.
"""

from __future__ import annotations

import os

import pytest

from steadyinput.bench.measure import measure, steadyinput
from steadyinput.traces import MAX_LINE_CHARS, TraceError, read_trace

pytestmark = pytest.mark.slow
GB2 = 2_000_000_000
BLOCK = 16 * 1024 * 1024


def _fill(path, head: bytes, byte: bytes, size: int) -> None:
    with open(path, "wb") as fh:
        fh.write(head)
        block = byte * BLOCK
        left = size
        while left > 0:
            fh.write(block[:min(left, BLOCK)])
            left -= BLOCK


def _nul(path):
    with open(path, "wb") as fh:
        fh.truncate(GB2)  # sparse: 2 GB of NUL bytes without writing them


def _aaa(path):
    _fill(path, b"", b"a", GB2)


def _random(path):
    with open(path, "wb") as fh:
        for _ in range(200_000_000 // BLOCK + 1):
            fh.write(os.urandom(BLOCK))


def _huge_line(path):
    _fill(path, b"t,x,y,buttons\n0,1,1,0\n", b"1", GB2)


CASES = {"nul_2gb": (_nul, 1), "aaa_2gb_no_newline": (_aaa, 1), "random_200mb": (_random, None),
         "header_then_2gb_line": (_huge_line, 3)}


@pytest.mark.parametrize("name", sorted(CASES))
def test_garbage_file_is_refused_in_one_line_without_reading_it_all(name, tmp_path):
    make, line = CASES[name]
    path = tmp_path / f"{name}.csv"
    make(path)
    m = measure(steadyinput("replay", path, "-o", tmp_path / "out.csv"))
    assert m.rc == 2, m.stderr
    lines = m.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{name}.csv:" in lines[0], m.stderr
    if line is not None:
        assert f"{name}.csv:{line}:" in lines[0]
    # work done, not wall time (other processes share the machine): reading 2 GB takes many
    # seconds of CPU, the refusal (a sniff of the first 64 KB) about as much as starting Python
    assert m.cpu_seconds < 5.0, m
    assert m.rss_mb < 200
    assert not (tmp_path / "out.csv").exists()


def test_an_overlong_line_in_the_middle_is_refused_naming_its_line(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("t,x,y,buttons\n" + "0,1,1,0\n" * 5 + "1" * (MAX_LINE_CHARS * 3) + "\n0,1,1,0\n")
    with pytest.raises(TraceError, match=r"t\.csv:7: is longer than"):
        read_trace(p)
    j = tmp_path / "t.jsonl"
    j.write_text('{"t": 0, "x": 1, "y": 1, "buttons": 0}\n' + " " * (MAX_LINE_CHARS * 2) + "\n")
    with pytest.raises(TraceError, match=r"t\.jsonl:2: is longer than"):
        read_trace(j)
