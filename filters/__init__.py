"""steadyinput.filters: the tremor filter library.

Each filter is a small object with parameters in physical units (Hz, px, ms, s), explicit
state and ``reset``. Motion filters map a raw position sampled on a fixed clock to a smoothed
position; :mod:`.dwell` and :mod:`.click_guard` act on clicks. All are pure: time is passed in.
"""

from .base import MotionFilter
from .chain import Chain
from .click_guard import ClickGuard
from .dwell import Dwell, DwellClick
from .kalman import TremorKalman
from .lowpass import Butterworth, ButterworthAxis
from .one_euro import OneEuro, OneEuroAxis
from .adaptive import SpeedAdaptive

__all__ = [
    "MotionFilter", "Chain", "ClickGuard", "Dwell", "DwellClick", "TremorKalman",
    "Butterworth", "ButterworthAxis", "OneEuro", "OneEuroAxis", "SpeedAdaptive",
]
