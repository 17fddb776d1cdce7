"""steadyinput: steadies the mouse pointer for people with hand tremor.

One pure, deterministic engine (:mod:`steadyinput.engine`) sits between raw pointer events and
the cursor; live backends, replay, calibration and benchmarks all drive it.
"""

__version__ = "0.1.0"
