"""Trace files: round trips in every format, and malformed input named by file, line and field."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest

from steadyinput.traces import Trace, TraceError, Units, in_units, read_trace, units_note, write_trace


def _trace():
    return Trace(np.array([0.0, 0.004, 0.01, 0.5]), np.array([10.0, 11.0, 12.5, 12.0]),
                 np.array([20.0, 20.0, 21.0, 22.0]), np.array([0, 1, 1, 0]))


@pytest.mark.parametrize("name", ["a.csv", "a.csv.gz", "a.jsonl", "a.jsonl.gz"])
def test_write_then_read_round_trips(tmp_path, name):
    tr = _trace()
    write_trace(tmp_path / name, tr, extra={"ix": np.array([1.0, 2.0, 3.0, 4.5])})
    back = read_trace(tmp_path / name, extra=("ix",))
    for f in ("t", "x", "y", "buttons"):
        np.testing.assert_array_equal(getattr(back, f), getattr(tr, f))
    np.testing.assert_array_equal(back.extra["ix"], [1.0, 2.0, 3.0, 4.5])


def test_gzip_is_detected_by_content_not_name(tmp_path):
    p = tmp_path / "plain-name.csv"
    p.write_bytes(gzip.compress(b"t,x,y,buttons\n0,1,2,0\n"))
    assert read_trace(p).x.tolist() == [1.0]


def test_extra_columns_and_any_column_order_are_accepted(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("buttons,note,y,x,t\n0,hello,5,4,0.0\n1,,6,7,0.1\n")
    tr = read_trace(p)
    assert tr.x.tolist() == [4.0, 7.0] and tr.buttons.tolist() == [0, 1]


@pytest.mark.parametrize("content,line,field,what", [
    ("t,x,y,buttons\n0,1,2,0\n0.1,abc,2,0\n", 3, "x", "not a number"),
    ("t,x,y,buttons\n0,1,2,0\n0.1,1,nan,0\n", 3, "y", "not a finite number"),
    ("t,x,y,buttons\n0.5,1,2,0\n0.4,1,2,0\n", 3, "t", "backwards"),
    ("t,x,y,buttons\n0,1,2,0\n0.1,1,2,1.5\n", 3, "buttons", "button mask"),
    ("t,x,y,buttons\n0,1,2,0\n0.1,1\n", 3, "y", "missing"),
    ("zeit,x,y,buttons\n0,1,2,0\n", 1, "t", "header"),
    ("0,1,2,0\n0.1,1,2,0\n", 1, "t", "header"),
])
def test_malformed_csv_names_file_line_and_field(tmp_path, content, line, field, what):
    p = tmp_path / "bad.csv"
    p.write_text(content)
    with pytest.raises(TraceError) as exc:
        read_trace(p)
    msg = str(exc.value)
    assert f"bad.csv:{line}:" in msg and f"'{field}'" in msg and what in msg
    assert exc.value.line == line and exc.value.field == field


@pytest.mark.parametrize("content,line,what", [
    ('{"t": 0, "x": 1, "y": 2, "buttons": 0}\n{"t": 0.1, "x": 1, "y": 2\n', 2, "not valid JSON"),
    ('{"t": 0, "x": 1, "y": 2, "buttons": 0}\n\n{"t": 0.1, "x": "a", "y": 2, "buttons": 0}\n', 3, "not a number"),
    ('{"t": 0, "x": 1, "y": 2, "buttons": 0}\n[1, 2]\n', 2, "not a JSON object"),
    ('{"t": 0, "x": 1, "y": 2}\n', 1, "missing"),
    ('{"t": 1' + '0' * 400 + ', "x": 1, "y": 2, "buttons": 0}\n', 1, "not a finite number"),  # beyond a float
])
def test_malformed_jsonl_names_file_and_line(tmp_path, content, line, what):
    p = tmp_path / "bad.jsonl"
    p.write_text(content)
    with pytest.raises(TraceError) as exc:
        read_trace(p)
    assert f"bad.jsonl:{line}:" in str(exc.value) and what in str(exc.value)


def test_empty_and_truncated_files_are_errors_not_partial_data(tmp_path):
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(TraceError, match="empty"):
        read_trace(tmp_path / "empty.csv")
    (tmp_path / "header-only.csv").write_text("t,x,y,buttons\n")
    with pytest.raises(TraceError, match="no samples"):
        read_trace(tmp_path / "header-only.csv")
    data = gzip.compress(("t,x,y,buttons\n" + "".join(f"{i},1,2,0\n" for i in range(5000))).encode())
    (tmp_path / "cut.csv.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(TraceError, match="cannot be read"):
        read_trace(tmp_path / "cut.csv.gz")


@pytest.mark.parametrize("body", [
    "0,1,2,0\n0.004,3,-4,1\n",  # whole pixels: read as integers
    "0,1.25,2,0\n0.004,3,-4.5,1\n",  # sub-pixel positions: read again as floats
    "0,1,2,0\r\n0.004,3,4,1\r\n",  # Windows line ends
    "0,1,2,0\n# a comment\n0.004,3,4,1\n",
    "0,1,2,0\n0.004,1e1,4,1\n",
])
def test_fast_reader_agrees_with_the_strict_reader(tmp_path, body):
    from steadyinput.traces import _read_strict
    p = tmp_path / "t.csv"
    p.write_bytes(("t,x,y,buttons\n" + body).encode())
    fast, strict = read_trace(p), _read_strict(p, ())
    for f in ("t", "x", "y", "buttons"):
        np.testing.assert_array_equal(getattr(fast, f), getattr(strict, f))
        assert getattr(fast, f).dtype == getattr(strict, f).dtype


# -- a time column that is not in seconds, coordinates that are not px ------------------------

def _moving(t: np.ndarray) -> Trace:
    x = np.arange(len(t), dtype=float)
    return Trace(t, x, x * 0.5, np.zeros(len(t), np.int64))


def test_a_trace_in_seconds_gets_no_units_note_even_with_long_pauses():
    t = np.concatenate([np.arange(100) * 0.008, 30 + np.arange(100) * 0.001, 90 + np.arange(50) * 0.016])
    assert units_note(_moving(t)) is None


def test_a_trace_in_milliseconds_gets_a_units_note_saying_what_to_do():
    note = units_note(_moving(np.arange(600) * 8.0))  # 4.8 s of a 125 Hz mouse, stamped in ms
    assert note is not None and "8 apart" in note and "--time-unit ms" in note


def test_a_fast_mouse_stamped_in_whole_milliseconds_gets_the_note_despite_its_same_time_duplicates():
    t = np.floor(np.arange(20_000) * 0.5)  # 2 kHz: two events per millisecond, 10 s
    assert "--time-unit ms" in units_note(_moving(t))


def test_a_trace_in_milliseconds_that_starts_with_a_long_still_stretch_gets_the_note():
    n = 300_000
    t = np.arange(n) * 1.0  # 1 kHz in ms
    x = np.where(np.arange(n) < 150_000, 100.0, np.arange(n) * 0.01)
    assert "--time-unit ms" in units_note(Trace(t, x, x, np.zeros(n, np.int64)))


@pytest.mark.parametrize("kind", ["jittering hold", "taps"])
def test_a_recording_of_holds_or_taps_in_seconds_is_not_taken_for_milliseconds(kind):
    rng = np.random.default_rng(3)
    t = np.cumsum(rng.uniform(0.3, 2.0, 100)) if kind == "jittering hold" else np.arange(60) * 1.0
    x = 500 + (np.arange(len(t)) % 2) if kind == "jittering hold" else 100 + 300 * (np.arange(len(t)) % 2)
    assert units_note(Trace(t, x.astype(float), x.astype(float), np.zeros(len(t), np.int64))) is None


def test_a_still_or_short_trace_gets_no_units_note():
    t = np.arange(300) * 8.0
    still = Trace(t, np.full(300, 5.0), np.full(300, 5.0), np.zeros(300, np.int64))
    assert units_note(still) is None
    assert units_note(_moving(np.arange(10) * 8.0)) is None


def test_a_trace_normalised_to_0_1_gets_a_units_note_and_a_pixel_trace_none():
    t = np.arange(200) * 0.008
    unit = np.linspace(0.2, 0.8, 200)
    note = units_note(Trace(t, unit, unit, np.zeros(200, np.int64)))
    assert note is not None and "within 0.6 of the origin" in note and "--coords normalised --screen" in note
    assert "--time-unit" not in note
    assert units_note(Trace(t, unit * 1920, unit * 1080, np.zeros(200, np.int64))) is None
    held = 500 + np.round(np.sin(np.arange(200)))  # a steady hand: one pixel of jitter
    assert units_note(Trace(t, held, held, np.zeros(200, np.int64))) is None


@pytest.mark.parametrize("step", [1.0, 0.5])
def test_a_hand_held_in_the_screen_corner_is_not_taken_for_normalised_coordinates(step):
    t = np.arange(200) * 0.008
    corner = step * (np.arange(200) % 3)  # jitter against the edge, whole or half pixels
    assert units_note(Trace(t, corner, corner, np.zeros(200, np.int64))) is None


# -- ... refused unless the units are given, then converted -----------------------------------

def test_a_trace_whose_units_look_wrong_is_refused_naming_the_column_and_the_option():
    ms = _moving(np.arange(600) * 8.0)
    with pytest.raises(TraceError) as exc:
        in_units(ms, Units(), "rec.csv")
    msg = str(exc.value)
    assert msg.startswith("rec.csv: field 't': looks like milliseconds") and "--time-unit ms" in msg
    assert "\n" not in msg
    t = np.arange(200) * 0.008
    unit = np.linspace(0.2, 0.8, 200)
    with pytest.raises(TraceError, match="field 'x': x and y look normalised.*--coords normalised --screen"):
        in_units(Trace(t, unit, unit, np.zeros(200, np.int64)), Units(), "rec.csv")


def test_units_given_convert_the_trace_to_seconds_and_px():
    ms = _moving(np.arange(600) * 8.0)
    out = in_units(ms, Units(time="ms"))
    np.testing.assert_allclose(out.t, np.arange(600) * 0.008)
    np.testing.assert_array_equal(out.x, ms.x)
    assert in_units(ms, Units(time="s")).t[-1] == ms.t[-1]  # said to be seconds: used as it is
    t = np.arange(200) * 0.008
    unit = np.linspace(0.2, 0.8, 200)
    out = in_units(Trace(t, unit, unit, np.zeros(200, np.int64), {"ix": unit, "iy": unit}),
                   Units(coords="normalised", screen=(1920.0, 1080.0)))
    np.testing.assert_allclose(out.x, unit * 1920)
    np.testing.assert_allclose(out.y, unit * 1080)
    np.testing.assert_allclose(out.extra["iy"], unit * 1080)
    assert in_units(Trace(t, unit, unit, np.zeros(200, np.int64)), Units(coords="px")).x[-1] == 0.8


def test_a_trace_in_seconds_and_px_passes_unchanged():
    tr = _moving(np.arange(600) * 0.008)
    out = in_units(tr, Units())
    assert out.t is tr.t and out.x is tr.x


# -- spreadsheet exports: ';' or tab separators, decimal commas, header names in any case ------

ROWS = [(0.0, 100, 200, 0), (0.008, 101.5, 199, 0), (0.016, 103, 198.25, 1), (0.024, 104, 198, 0)]


def _export(path, header: str, sep: str, decimal: str = ".", bom: bool = False) -> None:
    lines = [header] + [sep.join(str(v).replace(".", decimal) for v in r) for r in ROWS]
    path.write_text(("\ufeff" if bom else "") + "\r\n".join(lines) + "\r\n", encoding="utf-8")


@pytest.mark.parametrize("header,sep,decimal", [
    ("Time,X,Y,Buttons", ",", "."),
    ("Time;X;Y;Buttons", ";", "."),
    ("Time;X;Y;Buttons", ";", ","),  # Excel where the decimal mark is a comma
    ("Time (s)\tX (px)\tY (px)\tButton", "\t", "."),
    ('"T";"x";"Y";"BUTTONS"', ";", ","),
])
def test_a_spreadsheet_export_reads_as_the_plain_trace(tmp_path, header, sep, decimal):
    p = tmp_path / "excel.csv"
    _export(p, header, sep, decimal, bom=True)
    tr = read_trace(p)
    np.testing.assert_allclose(tr.t, [r[0] for r in ROWS])
    np.testing.assert_allclose(tr.x, [r[1] for r in ROWS])
    np.testing.assert_allclose(tr.y, [r[2] for r in ROWS])
    np.testing.assert_array_equal(tr.buttons, [r[3] for r in ROWS])


def test_a_semicolon_export_with_decimal_points_takes_the_fast_reader(tmp_path, monkeypatch):
    import steadyinput.traces as T
    p = tmp_path / "excel.csv"
    _export(p, "Time;X;Y;Buttons", ";")
    monkeypatch.setattr(T, "_read_strict", lambda *a, **k: pytest.fail("the strict reader was used"))
    assert len(read_trace(p)) == len(ROWS)


@pytest.mark.parametrize("header,sep,what", [
    ("Zeit;X;Y;Tasten", ";", "name a column t (the time in s) and a column buttons (the button mask"),
    ("time,x,y", ",", "name a column buttons (the button mask: 0 none, 1 left, 2 right, 4 middle; all 0 if none"),
    ("t|x|y|buttons", "|", "has 1 column(s): separate the columns t,x,y,buttons with ',', ';' or a tab"),
    ("0.0,100,200,0", ",", "the first line is data (0.0,100,200,0), not a header: add the header line t,x,y,buttons"),
])
def test_a_header_that_cannot_be_read_gets_one_line_naming_what_to_change(tmp_path, header, sep, what):
    p = tmp_path / "odd.csv"
    _export(p, header, sep)
    with pytest.raises(TraceError) as exc:
        read_trace(p)
    msg = str(exc.value)
    assert msg.startswith(f"{p}:1: field ") and what in msg and "\n" not in msg, msg


def test_json_lines_keys_in_any_case_are_read(tmp_path):
    p = tmp_path / "r.jsonl"
    p.write_text("".join(json.dumps({"Time": r[0], "X": r[1], "Y": r[2], "Buttons": r[3]}) + "\n" for r in ROWS))
    np.testing.assert_allclose(read_trace(p).x, [r[1] for r in ROWS])
