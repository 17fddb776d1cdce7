"""Plotting setup shared by every report and benchmark: matplotlib without a screen."""

from __future__ import annotations


def pyplot():
    """``matplotlib.pyplot`` on the Agg backend (files only, no display needed)."""
    import matplotlib
    matplotlib.use("Agg")
    # Agg draws a long line in pieces of this many points: one piece of 100 000 points would
    # take hundreds of MB (a normal trace has fewer, and is drawn exactly as before)
    matplotlib.rcParams["agg.path.chunksize"] = 10_000
    import matplotlib.pyplot as plt
    return plt
