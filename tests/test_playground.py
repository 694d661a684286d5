"""The playground (docs/playground.*.md): the pocket model in the browser equals the Python library.

The page runs a hand-written JS forward pass on the bundled checkpoint (copied into the build by
site_hooks/playground.py). Here headless Chromium (tests/browser_support.py) loads it once per
module and its `window.pocket` API is compared with gpt2guide and transformers:

* the JS tokenizer gives the Python tokenizer's ids and decodes them back, on 4,000 seeded random
  strings from every plane and on every code point whose class the browser's Unicode may see otherwise;
* greedy decoding and beam search give `model.generate`'s tokens (beam scores within 1e-4);
* `distribution` gives `apply_filters(logits, sampling_filters(...)).softmax(-1)` within 1e-4 and
  keeps the same number of tokens; the JS filters treat ties as the Python ones;
* `inspect` gives `anatomy.attention_weights` within 1e-4 and `anatomy.logit_lens`' top-1 ids
  (up to near-ties) with their probabilities, on English and Japanese prompts;
* the same seed samples the same text; bad options reject with a message naming the option, the
  page's checks accept and refuse each sampling option's values as gpt2guide's do, and the page's
  handlers show a failed call's message;
* tokens read as a reader reads them (text, or a part of a character as bytes with that character);
* the inside view (heatmap, most-attended token, logit-lens grid) follows the prompt with anatomy's numbers;
* a link's hash restores the controls, and the copy button copies the link;
* a random F16 checkpoint of another shape loads from the page's control and equals Python
  (distribution, inspect, greedy); bad files are refused in the page's language, the model kept;
* no main-thread task over 200 ms while loading, inspecting and generating (best of 3 tabs), and
  ready within 2 s of the files' arrival; the controls have names; the keyboard alone drives it;
* nothing leaves 127.0.0.1, other pages never fetch assets/playground/, and the page fits 390 px.
* backward.js (the backward pass and AdamW, for training in the page) gives autograd's gradient
  for every parameter within a relative 1e-4, and torch.optim.AdamW's steps (simd-adamw.js's too).
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
import torch
from browser_support import Visit, open_visit

from gpt2guide import anatomy
from gpt2guide.constants import END_OF_TEXT_ID
from gpt2guide.decoding import apply_filters, beam_search, encode, next_token_logits, sampling_filters
from gpt2guide.decoding.filters import min_p_filter, top_k_filter, top_p_filter

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
LOAD_TIMEOUT_MS = 120_000  # loading 15 MB and converting 6.8 M float16 values, on a busy machine
PROMPTS = [
    "It is a truth universally acknowledged",
    "I can't forget you, for",
    "The weather was",
    "Emma Woodhouse, handsome, clever, and rich,",
    "こんにちは",
]
FILTER_SETTINGS = [
    {},
    {"temperature": 0.7},
    {"topK": 40},
    {"topK": 1},
    {"topP": 0.9},
    {"minP": 0.05},
    {"temperature": 1.3, "topK": 50, "topP": 0.95, "minP": 0.02},
    {"temperature": 0.5, "topP": 0.5},
    {"topP": 0, "minP": 0},  # the ends of Python's ranges: the most probable token only; min-p off
]
BAD_OPTIONS = [
    ({"prompt": 5}, "prompt"),
    ({"prompt": ""}, "prompt"),
    ({"prompt": "It", "strategy": "top"}, "strategy"),
    ({"prompt": "It", "strategy": "sample", "temperature": 0}, "temperature"),
    ({"prompt": "It", "strategy": "sample", "topK": -1}, "topK"),
    ({"prompt": "It", "strategy": "sample", "topK": 2.5}, "topK"),
    ({"prompt": "It", "strategy": "sample", "topP": 1.5}, "topP"),
    ({"prompt": "It", "strategy": "sample", "minP": -0.1}, "minP"),
    ({"prompt": "It", "strategy": "sample", "seed": -3}, "seed"),
    ({"prompt": "It", "maxNewTokens": 1000}, "maxNewTokens"),
    ({"prompt": "It", "maxNewTokens": "5"}, "maxNewTokens"),
    ({"prompt": "It", "strategy": "beam", "numBeams": 0}, "numBeams"),
    ({"prompt": "It", "strategy": "beam", "lengthPenalty": None}, "lengthPenalty"),
    ({"prompt": "It", "topk": 3}, "topk"),  # a misspelt option: "did you mean topK?"
]


def _python_filters(settings: dict) -> list:
    return sampling_filters(temperature=settings.get("temperature", 1.0), top_k=settings.get("topK", 0),
                            top_p=settings.get("topP", 1.0), min_p=settings.get("minP"))


def _wait_ready(page) -> None:
    page.wait_for_function("window.pocket !== undefined", timeout=LOAD_TIMEOUT_MS)
    page.evaluate("() => pocket.ready.then(() => true)")
    page.wait_for_function("document.getElementById('pocket-playground').dataset.ready === 'true'",
                           timeout=LOAD_TIMEOUT_MS)


@pytest.fixture(scope="module")
def playground(browser, site_url):
    """One tab on /en/playground/ with the model loaded, shared by the module (loading takes seconds);
    requests that would leave the machine are aborted and recorded (browser_support.open_visit)."""
    with open_visit(browser, site_url, locale="en-US") as recorded:
        recorded.page.set_default_timeout(LOAD_TIMEOUT_MS)
        recorded.open("/en/playground/")
        _wait_ready(recorded.page)
        yield recorded


def _js(playground: Visit, script: str, arg=None):
    return playground.page.evaluate(script, arg)


# -- the tokenizer -----------------------------------------------------------------------------

def _more_texts() -> list[str]:
    """Real prose in both languages: the paragraphs of two pages of this guide."""
    texts = []
    for name in ("generation.ja.md", "generation.en.md"):
        paragraphs = (ROOT / "docs" / name).read_text(encoding="utf-8").split("\n\n")
        texts += [p for p in paragraphs if p.strip()][:40]
    return texts


RANDOM_TEXTS = 4000  # random strings the tokenizers compare on (a few seconds in all)
RANDOM_SEED = 0  # a failure names its text; this seed draws the same texts again
# Whole pieces the pre-tokenizer treats specially: contractions, the special token and its
# fragments, CRLF, a byte-order mark, NEXT LINE, a ZWJ emoji sequence, words after a space.
PIECES = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'LL", "<|endoftext|>", "<|endoftext",
          "endoftext|>", "\r\n", "  ", "\ufeff", "\u0085", " Hello", " world", "こんにちは", "123",
          "😀", "👨\u200d👩\u200d👧"]


@functools.cache
def _code_points() -> list[int]:
    """Every code point a str can hold in UTF-8 (the surrogates cannot)."""
    return [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]


@functools.cache
def _whitespace() -> list[int]:
    """Python `regex`'s \\s (GPT-2's pattern, encoder.py), every code point (one search of them all)."""
    import regex

    return [ord(char) for char in regex.findall(r"\s", "".join(map(chr, _code_points())))]


def random_texts(n: int, seed: int) -> list[str]:
    """`n` strings of 1 to 24 pieces: whitespace (regex's and JavaScript's, U+FEFF, U+0085 and the
    other near-misses), format and control characters and marks, the PIECES, ASCII, and code
    points from all 17 planes (assigned or not); one in ten starts with a byte-order mark."""
    import random
    import unicodedata

    rng = random.Random(seed)
    near_spaces = [0xFEFF, 0x180E, 0x200B, 0x2060, 0x1C, 0x1D, 0x1E, 0x1F]
    spaces = _whitespace() + near_spaces
    formats = [c for c in _code_points() if unicodedata.category(chr(c)) in ("Cf", "Cc", "Zs", "Zl", "Zp", "Mn", "Mc", "Me")]

    def piece() -> str:
        kind = rng.random()
        if kind < 0.25:
            return chr(rng.choice(spaces))
        if kind < 0.40:
            return chr(rng.choice(formats))
        if kind < 0.55:
            return rng.choice(PIECES)
        if kind < 0.75:
            return chr(rng.randrange(0x20, 0x7F))
        plane = rng.randrange(17)
        while True:
            c = plane * 0x10000 + rng.randrange(0x10000)
            if not 0xD800 <= c <= 0xDFFF:
                return chr(c)

    texts = ["".join(piece() for _ in range(rng.randrange(1, 25))) for _ in range(n)]
    return [("\ufeff" + t if rng.random() < 0.1 else t) for t in texts]


def _assert_same_tokens(playground: Visit, tokenizer, texts: list[str]) -> None:
    """encode in the page (one evaluate for all) equals the Python tokenizer's ids, and the ids
    decode back to the text, in the page and in Python."""
    found = _js(playground, "(texts) => texts.map((t) => pocket.encode(t))", texts)
    expected = tokenizer(texts)["input_ids"]
    wrong = [(t, ids, e) for t, ids, e in zip(texts, found, expected) if ids != e]
    assert not wrong, f"{len(wrong)} of {len(texts)} encode differently, e.g. {ascii(wrong[0][0])}: {wrong[0][1:]}"
    decoded = _js(playground, "(all) => all.map((ids) => pocket.decode(ids))", found)
    wrong = [(t, back) for t, ids, back in zip(texts, found, decoded) if not back == tokenizer.decode(ids) == t]
    assert not wrong, f"{len(wrong)} of {len(texts)} do not decode back, e.g. {ascii(wrong[0][0])} -> {ascii(wrong[0][1])}"


def test_tokenizer_equals_python_on_random_texts(playground: Visit, tokenizer) -> None:
    """Thousands of random strings from every plane (seeded), and the prose of two pages."""
    texts = random_texts(RANDOM_TEXTS, RANDOM_SEED)
    assert sum(t.startswith("\ufeff") for t in texts) > RANDOM_TEXTS // 20  # the byte-order mark case is drawn
    _assert_same_tokens(playground, tokenizer, texts + _more_texts())


def test_tokenizer_classes_every_code_point_as_python(playground: Visit, tokenizer) -> None:
    """Each code point whose class (whitespace, letter, digit) the browser's Unicode tables and
    Python's may disagree on is tokenized after a letter, after a digit, and between a space and a
    mark of punctuation, in the page and in Python. The candidates: every code point where the
    browser's \\s, \\p{White_Space}, \\p{L} or \\p{N} differs from Python's `regex` \\s or from
    `unicodedata`'s category (Unicode 14 in Python 3.11; the tokenizer's tables lie between it and
    the browser's), as ranges from the page."""
    import unicodedata

    names = ["js", "space", "letter", "digit"]
    classes = _js(playground, """() => {
        const patterns = [/\\s/u, /\\p{White_Space}/u, /\\p{L}/u, /\\p{N}/u];
        const found = patterns.map(() => []);  // each pattern's code points, as [first, last] runs
        for (let c = 0; c < 0x110000; c++) {
            if (c >= 0xd800 && c <= 0xdfff) continue;
            const s = String.fromCodePoint(c);
            for (let k = 0; k < patterns.length; k++) {
                if (!patterns[k].test(s)) continue;
                const runs = found[k], last = runs[runs.length - 1];
                if (last && last[1] === c - 1) last[1] = c; else runs.push([c, c]);
            }
        }
        return found;
    }""")
    expand = {k: {c for a, b in runs for c in range(a, b + 1)} for k, runs in zip(names, classes)}
    whitespace = set(_whitespace())
    assert expand["space"] == whitespace  # \p{White_Space} in the browser is regex's \s
    assert {0xFEFF} <= expand["js"] - whitespace and {0x85} <= whitespace - expand["js"]  # why \s is not used
    category = {c: unicodedata.category(chr(c))[0] for c in _code_points()}
    candidates = sorted(
        (expand["js"] ^ whitespace)
        | (expand["letter"] ^ {c for c, k in category.items() if k == "L"})
        | (expand["digit"] ^ {c for c, k in category.items() if k == "N"})
    )
    assert len(candidates) > 1000  # the browser's tables are newer: thousands of candidates
    # after a letter: is it a letter? after a digit: a digit? between a space and "!": whitespace
    # (a run of its own before "!") or punctuation (one word " c!")?
    texts = [t for c in candidates for t in ("a" + chr(c), "1" + chr(c), " " + chr(c) + "!")]
    _assert_same_tokens(playground, tokenizer, texts)


