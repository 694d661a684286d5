"""RecordFields, the benchmark records' field checker: every problem noted, one error naming them all."""

import pytest

from gpt2guide.validation import RecordFields, WrongValue


def test_a_record_that_is_not_a_dict_is_refused_at_once():
    with pytest.raises(WrongValue, match=r"^record: expected the record as a dict, got list"):
        RecordFields.of([], 1)


def test_every_problem_is_named_in_one_error_with_the_remedy():
    fields = RecordFields.of({"schema": 2, "steps": "8"}, 1)
    assert fields.need({"schema": 2, "steps": "8"}, "steps", int, "") is None
    assert fields.need({}, "cpu", str, "machine.") is None
    assert fields.need({"on": True}, "on", int, "") is None  # a bool is no int
    with pytest.raises(WrongValue) as raised:
        fields.check("write a fresh record")
    assert str(raised.value) == ("record: schema: expected 1, got 2; steps: expected int, got str; machine.cpu: "
                                 "missing; on: expected int, got bool; write a fresh record")


def test_a_sound_record_passes():
    fields = RecordFields.of({"schema": 1, "steps": 8}, 1)
    assert fields.need({"schema": 1, "steps": 8}, "steps", int, "") == 8
    fields.check("never said")
