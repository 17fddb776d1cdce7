"""The tremor meter: frequency, size, how much is removed and the lag over the last few seconds,
measured by the same code as ``calibrate`` (:func:`~steadyinput.calibration.analysis.analyse`:
frequency, side-to-side size) and ``replay --metrics`` / ``bench real``
(:func:`~steadyinput.metrics.real_metrics`: dB removed, lag). No ground truth: "estimated"."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..metrics import ESTIMATED_LABEL

METER_S = 5.0  # s of the latest movement measured
Sample = tuple[float, float, float]  # t s, x px, y px


def _trace(samples: Sequence[Sample]):
    from ..traces import Trace
    a = np.asarray(samples, dtype=float).reshape(-1, 3)
    return Trace(a[:, 0], a[:, 1], a[:, 2], np.zeros(len(a), np.int64))


def cursor_from(t0: float, cursor: Sequence[Sample]) -> list[Sample]:
    """The cursor from ``t0`` on: its moves, starting where it was at ``t0`` (the last move before)."""
    before = [s for s in cursor if s[0] <= t0]
    after = [s for s in cursor if s[0] > t0]
    return ([(t0, before[-1][1], before[-1][2])] if before else []) + after


def measure(hand: Sequence[Sample], cursor: Sequence[Sample]) -> dict:
    """The meter's figures for raw ``hand`` samples and the ``cursor``'s moves over the same time.

    Keys: ``hz`` (None: no rhythmic tremor), ``size_px`` (side to side), ``db`` (tremor removed),
    ``lag_ms``, ``basis`` ("estimated ..."), and ``note`` when there is too little to measure."""
    from ..calibration.analysis import analyse
    from ..metrics import real_metrics
    res: dict = {"hz": None, "size_px": None, "db": None, "lag_ms": None, "basis": ESTIMATED_LABEL, "note": None}
    if len(hand) < 2:
        res["note"] = "move the mouse"
        return res
    out = cursor_from(hand[0][0], cursor)
    if len(out) < 2:
        out = [(hand[0][0], hand[0][1], hand[0][2]), (hand[-1][0], hand[0][1], hand[0][2])]
    raw, filt = _trace(hand), _trace(out)
    try:
        a = analyse(raw)
    except ValueError as exc:  # too short, too few reports, or no movement (TraceError is one too)
        res["note"] = str(exc).split(":")[0] if "too short" in str(exc) else "hold or move the mouse a few seconds"
        return res
    res["hz"] = a.tremor_hz
    res["size_px"] = a.amplitude_pp_px
    rm = real_metrics(raw, filt)
    res["db"] = rm["tremor_db"]
    res["lag_ms"] = rm["lag_ms"]
    if rm.get("note"):
        res["note"] = rm["note"]
    return res


def meter_text(m: dict) -> list[str]:
    """The meter as lines for the window (plain words, units)."""
    def f(v, fmt: str) -> str:
        return "–" if v is None else format(v, fmt)
    hz = f"{m['hz']:.1f} Hz" if m["hz"] is not None else ("no rhythmic tremor" if m["size_px"] is not None else "–")
    return [f"Tremor frequency   {hz}",
            f"Tremor size        {f(m['size_px'], '.0f')} px side to side",
            f"Tremor removed     {f(m['db'], '.1f')} dB",
            f"Lag while moving   {f(m['lag_ms'], '.0f')} ms",
            f"({m['basis']}, last {METER_S:g} s" + (f"; {m['note']})" if m["note"] else ")")]