def test_decode_equals_python_on_any_ids(playground: Visit, tokenizer) -> None:
    """Ids that split a character's UTF-8 bytes decode to the same replacement characters."""
    generator = torch.Generator().manual_seed(0)
    runs = torch.randint(0, tokenizer.vocab_size, (50, 6), generator=generator).tolist()
    runs += [[447], [447, 250], [171, 119], [END_OF_TEXT_ID, 40, END_OF_TEXT_ID]]
    decoded = _js(playground, "(all) => all.map((ids) => pocket.decode(ids))", runs)
    assert decoded == [tokenizer.decode(ids) for ids in runs]


def test_special_token_as_python(playground: Visit, tokenizer) -> None:
    assert tokenizer("<|endoftext|>")["input_ids"] == [END_OF_TEXT_ID]
    assert _js(playground, "() => pocket.encode('<|endoftext|>')") == [END_OF_TEXT_ID]


# -- decoding ------------------------------------------------------------------------------------

@pytest.mark.parametrize("prompt", PROMPTS)
def test_greedy_equals_generate(playground: Visit, pocket, hf_generate, prompt: str) -> None:
    model, tokenizer = pocket
    ids = encode(tokenizer, prompt)
    expected = hf_generate(model, ids, 24, do_sample=False)[0, ids.shape[1]:].tolist()
    found = _js(playground, "(o) => pocket.generate(o)", {"prompt": prompt, "strategy": "greedy",
                                                           "maxNewTokens": 24})
    assert found["ids"] == expected
    assert found["text"] == tokenizer.decode(expected)


