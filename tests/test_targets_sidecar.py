"""The targets sidecar: written and read back exactly; bad lines named by file, line and field."""

from __future__ import annotations

import pytest

from steadyinput.errors import TraceError
from steadyinput.targets import Target, TargetSet
from steadyinput.targets.sidecar import find_sidecar, read_targets, sidecar_path, write_targets


def test_sidecar_round_trips_target_sets(tmp_path):
    trace = tmp_path / "rec.csv.gz"
    sets = [TargetSet(0.5, (Target(10, 20, 16, 16, "push button", True),
                            Target(40, 20, 16, 16, "label", False)), "sidecar"),
            TargetSet(1.25, (), "sidecar")]
    path = sidecar_path(trace)
    assert path.name == "rec.csv.gz.targets.jsonl.gz"
    write_targets(path, sets)
    assert find_sidecar(trace) == path
    assert read_targets(path) == sets


def test_target_distance_is_zero_on_the_rectangle_and_euclidean_outside():
    g = Target(10, 10, 16, 16)
    assert g.contains(10, 10) and g.contains(25, 25) and not g.contains(26, 25)
    assert g.distance(12, 12) == 0.0
    assert g.distance(5, 12) == 5.0
    assert g.distance(28, 28) == pytest.approx(3 * 2 ** 0.5)


@pytest.mark.parametrize("line, field", [
    ('{"t": "x", "targets": []}', "t"),
    ('{"t": 1, "targets": 3}', "targets"),
    ('{"t": 1, "targets": [[1, 2, 0, 4, "b", 1]]}', "targets[0]"),
    ('{"t": 1, "targets": [[1.5, 2, 3, 4]]}', "targets[0]"),
])
def test_a_bad_sidecar_line_names_file_line_and_field(tmp_path, line, field):
    path = tmp_path / "a.csv.targets.jsonl"
    path.write_text('{"t": 0, "targets": []}\n' + line + "\n")
    with pytest.raises(TraceError) as err:
        read_targets(path)
    assert err.value.line == 2 and err.value.field == field and str(path) in str(err.value)


def test_sidecar_times_going_backwards_are_refused(tmp_path):
    path = tmp_path / "a.csv.targets.jsonl"
    path.write_text('{"t": 2, "targets": []}\n{"t": 1, "targets": []}\n')
    with pytest.raises(TraceError, match="time order"):
        read_targets(path)
