"""Byte-level BPE by hand (gpt2guide.bpe) equals GPT-2's tokenizer; the hand-written trainer equals tokenizers'."""

import random

import pytest

from gpt2guide import bpe

FIXED = [
    "I can't forget you, for", " forget", "uou", " uou", " recieve", "こんにちは、世界", "吾輩は猫である。",
    "🦜 emoji 👍🏽 👩‍👩‍👧 family", "123 4567 89.01 1,000,000 ٣٤٥ ½ ①", "a  b   c\n\n\td  \r\n", "   ", "\n",
    "trailing space ", " leading", "don't I'll we've THEY'RE it's 'tis ''s", "naïve Ωmega café",
    "<|endoftext|>", "x<|endoftext|>y <|endoftext|> z", "<|endoftext|><|endoftext|>", "<|endoftext", "endoftext|>",
    "\x00\x01\x1c\x1d\x1e\x1f a\x85b\u00a0c\u2028d\u3000e\u200bf", "\ufffd\ufffd", "def f(x):\n    return x**2\n",
    "Hello!!! ??? ... --- ___", "https://example.com/a?b=c&d=e#f", "ＡＢＣ１２３", "Ελληνικά русский עברית العربية",
]


def random_texts(seed: int, n: int) -> list[str]:
    """Random byte strings decoded as UTF-8 with replacement, and random mixes of code points."""
    rng = random.Random(seed)
    pools = [(32, 127), (0, 32), (0x80, 0x800), (0x3000, 0xA000), (0x1F300, 0x1FAFF), (0xE000, 0xF8FF)]
    texts = []
    for _ in range(n):
        raw = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 48)))
        texts.append(raw.decode("utf-8", errors="replace"))
        chars = [chr(rng.randrange(*rng.choice(pools))) for _ in range(rng.randrange(1, 32))]
        texts.append("".join(chars))
    return texts


@pytest.mark.parametrize("text", FIXED)
def test_encode_equals_the_tokenizer(tokenizer, text):
    assert bpe.encode(text) == tokenizer.encode(text)


@pytest.mark.slow  # byte-level BPE by hand (not in the quick loop)
def test_encode_equals_the_tokenizer_on_random_text(tokenizer):
    mismatches = [t for t in random_texts(0, 1500) if bpe.encode(t) != tokenizer.encode(t)]
    assert mismatches == []


@pytest.mark.slow  # byte-level BPE by hand on long text (not in the quick loop)
def test_encode_equals_the_tokenizer_on_long_prose(tokenizer):
    from gpt2guide.pocket.held_out import card, held_out_text

    text = held_out_text()
    ids = bpe.encode(text)
    assert ids == tokenizer.encode(text)
    assert len(ids) == card()["corpus"]["held_out_tokens"]  # what the training run counted


@pytest.mark.slow  # byte-level BPE by hand (not in the quick loop)
def test_a_tokenizer_lends_its_own_tables(tokenizer):
    text = "I can't forget you, for <|endoftext|> こんにちは"
    assert bpe.encode(text, tokenizer=tokenizer) == bpe.encode(text) == tokenizer.encode(text)
    assert bpe.tables(tokenizer).special == ("<|endoftext|>",)
    assert bpe.tables(tokenizer).ranks == bpe.tables().ranks


def test_the_byte_table_is_gpt2s():
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    table = bpe.bytes_to_unicode()
    assert table == bytes_to_unicode()
    assert len(set(table.values())) == 256 and table[0x20] == "Ġ" and table[0x0A] == "Ċ"
    assert all(not c.isspace() and c.isprintable() for c in table.values())


def test_merge_steps_of_forget():
    steps = bpe.merge_steps(" forget")
    assert [s.pair for s in steps] == [("o", "r"), ("Ġ", "f"), ("e", "t"), ("Ġf", "or"), ("g", "et"), ("Ġfor", "get")]
    assert steps[-1].symbols == ("Ġforget",)
    ranks = [s.rank for s in steps]
    assert ranks == sorted(ranks)  # a merge that uses a new symbol was learned after the one that made it
    assert bpe.tokens_of(" forget") == ["Ġforget"]


def test_merge_steps_end_in_the_tokenizers_tokens(tokenizer):
    for word in [" recieve", "こんにちは", " definately", "uou", "🦜"]:
        assert bpe.tokens_of(word) == tokenizer.convert_ids_to_tokens(tokenizer.encode(word)), word
    assert bpe.merge_steps("a") == [] and bpe.tokens_of("a") == ["a"]
    table = bpe.format_merge_steps(" forget")
    assert table.splitlines()[1].split() == ["Ġ", "f", "o", "r", "g", "e", "t"]
    assert table.splitlines()[-1].split() == ["5788", "Ġfor", "+", "get", "Ġforget"]


def test_pre_tokenize_keeps_special_tokens_whole():
    assert bpe.pre_tokenize("a<|endoftext|> b") == ["a", "<|endoftext|>", " b"]
    assert bpe.pre_tokenize("x   y") == ["x", "  ", " y"]


@pytest.mark.parametrize("call, error, message", [
    (lambda: bpe.encode(b"bytes"), TypeError, "text: expected a str"),
    (lambda: bpe.encode(""), ValueError, "text: the text is empty"),
    (lambda: bpe.encode("a", tokenizer="gpt2"), TypeError, "tokenizer: expected a transformers"),
    (lambda: bpe.merge_steps(" two words"), ValueError, "word: ' two words' is 2 pre-tokens"),
    (lambda: bpe.merge_steps(None), TypeError, "word: expected a str"),
    (lambda: bpe.train_merges("just a str", 3), TypeError, "texts: expected a list of str"),
    (lambda: bpe.train_merges([""], 3), ValueError, "texts: every text is empty"),
    (lambda: bpe.train_merges(["ab"], 0), ValueError, "n_merges: must be at least 1"),
    (lambda: bpe.library_merges(["ab"], 2.5), TypeError, "n_merges: expected an int"),
])
def test_bad_arguments_say_which_and_how(call, error, message):
    with pytest.raises(error, match="^" + message.replace("(", r"\(").replace("?", r"\?")):
        call()


def test_the_toy_corpus_learns_the_same_merges_by_hand_and_with_tokenizers():
    toy = [" low" * 5 + " lower" * 2 + " newest" * 6 + " widest" * 3]
    by_hand = bpe.train_merges(toy, 10)
    assert by_hand[:2] == [("e", "s"), ("es", "t")]  # "e s" and "s t" tie at 9: the earlier symbols win
    assert bpe.library_merges(toy, 10) == by_hand


@pytest.mark.slow  # learns merges twice (not in the quick loop)
def test_random_corpora_learn_the_same_merges_by_hand_and_with_tokenizers():
    """Small alphabets make many ties, so this checks the tie rule, not only the counting."""
    rng = random.Random(1)
    for _ in range(300):
        alphabet = rng.choice(["ab ", "abc ", "abcde ", "aé日 1."])
        words = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 8))) for _ in range(rng.randrange(1, 15))]
        texts = [" ".join(rng.choice(words) for _ in range(rng.randrange(1, 30))) for _ in range(rng.randrange(1, 4))]
        if not any(texts):
            continue
        n = rng.randrange(1, 60)
        assert bpe.train_merges(texts, n) == bpe.library_merges(texts, n), (texts, n)


def test_merging_stops_when_nothing_is_left_to_merge():
    assert bpe.train_merges(["ab ab"], 50) == bpe.library_merges(["ab ab"], 50) == [("a", "b"), ("Ġ", "ab")]