@pytest.mark.parametrize(("prompt", "num_beams", "length_penalty"), [
    (PROMPTS[0], 4, 1.0), (PROMPTS[1], 2, 1.0), (PROMPTS[2], 3, 0.5), (PROMPTS[3], 4, -1.0),
    (PROMPTS[4], 5, 2.0),
])
def test_beam_search_equals_generate(playground: Visit, pocket, hf_generate, prompt, num_beams, length_penalty) -> None:
    model, tokenizer = pocket
    ids = encode(tokenizer, prompt)
    out = hf_generate(model, ids, 12, do_sample=False, num_beams=num_beams, length_penalty=length_penalty,
                      output_scores=True, return_dict_in_generate=True)
    found = _js(playground, "(o) => pocket.generate(o)", {
        "prompt": prompt, "strategy": "beam", "maxNewTokens": 12, "numBeams": num_beams,
        "lengthPenalty": length_penalty})
    assert found["ids"] == out.sequences[0, ids.shape[1]:].tolist()
    # Scores: torch's float32 log_softmax over 50257 logits is off the exact value by up to about
    # 1e-5 per token (JS sums in doubles), so compare relatively, as tests/test_decoding_beam.py does.
    assert found["score"] == pytest.approx(out.sequences_scores.item(), rel=1e-5)
    # every finished beam, as the library's beam search lists them
    library = beam_search(model, ids, 12, num_beams=num_beams, length_penalty=length_penalty)
    assert [beam["ids"] for beam in found["beams"]] == [list(beam.ids) for beam in library.finished]
    assert [beam["score"] for beam in found["beams"]] == pytest.approx(
        [beam.score for beam in library.finished], rel=1e-5)


def _settings_id(settings: dict) -> str:
    return ",".join(f"{key}={value}" for key, value in settings.items()) or "none"


@pytest.mark.parametrize("settings", FILTER_SETTINGS, ids=_settings_id)
def test_distribution_equals_python(playground: Visit, pocket, settings: dict) -> None:
    model, tokenizer = pocket
    prompt = PROMPTS[1]
    logits = next_token_logits(model, encode(tokenizer, prompt))
    expected = apply_filters(logits, _python_filters(settings)).softmax(-1)  # (vocab,)
    found = torch.tensor(_js(playground, "async (o) => Array.from(await pocket.distribution(o))",
                             {"prompt": prompt, **settings}))
    assert found.shape == expected.shape == (50257,)
    assert int((found > 0).sum()) == int((expected > 0).sum())
    assert (found - expected).abs().max().item() < 1e-4
    assert found.sum().item() == pytest.approx(1.0, abs=1e-5)


INSPECT_PROMPTS = [
    "It is a truth universally acknowledged",
    "I can't forget you, for",
    "エマは",
    "こんにちは、世界",
    "Emma 😀 smiled at Mr. Knightley.",
    "x",
]
NEAR_TIE = 1e-4  # two logits this close are a tie: float32 rounding may pick either


def assert_inspect_equals_anatomy(model, ids: torch.Tensor, found: dict) -> None:
    """`found` (pocket.inspect's result) against gpt2guide.anatomy on the same (1, seq) ids."""
    n_layer, n_head = model.config.n_layer, model.config.n_head
    seq = ids.shape[1]
    assert found["ids"] == ids[0].tolist()
    attentions = torch.tensor(found["attentions"])  # (n_layer, n_head, seq, seq)
    assert attentions.shape == (n_layer, n_head, seq, seq)
    for layer in range(n_layer):
        expected = anatomy.attention_weights(model, ids, layer)[0]  # (n_head, seq, seq)
        assert (attentions[layer] - expected).abs().max().item() < 1e-4, f"layer {layer}"
    assert attentions.triu(1).abs().max().item() == 0  # nothing attends to a later position
    lens = anatomy.logit_lens(model, ids)[:, 0]  # (n_layer + 1, seq, vocab)
    chosen = torch.tensor(found["lens"])  # (n_layer + 1, seq)
    assert chosen.shape == lens.shape[:2]
    picked = lens.gather(-1, chosen.unsqueeze(-1)).squeeze(-1)  # the logit of the JS choice
    best = lens.max(-1).values  # (n_layer + 1, seq)
    assert (best - picked).max().item() <= NEAR_TIE, "a top-1 token of the lens differs beyond a near-tie"
    expected_p = lens.softmax(-1).max(-1).values
    assert (torch.tensor(found["lensProbs"]) - expected_p).abs().max().item() < 1e-4


@pytest.mark.parametrize("prompt", INSPECT_PROMPTS)
def test_inspect_equals_anatomy(playground: Visit, pocket, prompt: str) -> None:
    model, tokenizer = pocket
    ids = encode(tokenizer, prompt)
    found = _js(playground, "(o) => pocket.inspect(o)", {"prompt": prompt})
    assert found["tokens"] == tokenizer.convert_ids_to_tokens(ids[0].tolist())
    assert_inspect_equals_anatomy(model, ids, found)


def test_inspect_rejects_bad_options(playground: Visit) -> None:
    for options, argument in (({"prompt": ""}, "prompt"), ({"prompt": 3}, "prompt"), ({"text": "It"}, "text")):
        message = _js(playground, """(o) => pocket.inspect(o).then(() => null, (e) => e.message)""", options)
        assert message is not None and message.startswith(argument), message


def _token_bytes(tokenizer, ids: list[int]) -> list[bytes]:
    from gpt2guide.bpe import bytes_to_unicode

    byte_of = {char: byte for byte, char in bytes_to_unicode().items()}
    return [bytes(byte_of[c] for c in token) for token in tokenizer.convert_ids_to_tokens(ids)]


def test_tokens_read_as_a_reader_reads_them(playground: Visit, tokenizer) -> None:
    """Text where a token holds whole characters; hex bytes plus the character where it holds a part."""
    readable = "(ids) => import(new URL('readable.js', new URL(document.getElementById('pocket-playground')" \
               ".dataset.assets, location.href)).href).then((m) => m.readableTokens(pocket.tokenizer, ids))"
    ids = tokenizer("こんにちは、世界")["input_ids"]
    found = _js(playground, readable, ids)
    assert [t["parts"] for t in found][2:5] == [
        [{"text": "に"}], [{"bytes": "e3 81", "of": "ち"}], [{"bytes": "a1", "of": "ち"}]]
    assert found[7]["parts"] == [{"bytes": "e4 b8", "of": "世"}]
    assert [t["raw"] for t in found] == tokenizer.convert_ids_to_tokens(ids)
    emoji = _js(playground, readable, tokenizer("Emma 😀 smiled")["input_ids"])
    assert emoji[2]["parts"] == [{"text": " "}, {"bytes": "f0 9f 98", "of": "😀"}]
    # every text (random ones from every plane too): each token's parts are exactly its bytes,
    # no stand-in letters, no U+FFFD
    texts = [t for t in random_texts(200, RANDOM_SEED + 1) if "\ufffd" not in t] + ["\u00e9\u0301", "日本語の文章です。"]
    all_ids = tokenizer(texts)["input_ids"]
    all_found = _js(playground, f"(all) => Promise.all(all.map({readable}))", all_ids)
    for text, ids, found in zip(texts, all_ids, all_found):
        for token, expected in zip(found, _token_bytes(tokenizer, ids)):
            got = b"".join(p["text"].encode() if "text" in p else bytes.fromhex(p["bytes"]) for p in token["parts"])
            assert got == expected, (text, token)
            assert all("\ufffd" not in p.get("text", "") for p in token["parts"])
    broken = _js(playground, readable, [447])  # two bytes of a three-byte character, alone
    assert broken[0]["parts"] == [{"bytes": "e2 80", "of": None}]


