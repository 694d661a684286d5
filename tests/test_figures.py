"""The guide's figures: fresh, deterministic, in both languages, and drawn from the library's own numbers.

The committed SVGs in docs/assets/figures must draw what ``python -m tools figures`` draws now: the same
markup, and numbers within 0.01 pt, after hashed clip-path ids are renamed in order
(``tools.figures.svgdiff``). The last float bits differ between CPUs (an AMD EPYC and an Intel
Xeon give other clip-path ids); a figure goes stale when a figure module, the library or the pocket
model's weights change, and the tests below check both halves of that. The two figures drawn from
a training run that their page runs and prints (RETRAINED) are redrawn weekly, with --heavy.
"""

import ast
import logging
import re
import shutil
import warnings
from pathlib import Path

import pytest
from doctest_blocks import runnable_code  # the code of a >>> block (site_hooks/, on pytest's pythonpath)

from gpt2guide.threads import one_thread

# The test extra installs matplotlib and japanize-matplotlib (through the docs extra): no skip.
from tools import pages
from tools.__main__ import main
from tools.commands.figures import stale_pages
from tools.figures import FIGURES, LANGUAGES, beam_tree, page_images, page_language, parameters, sources, style, svgdiff, top_k_top_p

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "docs" / "assets" / "figures"
REDRAW = "run `python -m tools figures` and commit docs/assets/figures"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")  # kana and kanji
MAX_BYTES = 200_000


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


# Figures whose data is a training run that their page runs too, printing the same history (the
# page's doctest checks it on every run): their redraw, which trains again, runs weekly with --heavy.
RETRAINED = ("train-your-own", "induction-head")


def _drawn_names(config: pytest.Config) -> list[str]:
    """The figures the `drawn` fixture draws: all with --heavy, else all but RETRAINED."""
    return list(FIGURES) if config.getoption("--heavy") else [name for name in FIGURES if name not in RETRAINED]


@pytest.fixture(scope="module")
def drawn(tmp_path_factory, request):
    """The figures drawn into a fresh folder (by the command itself with --heavy: every figure), with
    every warning an error.

    Missing glyphs are warnings (``Glyph ... missing from font(s)``); a font matplotlib cannot find
    is a message on its logger (``findfont: ...``). Both fail here.
    """
    from tools.figures import draw_all

    out = tmp_path_factory.mktemp("figures")
    names = _drawn_names(request.config)
    records = _Records()
    logger = logging.getLogger("matplotlib")
    logger.addHandler(records)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            if names == list(FIGURES):
                assert main(["figures", "--out", str(out)]) == 0
            else:
                draw_all(out, names)
    finally:
        logger.removeHandler(records)
    assert records.messages == [], f"matplotlib logged warnings while drawing: {records.messages}"
    return out


@pytest.mark.slow
def test_the_command_draws_every_figure_in_both_languages(drawn, request):
    expected = {FIGURES[name].file(lang) for name in _drawn_names(request.config) for lang in LANGUAGES}
    assert {p.name for p in drawn.iterdir()} == expected
    for path in drawn.iterdir():
        assert path.stat().st_size < MAX_BYTES, f"{path.name}: {path.stat().st_size} bytes, keep figures small"
        head = path.read_text(encoding="utf-8")[:600]
        assert "<svg" in head and "<dc:date>" not in head, path.name


def _train_calls(page: Path) -> list[dict]:
    """The keyword arguments of each `train(...)` call in the page's code, a name bound on the page
    to a constant (`V, length = 32, 40`) read as that constant; other expressions left out."""
    code = "\n".join(runnable_code(b.source) if b.is_doctest else b.source
                     for b in pages.code_blocks(page.read_text(encoding="utf-8")))
    tree = ast.parse(code)
    constants = {}
    for node in ast.walk(tree):
        for target in getattr(node, "targets", []) if isinstance(node, ast.Assign) else []:
            names = target.elts if isinstance(target, ast.Tuple) else [target]
            values = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
            constants.update({n.id: v.value for n, v in zip(names, values)
                              if isinstance(n, ast.Name) and isinstance(v, ast.Constant)})
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "train":
            values = {k.arg: k.value.value if isinstance(k.value, ast.Constant) else constants.get(getattr(k.value, "id", None))
                      for k in node.keywords}
            calls.append({key: value for key, value in values.items() if value is not None})
    return calls


