"""The library's one text-table helper (gpt2guide._table): the tables the pages print align by it."""

from gpt2guide._table import _table, display_width


def test_columns_align_on_their_widest_cell_and_the_last_left_column_is_not_padded() -> None:
    rows = [("id", "token", "text"), ("40", "I", "'I'"), ("31", "こんにちは", "x")]
    assert _table(rows, "><<", width=display_width) == [
        "id  token       text",
        "40  I           'I'",
        "31  こんにちは  x",
    ]


def test_fixed_widths_let_a_wide_cell_push_only_its_own_line() -> None:
    rows = [("rank", "token", "id"), ("1", "'a long token here'", "7")]
    assert _table(rows, "><>", widths=(4, 6, 3), gaps=("  ", " ")) == [
        "rank  token   id",
        "   1  'a long token here'   7",
    ]


def test_a_right_aligned_last_column_is_padded() -> None:
    assert _table([("", "tensors"), ("body", "148")], "<>") == ["      tensors", "body      148"]