TIES = [
    ("topKFilter", [3.0, 2.0, 2.0, 2.0, 1.0], 2, lambda t, v: top_k_filter(t, v)),
    ("topPFilter", [1.0, 1.0, 1.0, 1.0], 0.5, lambda t, v: top_p_filter(t, v)),
    ("topPFilter", [1.0, 2.0, 1.0, 1.0, 2.0, 1.0], 0.5, lambda t, v: top_p_filter(t, v)),
    ("topPFilter", [0.0, 0.0, 0.0, 0.0, 0.0], 0.6, lambda t, v: top_p_filter(t, v)),
    ("topPFilter", [2.0, 1.0, 1.0, float("-inf"), 1.0, 0.0], 0.6, lambda t, v: top_p_filter(t, v)),
    ("topPFilter", [0.5] * 7 + [1.0], 0.7, lambda t, v: top_p_filter(t, v)),
    ("minPFilter", [3.0, 3.0, 2.0, 1.0], 1.0, lambda t, v: min_p_filter(t, v)),
    ("minPFilter", [2.0, 1.0, 0.0], 0.5, lambda t, v: min_p_filter(t, v)),
    ("topPFilter", [1.0, 2.0, 2.0, 0.5], 0, lambda t, v: top_p_filter(t, v)),
    ("minPFilter", [2.0, 1.0, 0.0], 0, lambda t, v: min_p_filter(t, v)),
]


@pytest.mark.parametrize(("name", "logits", "value", "python"), TIES,
                         ids=[f"{name}-{value}-{len(logits)}" for name, logits, value, _ in TIES])
def test_filters_treat_ties_as_python(playground: Visit, name, logits, value, python) -> None:
    kept = _js(playground, """async ([name, logits, value]) => {
        const folder = new URL(document.getElementById("pocket-playground").dataset.assets, location.href);
        const filters = await import(new URL("filters.js", folder).href);
        return Array.from(filters[name](Float64Array.from(logits), value), (x) => x !== -Infinity);
    }""", [name, logits, value])
    assert kept == python(torch.tensor(logits), value).isfinite().tolist()


def test_simd_head_equals_plain_js(playground: Visit) -> None:
    """The head runs in WebAssembly SIMD (float32 sums); the plain-JS fallback (double sums) agrees."""
    simd, difference = _js(playground, """() => {
        const model = pocket.model, x = new Float32Array(model.config.n_embd);
        for (let i = 0; i < x.length; i++) x[i] = Math.sin(i);  // any vector
        const a = model.head(x), b = model.headJs(x);
        let worst = 0;
        for (let t = 0; t < a.length; t++) worst = Math.max(worst, Math.abs(a[t] - b[t]));
        return [model.simd !== null, worst];
    }""")
    assert simd, "Chromium should run the WebAssembly SIMD head"
    assert difference < 1e-4


def test_same_seed_same_text(playground: Visit) -> None:
    options = {"prompt": PROMPTS[0], "strategy": "sample", "maxNewTokens": 20, "temperature": 1.2,
               "topK": 0, "seed": 7}
    first, second = (_js(playground, "(o) => pocket.generate(o)", options) for _ in range(2))
    assert first["ids"] == second["ids"] and len(first["ids"]) == 20
    other = _js(playground, "(o) => pocket.generate(o)", {**options, "seed": 8})
    assert other["ids"] != first["ids"]


def test_top_k_1_sampling_is_greedy(playground: Visit) -> None:
    """Sampling from one kept token draws it: top-k 1 gives greedy decoding's text, whatever the seed."""
    sampled = _js(playground, "(o) => pocket.generate(o)", {"prompt": PROMPTS[2], "strategy": "sample",
                                                             "topK": 1, "seed": 3, "maxNewTokens": 16})
    greedy = _js(playground, "(o) => pocket.generate(o)", {"prompt": PROMPTS[2], "maxNewTokens": 16})
    assert sampled["ids"] == greedy["ids"]


@pytest.mark.parametrize(("options", "argument"), BAD_OPTIONS, ids=[str(i) for i in range(len(BAD_OPTIONS))])
def test_bad_options_reject_with_a_message(playground: Visit, options, argument) -> None:
    message = _js(playground, """async (o) => {
        try { await pocket.generate(o); return null; } catch (error) { return error.message; }
    }""", options)
    assert message is not None and message.startswith(argument), message
    # the page is not frozen: the next good call works
    assert len(_js(playground, "(o) => pocket.generate(o).then((r) => r.ids)",
                   {"prompt": "It", "maxNewTokens": 2})) == 2


# The values each sampling option is tried with: inside, at and beyond the ends of its range, and
# of the wrong type. (No float with an integral value for top-k: JSON carries 3.0 as 3.)
CONTRACT_VALUES = {
    "temperature": [-1, 0, 1e-9, 0.7, 1, 2, 1e6, float("inf"), float("nan"), "1", True, None],
    "top_k": [-1, 0, 1, 40, 50257, 10**9, 2.5, 0.5, float("nan"), "3", True, None],
    "top_p": [-0.5, -1e-9, 0, 1e-9, 0.5, 1, 1 + 1e-9, 1.5, float("inf"), float("nan"), "0.5", True, None],
    "min_p": [-0.5, -1e-9, 0, 1e-9, 0.5, 1, 1 + 1e-9, 1.5, float("inf"), float("nan"), "0.5", True, None],
}
JS_NAMES = {"temperature": "temperature", "top_k": "topK", "top_p": "topP", "min_p": "minP"}