def test_a_retrained_figure_is_a_run_its_page_prints():
    """The figures left to the weekly run train what their page trains, with the same arguments."""
    from tools.figures import induction_head, train_your_own

    assert set(RETRAINED) == {induction_head.SPEC.name, train_your_own.SPEC.name}
    for page, runs in (("beyond/interpretability.en.md", [induction_head.PAGE_RUN]),
                       ("training.en.md", [train_your_own.PAGE_RUN, train_your_own.BY_HEART_RUN])):
        calls = _train_calls(ROOT / "docs" / page)
        for run in runs:
            assert any(run.items() <= call.items() for call in calls), (page, run, calls)
    changed = {**train_your_own.PAGE_RUN, "steps": 41}
    assert not any(changed.items() <= call.items() for call in _train_calls(ROOT / "docs" / "training.en.md"))


@pytest.mark.slow
def test_committed_figures_equal_a_fresh_drawing(drawn):
    committed = {p.name for p in COMMITTED.glob("*.svg")}
    every = {spec.file(lang) for spec in FIGURES.values() for lang in LANGUAGES}
    fresh = {p.name for p in drawn.glob("*.svg")}
    assert not every - committed, f"figures missing from docs/assets/figures: {sorted(every - committed)}; {REDRAW}"
    assert not committed - every, f"files in docs/assets/figures with no figure behind them: {sorted(committed - every)}; delete them"
    stale = {n: svgdiff.difference((drawn / n).read_text(encoding="utf-8"), (COMMITTED / n).read_text(encoding="utf-8"))
             for n in sorted(fresh)}
    stale = {n: why for n, why in stale.items() if why}
    assert not stale, (f"stale figures in docs/assets/figures: {stale} (a figure module, the library or the pocket "
                       f"weights changed); {REDRAW}")


def _draw_temperature(data, lang="en") -> str:
    import io

    spec = FIGURES["temperature"]
    with style.context(lang):
        buffer = io.StringIO()
        spec.draw(data, lang).savefig(buffer, format="svg", metadata={"Date": None, "Creator": None},
                                      facecolor="white", edgecolor=style.BORDER)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def temperature_data():
    with one_thread():
        return FIGURES["temperature"].data()


@pytest.mark.slow
def test_last_bit_differences_are_not_staleness(drawn, temperature_data):
    """What differs between CPUs: hashed clip-path ids and the last bits of the numbers."""
    committed = (COMMITTED / "temperature.en.svg").read_text(encoding="utf-8")
    ids = sorted(set(svgdiff.HASHED_ID.findall(committed)))
    assert ids, "the figure has no hashed clip-path ids: the test below tests nothing"
    renamed = committed
    for index, old in enumerate(ids):
        renamed = renamed.replace(old, f"p{index:010x}")  # another CPU, other hashes
    assert renamed != committed and svgdiff.equivalent(renamed, committed)
    # Data off in the 13th digit (as a float sum in another order on another CPU) draws the same figure.
    nudged = {**temperature_data, "probabilities": {t: [p * (1 + 1e-13) for p in ps]
                                                    for t, ps in temperature_data["probabilities"].items()}}
    assert svgdiff.equivalent(_draw_temperature(nudged), committed)


@pytest.mark.slow  # draws the figure three times (not in the quick loop)
def test_a_changed_figure_is_stale(temperature_data):
    """Changed data (another model, another prompt) or changed figure code must fail the comparison."""
    committed = (COMMITTED / "temperature.en.svg").read_text(encoding="utf-8")
    assert svgdiff.equivalent(_draw_temperature(temperature_data), committed)
    changed = {**temperature_data, "probabilities": {t: [p * 1.02 for p in ps]
                                                     for t, ps in temperature_data["probabilities"].items()}}
    assert "differs" in svgdiff.difference(_draw_temperature(changed), committed)
    relabelled = {**temperature_data, "tokens": [*temperature_data["tokens"][:-1], " other"]}
    assert not svgdiff.equivalent(_draw_temperature(relabelled), committed)
    assert not svgdiff.equivalent(committed.replace(style.BLUE.lower(), style.ORANGE.lower()), committed)  # a colour
    with pytest.raises(TypeError, match="a, b"):
        svgdiff.difference(b"<svg/>", committed)


@pytest.mark.slow  # draws the figure twice (not in the quick loop)
def test_drawing_twice_gives_the_same_bytes(tmp_path):
    """Determinism: fixed hash salt, no date, float64 numbers, one thread."""
    spec = FIGURES["temperature"]
    for run in ("a", "b"):
        with one_thread():
            data = spec.data()
        with style.context("ja"):
            style.save_svg(spec.draw(data, "ja"), tmp_path / run / spec.file("ja"))
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


