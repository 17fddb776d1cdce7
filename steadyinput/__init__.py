"""steadyinput: steadies the mouse pointer for people with hand tremor.

One pure, deterministic engine (:mod:`steadyinput.engine`) sits between raw pointer events and
the cursor; live backends, replay, calibration and benchmarks all drive it.
"""

__version__ = "0.1.0"

import os as _os

if _os.environ.get("STEADYINPUT_PURE"):  # the pure-Python engine even where a compiled one is installed
    from .compiled import use_pure as _use_pure
    _use_pure()