def test_options_have_python_s_ranges(playground: Visit) -> None:
    """Each sampling option is accepted or refused by the page's checks (checks.js) exactly as
    by gpt2guide's (sampling_filters), and a refusal names the option in both."""
    from gpt2guide.validation import WrongType, WrongValue

    cases = [(name, value) for name, values in CONTRACT_VALUES.items() for value in values]
    python = []
    for name, value in cases:
        try:
            sampling_filters(**{name: value})
            python.append(None)
        except (WrongType, WrongValue) as error:
            python.append(error.argument)
    found = _js(playground, """async (cases) => {
        const folder = new URL(document.getElementById("pocket-playground").dataset.assets, location.href);
        const checks = await import(new URL("checks.js", folder).href);
        return cases.map(([name, value]) => {
            try { checks.checkDistributionOptions({prompt: "It", [name]: value}); return null; }
            catch (error) { return error.message.split(":")[0]; }
        });
    }""", [[JS_NAMES[name], value] for name, value in cases])
    assert sum(p is None for p in python) >= 12 and sum(p is not None for p in python) >= 30  # both happen
    differ = [(case, p, j) for case, p, j in zip(cases, python, found) if (p and JS_NAMES[p]) != j]
    assert not differ, f"(option, value), Python's refusal, the page's: {differ}"


def test_the_controls_show_the_errors_of_their_calls(playground: Visit) -> None:
    """The page's handlers show a failed call's message (window.pocket itself is left unwrapped:
    a console call rejects and shows nothing in the page)."""
    page = playground.page
    page.evaluate("""() => {
        window.__generate = pocket.generate;
        pocket.generate = () => Promise.reject(new Error("maxNewTokens: a failure the test made"));
    }""")
    try:
        page.check("input[value=greedy]")
        page.click(".pg-generate")
        shown = page.locator(".pg-error")
        shown.wait_for(state="visible")
        assert "a failure the test made" in shown.inner_text()
    finally:
        page.evaluate("() => { pocket.generate = window.__generate; }")
    page.click(".pg-generate")
    page.wait_for_function("document.querySelector('.pg-status-text').textContent.includes('tokens/s')")
    assert not page.locator(".pg-error").is_visible()


# -- the page ------------------------------------------------------------------------------------

def test_the_controls_drive_the_model(playground: Visit) -> None:
    page = playground.page
    # the prompt's tokens as chips with ids, Ġ visible
    chips = page.locator(".pg-chips:not(.pg-new-chips) .pg-chip")
    prompt = page.input_value(".pg-prompt")
    assert chips.count() == len(_js(playground, "(text) => pocket.encode(text)", prompt))
    assert "␣is" in chips.nth(1).inner_text() and "318" in chips.nth(1).inner_text()
    assert chips.nth(1).get_attribute("data-raw") == "Ġis"  # the vocabulary's string, on hover
    # the chart: ten bars; moving the top-k slider changes what each filter keeps
    page.check("input[value=sample]")
    page.locator(".pg-chart .pg-bar-row").nth(9).wait_for()
    page.fill("input[name=topK]", "3")
    page.wait_for_function("document.querySelector('.pg-kept').textContent.includes('after top-k 3')")
    assert page.locator(".pg-chart .pg-bar-row").count() == 3
    page.fill("input[name=topK]", "0")
    page.wait_for_function("document.querySelectorAll('.pg-chart .pg-bar-row').length === 10")
    # generate: the new tokens appear, the same as the API gives
    page.check("input[value=greedy]")
    page.click(".pg-generate")
    page.wait_for_function("document.querySelector('.pg-status-text').textContent.includes('tokens/s')")
    expected = _js(playground, "(o) => pocket.generate(o)", {"prompt": prompt, "maxNewTokens": 24})
    assert page.locator(".pg-new-chips .pg-chip").count() == len(expected["ids"])
    assert page.inner_text(".pg-new-text") == expected["text"]
    # beam search lists its final beams with scores
    page.check("input[value=beam]")
    page.click(".pg-generate")
    page.locator(".pg-beams-table tr").nth(4).wait_for()
    assert page.locator(".pg-beams-table tr").count() == 1 + 4  # header + num_beams


def test_the_inside_view_follows_the_prompt(playground: Visit, pocket) -> None:
    """The heatmap and the lens grid show the prompt's tokens, anatomy's numbers, the causal triangle."""
    model, tokenizer = pocket
    page = playground.page
    prompt = "こんにちは、世界"
    page.fill(".pg-prompt", prompt)
    page.wait_for_function("(p) => document.querySelector('.pg-lens-box').dataset.prompt === p", arg=prompt)
    n = len(tokenizer(prompt)["input_ids"])
    rows = page.locator(".pg-heat tbody tr")
    assert rows.count() == n
    assert page.locator(".pg-heat td.pg-masked").count() == n * (n - 1) // 2  # the causal triangle
    assert page.locator(".pg-lens tbody tr").count() == model.config.n_layer + 1
    header = page.locator(".pg-heat thead th").nth(4).inner_text()
    assert "e3 81" in header and "ち" in header and "ã" not in header
    page.select_option("select[name=pg-layer]", "2")
    page.select_option("select[name=pg-head]", "3")
    assert "2" in page.inner_text(".pg-heat caption") and "3" in page.inner_text(".pg-heat caption")
    expected = anatomy.attention_weights(model, encode(tokenizer, prompt), 2)[0, 3]  # (seq, seq)
    last = rows.nth(n - 1).locator("td.pg-cell").all_inner_texts()
    assert [int(x) for x in last] == pytest.approx([100 * w for w in expected[-1].tolist()], abs=0.51)
    top = int(expected[-1].argmax())
    assert rows.nth(n - 1).locator("td.pg-most").get_attribute("class") == "pg-most"
    most = rows.nth(n - 1).locator("td.pg-most .pg-tok").get_attribute("title")
    assert most.endswith(f"({tokenizer(prompt)['input_ids'][top]})")
    lens = anatomy.logit_lens(model, encode(tokenizer, prompt))[-1, 0].softmax(-1).max(-1).values  # (seq,)
    shown = page.locator(".pg-lens tbody tr").nth(model.config.n_layer).locator(".pg-p").all_inner_texts()
    assert [float(x) for x in shown] == pytest.approx(lens.tolist(), abs=0.0051)
    page.fill(".pg-prompt", PROMPTS[0])  # as the other tests expect the page
    page.wait_for_function("(p) => document.querySelector('.pg-lens-box').dataset.prompt === p", arg=PROMPTS[0])


# -- shareable links ---------------------------------------------------------------------------

