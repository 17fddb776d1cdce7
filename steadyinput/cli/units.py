"""The options that say what units a trace's columns are in: one home for ``replay``,
``calibrate`` and ``bench real`` (the judging and converting is :func:`steadyinput.traces.in_units`)."""

from __future__ import annotations

import argparse
import re

from ..errors import UserError
from ..traces import Units

SCREEN = re.compile(r"\s*(\d{2,6})\s*[xX×]\s*(\d{2,6})\s*")


def add_unit_options(p: argparse.ArgumentParser, what: str = "the trace") -> None:
    g = p.add_argument_group(
        "units", f"{what[0].upper() + what[1:]} must have t in seconds and x, y in px. A time column that "
                 "looks like milliseconds, or coordinates that look normalised to 0-1, are refused "
                 "unless these options say what they are; then they are converted.")
    g.add_argument("--time-unit", choices=("s", "ms"), default=None,
                   help="the unit of column t: ms is divided by 1000; s uses it as it is")
    g.add_argument("--coords", choices=("px", "normalised"), default=None,
                   help="x and y are px (used as they are) or normalised to 0-1 (multiplied by --screen)")
    g.add_argument("--screen", metavar="WxH", default=None,
                   help="with --coords normalised: the recording's screen in px, e.g. 1920x1080")


def units_from(args: argparse.Namespace) -> Units:
    """The :class:`Units` the options name (none given: judge); a bad combination is one line
    (a UserError)."""
    time, coords, size = (getattr(args, k, None) for k in ("time_unit", "coords", "screen"))
    screen = None
    if size is not None:
        m = SCREEN.fullmatch(size)
        if not m:
            raise UserError(f"--screen {size!r}: give the screen's size in px as WIDTHxHEIGHT, e.g. 1920x1080")
        screen = (float(m.group(1)), float(m.group(2)))
    if (coords == "normalised") != (screen is not None):
        raise UserError("--coords normalised needs --screen WIDTHxHEIGHT (the screen the recording was made on), "
                        "and --screen goes only with --coords normalised")
    return Units(time=time, coords=coords, screen=screen)
