"""Token tables: ids, stored strings, readable text and the true UTF-8 bytes of each token."""

import dataclasses

import pytest

from gpt2guide import format_token_table, token_table, tokens_per_character
from gpt2guide.constants import END_OF_TEXT_ID, RUNNING_PROMPT, RUNNING_PROMPT_IDS
from gpt2guide.tokens import TokenRow, display_width, token_bytes
from gpt2guide.validation import check_context_length

ENGLISH = RUNNING_PROMPT
JAPANESE = "こんにちは、世界"


def test_english_rows(tokenizer):
    rows = token_table(tokenizer, ENGLISH)
    assert [r.id for r in rows] == list(RUNNING_PROMPT_IDS)
    assert [r.token for r in rows] == ["I", "Ġcan", "'t", "Ġforget", "Ġyou", ",", "Ġfor"]
    assert [r.text for r in rows] == ["I", " can", "'t", " forget", " you", ",", " for"]
    assert rows[1].bytes == b" can"
    assert "".join(r.text for r in rows) == ENGLISH


def test_japanese_rows_hold_partial_characters(tokenizer):
    rows = token_table(tokenizer, JAPANESE)
    assert len(rows) == 11
    assert b"".join(r.bytes for r in rows) == JAPANESE.encode("utf-8")
    # "ち" (e3 81 a1) is split into two tokens: neither is a whole character.
    split = [r for r in rows if r.bytes in (b"\xe3\x81", b"\xa1")]
    assert [r.bytes for r in split] == [b"\xe3\x81", b"\xa1"]
    assert all(r.text == "\ufffd" for r in split)
    assert rows[0] == TokenRow(46036, "ãģĵ", "こ", "こ".encode())


def test_bytes_of_every_row_equal_decode(tokenizer):
    text = "tabs\tand\nnewlines  \r\n emoji 👍🏽 <|endoftext|> 123"
    rows = token_table(tokenizer, text)
    assert b"".join(r.bytes for r in rows) == text.encode("utf-8")
    assert next(r for r in rows if r.id == END_OF_TEXT_ID).bytes == b"<|endoftext|>"
    for row in rows:
        assert row.bytes.decode("utf-8", errors="replace") == tokenizer.decode([row.id])


def test_token_bytes_maps_the_visible_characters_back():
    assert token_bytes("Ġ") == b" "
    assert token_bytes("Ċ") == b"\n"
    assert token_bytes("ĉ") == b"\t"
    assert token_bytes("<|endoftext|>") == b"<|endoftext|>"


def test_rows_are_frozen(tokenizer):
    with pytest.raises(dataclasses.FrozenInstanceError):
        token_table(tokenizer, "hi")[0].id = 0


def test_format_token_table_is_aligned(tokenizer):
    rows = token_table(tokenizer, JAPANESE + " and some English")
    lines = format_token_table(rows).splitlines()
    assert len(lines) == len(rows) + 2  # header, rule, one line per token
    assert lines[0].split() == ["id", "token", "text", "bytes"]
    assert set(lines[1]) == {"-", " "}
    # The text and bytes columns start at the same display column on every line (kana are two wide).
    text_starts = {display_width(line[: line.index("'")]) for line in lines[2:]}
    bytes_starts = {display_width(line[: len(line) - len(row.bytes.hex(" "))]) for line, row in zip(lines[2:], rows)}
    assert len(text_starts) == 1 and len(bytes_starts) == 1
    assert "e3 81 93" in lines[2] and "'こ'" in lines[2]
    assert lines[-1].split()[-1] == "68"  # " English" ends with "h", 0x68


def test_format_token_table_shows_whitespace(tokenizer):
    lines = format_token_table(token_table(tokenizer, "a\n\tb")).splitlines()
    assert len(lines) == 2 + 4  # escaped, so no token breaks the table's lines
    assert lines[3].split() == ["198", "Ċ", "'\\n'", "0a"]
    assert lines[4].split() == ["197", "ĉ", "'\\t'", "09"]


def test_tokens_per_character(tokenizer):
    assert tokens_per_character(tokenizer, JAPANESE) == 11 / 8
    assert tokens_per_character(tokenizer, ENGLISH) == 7 / 23


@pytest.mark.parametrize("function", [token_table, tokens_per_character])
def test_bad_text(tokenizer, function):
    with pytest.raises(ValueError, match=r"^text: the text is empty"):
        function(tokenizer, "")
    with pytest.raises(TypeError, match=r"^text: expected a str, got int"):
        function(tokenizer, 42)


def test_not_a_tokenizer():
    with pytest.raises(TypeError, match=r"^tokenizer: expected a transformers tokenizer"):
        token_table("gpt2", "hello")


def test_context_length(pocket):
    model, _ = pocket
    context = model.config.n_positions
    assert check_context_length(model, context, "prompt") == context
    with pytest.raises(ValueError, match=rf"^prompt: {context + 1} tokens do not fit .* {context} positions"):
        check_context_length(model, context + 1, "prompt")
    with pytest.raises(ValueError, match=r"^input_ids: "):
        check_context_length(model, 10_000, "input_ids")
    with pytest.raises(TypeError, match=r"^prompt: expected a number of tokens"):
        check_context_length(model, "many", "prompt")