def test_a_link_restores_the_controls(browser, site_url, playground: Visit) -> None:
    """#prompt=...&strategy=beam&numBeams=3: the controls take the link's values; the copy button gives the link."""
    context = browser.new_context(locale="en-US")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_url)
    try:
        page = context.new_page()
        page.goto(site_url + "/en/playground/#prompt=The%20weather%20was&strategy=beam&numBeams=3&lengthPenalty=0.5"
                  "&maxNewTokens=7", wait_until="load")
        _wait_ready(page)
        assert page.input_value(".pg-prompt") == "The weather was"
        assert page.is_checked("input[value=beam]")
        assert page.input_value("input[name=numBeams]") == "3"
        assert page.input_value("input[name=lengthPenalty]") == "0.5"
        assert page.input_value("input[name=maxNewTokens]") == "7"
        page.click(".pg-generate")
        page.locator(".pg-beams-table tr").nth(3).wait_for()
        expected = page.evaluate("(o) => pocket.generate(o)", {"prompt": "The weather was", "strategy": "beam",
                                                               "numBeams": 3, "lengthPenalty": 0.5, "maxNewTokens": 7})
        assert page.inner_text(".pg-new-text") == expected["text"]
        # a change of a control writes the hash; the copy button copies that link
        page.check("input[value=sample]")
        page.fill("input[name=temperature]", "0.7")
        page.fill("input[name=topK]", "40")
        page.click(".pg-copy")
        page.wait_for_function("document.querySelector('.pg-copy-status').textContent.length > 0")
        link = page.evaluate("navigator.clipboard.readText()")
        assert link == page.url == page.input_value(".pg-link")
        assert ("#prompt=The%20weather%20was&strategy=sample&maxNewTokens=7&temperature=0.7&topK=40&topP=1&seed=0"
                in link)
        other = context.new_page()
        other.goto(link, wait_until="load")
        _wait_ready(other)
        assert other.is_checked("input[value=sample]") and other.input_value("input[name=topK]") == "40"
        assert other.input_value("input[name=temperature]") == "0.7"
    finally:
        context.close()


# -- the reader's own checkpoint -------------------------------------------------------------

@pytest.fixture(scope="module")
def other_checkpoint(tmp_path_factory):
    """A random GPT-2 of another shape (2 layers, 3 heads, width 48, context 64), saved in F16."""
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(1)
    folder = tmp_path_factory.mktemp("other-checkpoint")
    config = GPT2Config(n_layer=2, n_head=3, n_embd=48, n_positions=64)
    GPT2LMHeadModel(config).to(torch.float16).save_pretrained(folder, safe_serialization=True)
    model = GPT2LMHeadModel.from_pretrained(folder, dtype=torch.float32).eval()
    return folder, model


def _choose_files(page, config, weights) -> None:
    """Put two files in the page's inputs: a path, or (name, bytes)."""
    def file(value):
        return value if isinstance(value, (str, Path)) else {"name": value[0], "mimeType": "application/octet-stream",
                                                              "buffer": value[1]}
    page.set_input_files("input[name=pg-config]", file(config))
    page.set_input_files("input[name=pg-weights]", file(weights))
    page.click(".pg-load-own")


def test_own_checkpoint_runs_and_equals_python(playground: Visit, other_checkpoint, tokenizer, hf_generate) -> None:
    folder, model = other_checkpoint
    page = playground.page
    _choose_files(page, folder / "config.json", folder / "model.safetensors")
    page.wait_for_function("pocket.checkpoint === 'own'")
    try:
        page.wait_for_function("document.querySelector('.pg-own-status').textContent.includes('2 layers')")
        assert page.locator("select[name=pg-head] option").count() == 3
        prompt = PROMPTS[1]
        ids = encode(tokenizer, prompt)
        for settings in ({}, {"temperature": 0.7, "topK": 40}):
            expected = apply_filters(next_token_logits(model, ids), _python_filters(settings)).softmax(-1)
            found = torch.tensor(_js(playground, "async (o) => Array.from(await pocket.distribution(o))",
                                     {"prompt": prompt, **settings}))
            assert (found - expected).abs().max().item() < 1e-4
        for text in (prompt, "こんにちは、世界"):
            found = _js(playground, "(o) => pocket.inspect(o)", {"prompt": text})
            assert_inspect_equals_anatomy(model, encode(tokenizer, text), found)
        greedy = _js(playground, "(o) => pocket.generate(o)", {"prompt": prompt, "maxNewTokens": 8})
        assert greedy["ids"] == hf_generate(model, ids, 8, do_sample=False)[0, ids.shape[1]:].tolist()
    finally:
        page.click(".pg-load-pocket")
        page.wait_for_function("pocket.checkpoint === 'pocket'")
    assert _js(playground, "() => pocket.config.n_layer") == 4
    assert page.locator("select[name=pg-head] option").count() == 4


def _bad_files(folder: Path) -> list:
    """(config, weights, words of the message) for files the page must refuse."""
    import json

    from safetensors.torch import load_file, save_file

    config = (folder / "config.json").read_bytes()
    tensors = load_file(folder / "model.safetensors")
    missing = folder / "missing.safetensors"
    save_file({k: v for k, v in tensors.items() if "h.1.mlp.c_fc" not in k}, missing)
    bf16 = folder / "bf16.safetensors"
    save_file({k: v.to(torch.bfloat16) for k, v in tensors.items()}, bf16)
    header = json.dumps({"wte.weight": {"dtype": "F16", "shape": [30000, 20000], "data_offsets": [0, 0]}}).encode()
    huge = len(header).to_bytes(8, "little") + header
    three_layers = json.dumps({**json.loads(config), "n_layer": 3}).encode()
    wide = json.dumps({**json.loads(config), "n_embd": 96}).encode()
    return [
        (("config.json", config), ("model.safetensors", config), "not a safetensors file"),
        (("config.json", b"{not json"), ("model.safetensors", b"x"), "not valid JSON"),
        (("config.json", config), ("model.safetensors", missing.read_bytes()), "h.1.mlp.c_fc"),
        (("config.json", three_layers), ("model.safetensors", (folder / "model.safetensors").read_bytes()), "h.2."),
        (("config.json", wide), ("model.safetensors", (folder / "model.safetensors").read_bytes()), "shape"),
        (("config.json", config), ("model.safetensors", bf16.read_bytes()), "BF16"),
        (("config.json", config), ("model.safetensors", huge), "more than this page can hold"),
    ]


def test_bad_checkpoint_files_keep_the_model(playground: Visit, other_checkpoint) -> None:
    folder, _ = other_checkpoint
    page = playground.page
    before = _js(playground, "(o) => pocket.generate(o).then((r) => r.ids)", {"prompt": PROMPTS[0], "maxNewTokens": 4})
    for config, weights, words in _bad_files(folder):
        page.evaluate("document.querySelector('.pg-own-error').hidden = true")
        _choose_files(page, config, weights)
        shown = page.locator(".pg-own-error")
        shown.wait_for(state="visible")
        assert words in shown.inner_text() and "previous model keeps running" in shown.inner_text(), shown.inner_text()
        assert _js(playground, "() => pocket.checkpoint") == "pocket"
        after = _js(playground, "(o) => pocket.generate(o).then((r) => r.ids)",
                    {"prompt": PROMPTS[0], "maxNewTokens": 4})
        assert after == before
    message = _js(playground, "() => pocket.loadCheckpoint({config: {n_layer: 2}, weights: 5})"
                              ".then(() => null, (e) => e.message)")
    assert message.startswith("config") or message.startswith("weights"), message


# -- never frozen, and usable by keyboard and screen reader -------------------------------------

LONG_TASK_MS = 200  # the bound: no main-thread task longer while loading, inspecting or generating
ATTEMPTS = 3  # fresh tabs tried; the best counts (the machine may be busy with other work)
OBSERVE_LONG_TASKS = """window.__long = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__long.push([e.startTime, e.duration]); })
  .observe({type: "longtask", buffered: true});"""