@pytest.mark.slow
def test_japanese_figures_are_set_in_the_japanese_font(drawn, request):
    # With svg.fonttype "path", each glyph is defined once with an id "<PostScript font name>-<code point>".
    for spec in (FIGURES[name] for name in _drawn_names(request.config)):
        ja = (drawn / spec.file("ja")).read_text(encoding="utf-8")
        en = (drawn / spec.file("en")).read_text(encoding="utf-8")
        assert f'id="{style.JA_FONT}-' in ja, f"{spec.file('ja')} has no glyph from {style.JA_FONT}"
        assert style.JA_FONT not in en, f"{spec.file('en')} uses the Japanese font"
        assert "<text" not in ja + en, "text must be drawn as paths, so the browser needs no font"


@pytest.mark.slow  # imports matplotlib (not in the quick loop)
def test_the_style_leaves_the_callers_settings_alone():
    import matplotlib

    before = dict(matplotlib.rcParams)
    with style.context("ja"):
        assert matplotlib.rcParams["svg.hashsalt"] == "gpt2guide"
    assert dict(matplotlib.rcParams) == before


@pytest.mark.parametrize("name", list(FIGURES))
def test_each_figure_has_a_title_and_alt_text_in_both_languages(name):
    spec = FIGURES[name]
    for texts in (spec.title, spec.alt):
        assert set(texts) == set(LANGUAGES)
        assert JAPANESE.search(texts["ja"]), texts["ja"]
        assert not JAPANESE.search(texts["en"]), texts["en"]
    assert len(spec.alt["en"]) > 80 and len(spec.alt["ja"]) > 40
    assert "]" not in spec.alt["ja"] + spec.alt["en"], "a ] would end the Markdown image's alt text"
    assert spec.src == f"assets/figures/{name}.svg"
    assert spec.markdown("en", up=1) == f"![{spec.alt['en']}](../assets/figures/{name}.svg)"
    if spec.pocket:  # the figure says whose output it is
        assert "ポケットモデル" in spec.title["ja"] and "pocket" in spec.title["en"]


