"""The shipped polygon's kernels (steadyinput/extent_kernels.py, compiled with the engine) are the
generator's text, so the compiled module and the kernels run from text for other polygons can never
drift apart; and they are the ones the bound runs."""

from __future__ import annotations

from pathlib import Path

import steadyinput.extent as extent
import steadyinput.extent_kernels as kern
from steadyinput.extent import EXTENT_SIDES, KERNELS_FILE, HandExtent, kernel_source


def test_the_committed_kernels_module_is_what_the_generator_writes_now():
    committed = Path(extent.__file__).with_name(KERNELS_FILE).read_text()
    assert committed == kernel_source(EXTENT_SIDES), (
        "steadyinput/extent_kernels.py is stale: run python -c 'from steadyinput.extent import "
        "write_kernels; write_kernels()' and commit it")


def test_the_shipped_polygon_runs_the_module_and_others_the_generated_text():
    h = HandExtent()
    assert (h._point, h._merge, h._crossed, h._crossed2) == (kern.point, kern.merge, kern.crossed, kern.crossed2)
    other = HandExtent(sides=8)
    assert other._point is not kern.point and other._point(3.0, 4.0).values() == (
        3.0, 3.0 * 0.7071067811865476 + 4.0 * 0.7071067811865475, 4.0, -3.0 * 0.7071067811865475 + 4.0 * 0.7071067811865476,
        3.0, 3.0 * 0.7071067811865476 + 4.0 * 0.7071067811865475, 4.0, -3.0 * 0.7071067811865475 + 4.0 * 0.7071067811865476)


def test_the_text_run_for_the_shipped_polygon_gives_the_modules_answers():
    ns: dict = {}
    exec(compile(kernel_source(EXTENT_SIDES), "<kernels>", "exec"), ns)
    pts = [(0.0, 0.0), (3.5, -2.0), (-7.25, 11.0), (100.5, 40.0), (-0.5, -0.5)]
    for x, y in pts:
        assert ns["point"](x, y).values() == kern.point(x, y).values()
    a = kern.merge(kern.point(*pts[0]), kern.point(*pts[1]))
    b = kern.merge(kern.point(*pts[2]), kern.point(*pts[4]))
    assert ns["merge"](a, b).values() == kern.merge(a, b).values()
    for x, y in pts + [(200.0, 0.0), (0.0, -50.0), (1.0, 1.0)]:
        assert ns["crossed"](x, y, 1.0, 2.0, a, b) == kern.crossed(x, y, 1.0, 2.0, a, b)
        assert ns["crossed2"](x, y, 1.0, 2.0, 9.0, -3.0, a, b) == kern.crossed2(x, y, 1.0, 2.0, 9.0, -3.0, a, b)