def _longest_task(browser, site_url) -> tuple[float, dict]:
    """One fresh tab: load, type a prompt (inspect runs), generate; the longest task after the page's module started."""
    context = browser.new_context(locale="en-US")
    context.add_init_script(OBSERVE_LONG_TASKS)
    try:
        page = context.new_page()
        page.goto(site_url + "/en/playground/", wait_until="load")
        _wait_ready(page)
        prompt = " ".join([PROMPTS[0]] * 6)  # 36 tokens
        page.fill(".pg-prompt", prompt)
        page.wait_for_function("(p) => document.querySelector('.pg-lens-box').dataset.prompt === p", arg=prompt)
        page.click(".pg-generate")
        page.wait_for_function("document.querySelector('.pg-status-text').textContent.includes('tokens/s')")
        page.wait_for_timeout(200)  # the observer reports a moment after a task ends
        return page.evaluate("""() => {
            const start = performance.getEntriesByName("playground-start")[0].startTime;
            const ours = window.__long.filter(([at]) => at >= start).map(([, d]) => d);
            return [Math.max(0, ...ours), pocket.timings];
        }""")
    finally:
        context.close()


@pytest.mark.alone  # a busy core next to the tab would be timed too
def test_no_long_main_thread_task(browser, site_url) -> None:
    """No task over 200 ms from the page's start to ready, then while inspecting and generating (best of 3 tabs)."""
    runs = []
    for _ in range(ATTEMPTS):
        longest, timings = _longest_task(browser, site_url)
        runs.append((round(longest), round((timings["ready"] - timings["filesArrived"]) / 1000, 2)))
        if longest <= LONG_TASK_MS:
            break
    assert min(longest for longest, _ in runs) <= LONG_TASK_MS, f"(longest task ms, files-to-ready s) per tab: {runs}"
    assert min(ready for _, ready in runs) <= 2.0, f"ready more than 2 s after the files arrived: {runs}"


def test_controls_have_names_a_screen_reader_announces(playground: Visit) -> None:
    page = playground.page
    for role, name in [("textbox", "Prompt"), ("group", "Decoding"), ("radio", "Greedy"), ("radio", "Beam search"),
                       ("slider", "New tokens"), ("button", "Generate"), ("progressbar", "Loading the pocket model"),
                       ("combobox", "Layer"), ("combobox", "Head"), ("region", "Attention weights"),
                       ("region", "Logit lens"), ("button", "Copy the link"), ("textbox", "Link to this prompt"),
                       ("button", "Run this checkpoint"), ("button", "Back to the pocket model")]:
        assert page.get_by_role(role, name=name).count() >= 1, (role, name)
    page.check("input[value=sample]")
    for name in ("Temperature", "top-k", "top-p", "min-p"):
        assert page.get_by_role("slider", name=name).count() == 1, name
    page.check("input[value=greedy]")
    # the progress is told by a live region; errors by an alert
    assert page.locator(".pg-status").get_attribute("aria-live") == "polite"
    assert page.locator(".pg-error").get_attribute("role") == "alert"


def test_usable_with_the_keyboard_alone(playground: Visit) -> None:
    page = playground.page
    page.focus(".pg-prompt")
    reached = []
    for _ in range(80):  # Tab through the page from the prompt on
        page.keyboard.press("Tab")
        reached.append(page.evaluate("""() => { const e = document.activeElement;
            return e.name || e.className || e.tagName; }"""))
    for wanted in ("pg-strategy", "maxNewTokens", "pg-generate", "pg-copy", "pg-link", "pg-beams", "pg-layer",
                   "pg-head", "pg-heat-box", "pg-lens-box", "pg-config", "pg-weights", "pg-load-own", "pg-load-pocket"):
        assert any(wanted in r.split() for r in reached), (wanted, reached)
    # choose beam search with the arrow keys, widen it with a slider, generate with Enter
    page.focus("input[value=greedy]")
    page.keyboard.press("ArrowDown")
    assert page.is_checked("input[value=beam]")
    page.focus("input[name=numBeams]")
    before = int(page.input_value("input[name=numBeams]"))
    page.keyboard.press("ArrowLeft")
    assert int(page.input_value("input[name=numBeams]")) == before - 1
    page.focus(".pg-generate")
    page.keyboard.press("Enter")
    page.locator(".pg-beams-table tr").nth(before - 1).wait_for()
    # a focused table scrolls sideways with the arrow keys
    page.fill(".pg-prompt", " ".join([PROMPTS[0]] * 4))
    page.wait_for_function("(b => b.scrollWidth > b.clientWidth)(document.querySelector('.pg-heat-box'))")
    page.focus(".pg-heat-box")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('.pg-heat-box').scrollLeft > 0")
    page.keyboard.press("Home")
    page.fill(".pg-prompt", PROMPTS[0])
    page.fill("input[name=numBeams]", "4")
    page.check("input[value=greedy]")


def test_download_reports_progress(playground: Visit) -> None:
    """The files arrive through a stream reader, chunk by chunk, and the page counts every byte."""
    progress = _js(playground, "() => pocket.progress")
    files = _js(playground, "() => JSON.parse(document.getElementById('pocket-playground').dataset.files)")
    stated = sum(size for _, size in files)
    assert progress["loaded"] == progress["total"] == stated
    assert progress["reports"] > 5  # many chunks, not one report at the end
    assert playground.page.locator(".pg-progress").get_attribute("value") == "1"


def test_no_request_leaves_localhost(playground: Visit) -> None:
    assert any("assets/playground/model.safetensors" in url for url in playground.requests)
    playground.check()