def test_list_prints_names_files_and_alt_texts_without_drawing(capsys):
    import json

    assert main(["figures", "--list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["figures"]
    assert [f["name"] for f in listed] == list(FIGURES)
    assert listed[0]["files"] == {"ja": "temperature.ja.svg", "en": "temperature.en.svg"}
    assert listed[0]["alt"] == FIGURES["temperature"].alt


@pytest.mark.slow
def test_check_fails_on_a_stale_missing_or_left_over_figure(drawn, tmp_path, capsys, monkeypatch):
    import tools.figures
    from tools.commands.figures import compare

    copy = tmp_path / "committed"
    shutil.copytree(drawn, copy)
    assert compare(copy, drawn) == {"stale": [], "missing": [], "extra": []}
    (copy / "temperature.ja.svg").write_bytes(b"<svg/>")
    (copy / "parameters.en.svg").unlink()
    (copy / "old.ja.svg").write_bytes(b"<svg/>")
    assert compare(copy, drawn) == {"stale": ["temperature.ja.svg"], "missing": ["parameters.en.svg"],
                                     "extra": ["old.ja.svg"]}
    # The command itself, with the drawing replaced by a copy of the one already made.
    monkeypatch.setattr(tools.figures, "draw_all", lambda out: shutil.copytree(drawn, out, dirs_exist_ok=True))
    assert main(["figures", "--check", "--out", str(drawn)]) == 0
    assert main(["figures", "--check", "--out", str(copy)]) == 2
    error = capsys.readouterr().err
    assert "stale: temperature.ja.svg" in error and "run `python -m tools figures`" in error


@pytest.mark.slow  # the figure's data on the pocket model (not in the quick loop)
def test_top_k_top_p_counts_are_the_library_filters():
    import torch

    from gpt2guide.decoding import min_p_filter, top_k_filter, top_p_filter

    with one_thread():
        data = top_k_top_p.data()
        logits = sources.next_logits()
    probs = logits.softmax(-1)
    kept = {"top_k": top_k_filter(logits, top_k_top_p.TOP_K), "top_p": top_p_filter(logits, top_k_top_p.TOP_P),
            "min_p": min_p_filter(logits, top_k_top_p.MIN_P)}
    for key, filtered in kept.items():
        assert data["kept_count"][key] == int(torch.isfinite(filtered).sum()), key
    # The textbook definitions agree (the pocket model's logits have no ties at these cut-offs).
    sorted_probs = probs.sort(descending=True).values
    assert data["kept_count"]["top_k"] == top_k_top_p.TOP_K
    assert data["kept_count"]["top_p"] == int((sorted_probs.cumsum(0) < top_k_top_p.TOP_P).sum()) + 1
    assert data["kept_count"]["min_p"] == int((probs >= top_k_top_p.MIN_P * probs.max()).sum())
    # Each filter keeps a run of the most probable tokens: a prefix of the ranks drawn.
    for key, flags in data["kept"].items():
        n = min(data["kept_count"][key], len(flags))
        assert flags == [True] * n + [False] * (len(flags) - n), key
    assert data["probabilities"] == sorted(data["probabilities"], reverse=True)


def test_beam_tree_is_the_library_beam_search(pocket):
    from gpt2guide.decoding import beam_search, encode

    # The green path is the best sequence of the library's search, on the model the pages load (float32).
    model, tokenizer = pocket
    with one_thread():
        data = beam_tree.data()
        result = beam_search(model, encode(tokenizer, sources.PROMPT), beam_tree.MAX_NEW_TOKENS,
                             num_beams=beam_tree.NUM_BEAMS)
    nodes = data["nodes"]
    best = tuple(result.ids[0, -beam_tree.MAX_NEW_TOKENS:].tolist())
    assert data["best"] == best == result.best.ids
    assert [n["ids"] for n in nodes if n["status"] == beam_tree.BEST] == [best[:s] for s in range(1, len(best) + 1)]
    for step, beams in enumerate(data["library_beams"], start=1):
        drawn = {n["ids"]: n for n in nodes if n["step"] == step}
        kept = {ids for ids, n in drawn.items() if n["status"] != beam_tree.PRUNED}
        # The coloured nodes are the beams the library kept, with the same log-probabilities...
        assert kept == {ids for ids, _ in beams}
        for ids, log_p in beams:
            assert drawn[ids]["log_probability"] == pytest.approx(log_p, abs=1e-3)
        # ... and, unless an end-of-text token came up, the best NUM_BEAMS of the candidates drawn beside them.
        if len(beams) != beam_tree.NUM_BEAMS:
            continue
        ranked = sorted(drawn.values(), key=lambda n: -n["log_probability"])
        assert {n["ids"] for n in ranked[:beam_tree.NUM_BEAMS]} == kept


@pytest.mark.slow  # builds the models it counts (not in the quick loop)
def test_parameter_breakdown_adds_up_to_the_unique_count():
    from gpt2guide import count_parameters, skeleton

    data = parameters.data()
    assert sum(data["gpt2"].values()) == 124_439_808 == count_parameters(skeleton("gpt2"))
    assert sum(data["gpt2-xl"].values()) == 1_557_611_200 == count_parameters(skeleton("gpt2-xl"))
    assert data["gpt2"]["wte"] == 50257 * 768 and data["gpt2"]["wpe"] == 1024 * 768
    assert data["gpt2"]["ln"] == (12 * 2 + 1) * 2 * 768
    with pytest.raises(ValueError, match="no known part"):
        parameters.part_of("transformer.h.0.adapter.weight")


def test_every_page_image_is_its_spec():
    """Alt text and link of every figure on every page come from the figure's spec (``python -m tools figures``
    writes them); a page edited by hand, or a spec changed without the pages, fails here."""
    docs = ROOT / "docs"
    shown = set()
    for page in sorted(docs.rglob("*.md")):
        for written, spec in page_images(page.read_text(encoding="utf-8"), page_language(page)):
            assert written == spec, f"{page.relative_to(docs)}: the figure image is not its spec's; run `python -m tools figures`"
            shown.add(re.search(r"figures/([a-z0-9-]+)\.svg", spec).group(1))
    assert shown == set(FIGURES), f"figures no page shows: {sorted(set(FIGURES) - shown)}"
    assert stale_pages() == []


def test_a_changed_alt_text_is_seen():
    spec = FIGURES["temperature"]
    page = f"text\n\n{spec.markdown('en')}\n\n![an old alt text](../{spec.src})\n"
    (first, first_spec), (second, second_spec) = page_images(page, "en")
    assert first == first_spec and second != second_spec == spec.markdown("en", up=1)