@pytest.mark.parametrize(("path", "button", "empty", "not_safetensors"), [
    ("/playground/", "生成する", "プロンプトが空です", "config.json はここでは動きません"),
    ("/en/playground/", "Generate", "The prompt is empty", "cannot run here"),
])
def test_page_fits_a_phone(browser, site_url, path, button, empty, not_safetensors) -> None:
    """At 390 px: no sideways scroll, the controls inside the screen, labels in the page's language."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP")
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(site_url + path, wait_until="load")
        _wait_ready(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the page scrolls sideways"
        for selector in (".pg-prompt", "input[name=maxNewTokens]", ".pg-generate", ".pg-chart", ".pg-heat-box",
                         ".pg-lens-box", ".pg-link", "input[name=pg-weights]"):
            box = page.locator(selector).bounding_box()
            assert box and box["width"] > 0 and box["x"] >= 0 and box["x"] + box["width"] <= 390, selector
        assert page.inner_text(".pg-generate") == button
        page.click(".pg-generate")
        page.wait_for_function("document.querySelectorAll('.pg-new-chips .pg-chip').length > 0")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # a mistake made with the controls is told in the page's language
        page.fill(".pg-prompt", "")
        page.locator(".pg-error").wait_for(state="visible")
        assert empty in page.inner_text(".pg-error")
        # a file the page cannot run is told in the page's language too
        _choose_files(page, ("config.json", b"{}"), ("model.safetensors", b"not safetensors"))
        page.locator(".pg-own-error").wait_for(state="visible")
        assert not_safetensors in page.inner_text(".pg-own-error")
        assert not errors, errors
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/", "/generation/", "/en/tokens/"])
def test_other_pages_do_not_load_the_playground(visit: Visit, path: str) -> None:
    visit.open(path)
    visit.page.wait_for_load_state("networkidle")
    assert not [url for url in visit.requests if "assets/playground/" in url]
    visit.check()


def test_download_size_is_measured(built_site) -> None:
    """The page states the size of the files it fetches, as the build measured them."""
    site = built_site.require()
    files = sorted((site / "assets" / "playground").glob("*"))
    fetched = ("config.json", "generation_config.json", "vocab.json", "merges.txt", "model.safetensors")
    size = sum((site / "assets" / "playground" / name).stat().st_size for name in fetched)
    assert {name for name in fetched} <= {path.name for path in files}
    for page in ("playground/index.html", "en/playground/index.html"):
        html = (site / page).read_text(encoding="utf-8")
        assert f"{size / 1e6:.1f} MB" in html
        assert "{{" not in html.split('id="pocket-playground"')[1].split("</div>")[0]


# -- training in the browser: the backward pass and AdamW (backward.js) ----------------------------

# (n_layer, n_head, n_embd, vocab_size, n_positions, batch, seq): odd sizes, so no axis hides another
BACKWARD_SHAPES = [(2, 2, 8, 37, 16, 2, 5), (1, 3, 12, 50, 8, 3, 7)]
CONFIG_KEYS = ("n_layer", "n_head", "n_embd", "vocab_size", "n_positions", "n_inner", "layer_norm_epsilon")
BACKWARD_JS = """async (args) => {
    const folder = new URL(document.getElementById("pocket-playground").dataset.assets, location.href);
    const backward = await import(new URL("backward.js", folder).href);
    const tensors = (named) => Object.fromEntries(Object.entries(named).map(([n, v]) => [n, Float32Array.from(v)]));
    const lists = (named) => Object.fromEntries(Object.entries(named).map(([n, v]) => [n, Array.from(v)]));
    const params = tensors(args.params);
    if (args.grads === undefined) {
        const { loss, grads } = backward.lossAndGradients(params, args.config, args.ids);
        return { loss, grads: lists(grads) };
    }
    const { simdAdamW } = await import(new URL("simd-adamw.js", folder).href);
    const optimizer = args.simd ? simdAdamW(params, args.settings) : new backward.AdamW(params, args.settings);
    for (let step = 0; step < args.steps; step++) optimizer.step(tensors(args.grads));
    return lists(params);
}"""


def _random_gpt2(seed: int, n_layer: int, n_head: int, n_embd: int, vocab: int, positions: int):
    """A random GPT-2 whose every parameter is perturbed (no layer norm left at exactly 1 and 0)."""
    from transformers import GPT2Config, GPT2LMHeadModel

    generator = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng():  # the weights' initialisation draws from the global generator
        torch.manual_seed(seed)
        model = GPT2LMHeadModel(GPT2Config(n_layer=n_layer, n_head=n_head, n_embd=n_embd, vocab_size=vocab,
                                           n_positions=positions, bos_token_id=0, eos_token_id=0)).eval()
    with torch.no_grad():
        for p in model.parameters():
            p += 0.1 * torch.randn(p.shape, generator=generator)
    return model, generator


def _flat(model) -> dict:
    return {name: p.detach().flatten().tolist() for name, p in model.named_parameters()}


@pytest.mark.parametrize("shape", BACKWARD_SHAPES, ids=["x".join(map(str, s)) for s in BACKWARD_SHAPES])
def test_backward_js_equals_autograd(playground: Visit, shape) -> None:
    """Every parameter's gradient (float32) within a relative 1e-4 of autograd's; the tied token
    embedding once, its two paths summed; the loss as the model's."""
    n_layer, n_head, n_embd, vocab, positions, batch, seq = shape
    model, generator = _random_gpt2(len(BACKWARD_SHAPES) + n_embd, n_layer, n_head, n_embd, vocab, positions)
    ids = torch.randint(0, vocab, (batch, seq), generator=generator)
    loss = model(ids, labels=ids).loss
    loss.backward()
    config = {key: getattr(model.config, key) for key in CONFIG_KEYS}
    found = _js(playground, BACKWARD_JS, {"params": _flat(model), "config": config, "ids": ids.tolist()})
    names = [name for name, _ in model.named_parameters()]
    assert sorted(found["grads"]) == sorted(names) and "lm_head.weight" not in names  # tied: wte once
    for name, p in model.named_parameters():
        expected = p.grad.flatten()
        difference = (torch.tensor(found["grads"][name]) - expected).abs().max() / expected.abs().max()
        assert difference < 1e-4, f"{name}: relative {difference:.2e}"
    assert found["loss"] == pytest.approx(loss.item(), rel=1e-5)


@pytest.mark.parametrize("simd", [False, True], ids=["backward.js", "simd-adamw.js"])
def test_adamw_js_equals_torch(playground: Visit, simd: bool) -> None:
    """Three AdamW steps in the page move every parameter as torch.optim.AdamW does (the recipe's
    learning rate and weight decay), within a relative 1e-4 of the total move for backward.js's AdamW
    (in doubles) and 1e-5 for simd-adamw.js's (WebAssembly SIMD, float32 as torch's)."""
    from gpt2guide.pocket.train import TrainConfig

    recipe = TrainConfig()
    model, generator = _random_gpt2(5, *BACKWARD_SHAPES[0][:5])
    grads = {name: torch.randn(p.shape, generator=generator) for name, p in model.named_parameters()}
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    found = _js(playground, BACKWARD_JS, {
        "params": _flat(model), "grads": {n: g.flatten().tolist() for n, g in grads.items()}, "steps": 3, "simd": simd,
        "settings": {"lr": recipe.lr, "weightDecay": recipe.weight_decay, "betas": [0.9, 0.999], "eps": 1e-8}})
    optimizer = torch.optim.AdamW(model.parameters(), lr=recipe.lr, weight_decay=recipe.weight_decay,
                                  betas=(0.9, 0.999), eps=1e-8)
    for _ in range(3):
        for name, p in model.named_parameters():
            p.grad = grads[name].clone()
        optimizer.step()
    for name, p in model.named_parameters():
        moved = p.detach().flatten() - before[name].flatten()
        difference = (torch.tensor(found[name]) - before[name].flatten() - moved).abs().max() / moved.abs().max()
        # float32 in torch's order (simd-adamw.js) is within rounding of torch's float32 steps; doubles
        # (backward.js) round elsewhere
        assert difference < (1e-5 if simd else 1e-4), f"{name}: relative {difference:.2e}"
