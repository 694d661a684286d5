"""The Japanese pages keep the house style of CONTRIBUTING.md ("日本語の表記").

The linter is tools/prose_lint/japanese.py (also ``python -m tools prose-lint``); this runs it on
every Japanese page, and on samples that show each rule can fail and that its masking holds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.pages import DOCS, ROOT
from tools.prose_lint.japanese import GLOSSARY_RULES, LINE_BREAK_RULES, PENDING, RULES, japanese_pages, lint, page_hits


@pytest.mark.parametrize("path", japanese_pages(),
                         ids=lambda p: p.relative_to(DOCS).as_posix())
def test_japanese_page_keeps_the_house_style(path: Path) -> None:
    hits = page_hits(path)
    assert not hits, (
        f"{path.relative_to(ROOT)} breaks the Japanese style of CONTRIBUTING.md:\n"
        + "\n".join(str(hit) for hit in hits)
    )


BAD = """\
# 例 { #example }

これは全角の（括弧）と：コロンです。ＧＰＴ－２、語彙数５００００。
GPT-2の語彙、KVキャッシュ、確率は10%、語彙は50257 個。
最初のトランスフォーマー(Vaswani ら, 2017)と LoRA(Hu ほか 2021)。
入力は "I can't" です。*斜体の和文*と _これも_ です。
これは例である。モデルは文を読む。次を予測できる。
ひとつ、しくみ、わかります、なにか、他の、良い、名前をつけます、学習した後の値。
全て、一番、語彙の大きさ、ビーム数、キーと値、形状 (バッチ, トークン数, 幅)、パラメーター。
文が 1 つ、一トークンずつ、fp32 の重み、プレ LN、ペア、あなたの環境、サーバー、中を覗く、ヘッドごと。
本物の gpt2、8 窓おき、最後の位置「 for」、1,200 ステップ、値 81.9 M 個、次トークン予測、50,257 語、拡大・平行移動。
ですから失敗しません。形状は (バッチ, アテンションヘッドの数, 位置の数, 幅) です。
トーク
ンに分け、語彙
数を数え、書きませ
ん。
"""

GOOD = """\
# 例 { #example }

!!! note "表題の引用符はそのまま"
    本文の `x*y*z` や `"quoted"` は inline code なので対象外です。

```python
>>> print("ひとつ、しくみ、10%、(Vaswani ら, 2017)")  # コードは対象外
```

<!-- skip: next if(not pocket_outputs, reason="output of the pocket model") -->
位置 $x_i$ の値 $$a*b*c$$ と [第 1 章](llm.md#raw-string)、<a id="model"></a>モデル。
| 表 | 表の定義は辞書の形で書ける。 |
試してみましょう。よいでしょう。でした。ました。
一つの GPT-2 は 4 層で、語彙は 50,257 個、確率は 10 %、ID は 50256 です。
**太字**は使えます。最初のトランスフォーマー(Vaswani ら、2017)、LoRA(Hu ら、2021)。
プロンプト「I can't forget you, for」。トランスフォーマー、パラメータ。その後の版、最後の層、見つけた、身につけた、気をつけて。
文が一つ、1 トークンずつ、10 個、一度、一歩、float32 の重み、pre-LN、組、手元の環境、サーバ。
アテンションヘッドごと、アテンションヘッドの数、言語モデルヘッドの重み、`fp32 GB` の列。
ハブの gpt2、8 窓ごとに 1 窓、最後の位置 `' for'`、1200 ステップ、1 億 2400 万、50,257 個、81.9M 個。
そのため失敗しません。次のトークンの予測、ゲイン、バイアス、ヘッドレス Chromium、分類ヘッドを付けます。
5 語が 7 トークンになり、本物のトークンは 1 です。
行は語の切れ目で
折り返します。トークン
ID と KV
キャッシュ、
- 次の項目
"""


BAD_GLOSSARY = """\
| <a id="x"></a>用語 | term | 日本語の文献でもこの訳が使われます。 |
"""

GOOD_GLOSSARY = """\
| <a id="x"></a>用語 | term | 日本語の文献でもこの訳が使われる。定着した訳語。 |

本文は、用語集のページでも です/ます で書きます。
"""


def test_the_linter_flags_each_rule_on_a_bad_sample() -> None:
    fired = {hit.rule for hit in lint(BAD) + lint(BAD_GLOSSARY, glossary=True)}
    missing = {rule.name for rule in RULES + LINE_BREAK_RULES + GLOSSARY_RULES} - fired
    assert not missing, f"rules that did not fire on the bad sample: {sorted(missing)}"


def test_the_linter_passes_a_good_sample() -> None:
    hits = lint(GOOD) + lint(GOOD_GLOSSARY, glossary=True)
    assert not hits, "\n".join(str(hit) for hit in hits)


# Each rule added for the second Japanese read (shared/reviews/japanese-read.md), on the
# sentence the read found and on the sentence that fixed it.
FOUND_AND_FIXED = [
    ("notation-attention-head", "ポケットモデル(4 層、幅 120、ヘッド 4 個)の出力です。",
     "ポケットモデル(4 層、幅 120、アテンションヘッド 4 個)の出力です。"),
    ("notation-attention-head", "層 {layer}、ヘッド {head} のアテンションの重み", "層 {layer}、アテンションヘッド {head} のアテンションの重み"),
    ("notation-attention-head", "一つのヘッドを差し替えます。", "一つのアテンションヘッドを差し替えます。"),
    ("notation-real", "本物の gpt2 ならまったく違う文章を書きます。", "ハブの gpt2 ならまったく違う文章を書きます。"),
    ("notation-every-other", "8 窓おきに 13 窓を測ります。", "8 窓ごとに 1 窓、全部で 13 窓を測ります。"),
    ("quote-leading-space", "最後の位置「 for」の予測は", "最後の位置 `' for'` の予測は"),
    ("register-desukara", "ですから GPT-2 には未知トークンが要りません。", "そのため GPT-2 には未知トークンが要りません。"),
    ("si-prefix-count", "値 81.9 M 個", "値 81.9M 個"),
    ("four-digits", "1,200 ステップ学習しました。", "1200 ステップ学習しました。"),
    ("four-digits", "gpt2 で約 1 億 2,400 万個です。", "gpt2 で約 1 億 2400 万個です。"),
    ("term-sequence-length", "(バッチ, アテンションヘッドの数, 位置の数, `head_dim`)",
     "(バッチ, アテンションヘッドの数, 系列長, `head_dim`)"),
    ("term-next-token", "普通の次トークン予測の学習です。", "普通の次のトークンの予測の学習です。"),
    ("term-next-token", "テキスト分類や次の単語の予測といったタスク", "テキスト分類や次のトークンの予測といったタスク"),
    ("term-vocabulary-entries", "WordPiece、30,522 語", "WordPiece、30,522 トークン"),
    ("term-layer-norm-parameters", "初期化したばかりの重み(拡大 1、平行移動 0)では",
     "初期化したばかりの重み(ゲイン $\\gamma$ が 1、バイアス $\\beta$ が 0)では"),
]


@pytest.mark.parametrize("rule, found, fixed", FOUND_AND_FIXED, ids=[r for r, _, _ in FOUND_AND_FIXED])
def test_a_rule_fails_the_sentence_the_read_found_and_passes_its_fix(rule: str, found: str, fixed: str) -> None:
    assert rule in {hit.rule for hit in lint(found)}
    assert not lint(fixed), "\n".join(str(hit) for hit in lint(fixed))


def test_the_glossary_rule_reads_only_the_glossary_s_table() -> None:
    # other pages' tables (the summary's answers) are in です/ます, as is the glossary's prose
    assert not lint(BAD_GLOSSARY)
    assert [hit.rule for hit in lint(BAD_GLOSSARY, glossary=True)] == ["glossary-dictionary-form"]


@pytest.mark.parametrize("page", sorted(PENDING))
def test_pending_exemptions_are_still_needed(page: str) -> None:
    fired = {hit.rule for hit in lint((DOCS / page).read_text(encoding="utf-8"))}
    done = PENDING[page] - fired
    assert not done, f"{page} keeps {sorted(done)} now: remove them from PENDING"


def test_masking_keeps_line_numbers() -> None:
    text = "一行目\n```python\nひとつ\n```\n五行目のひとつ\n"
    assert [hit.line for hit in lint(text)] == [5]


def test_a_line_break_rule_names_the_line_that_ends_mid_word() -> None:
    text = "一行目です。\n語彙\n数は 50,257 です。\n    トー\n    クンです。\n"
    hits = [(hit.line, hit.rule) for hit in lint(text)]
    assert hits == [(2, "split-kanji"), (4, "split-katakana")]


def test_a_line_break_between_words_passes() -> None:
    text = "トークンに\n分けます。言語モデルヘッド\nは、\n\n次の段落です。\n- 項目\n- 項目\n"
    assert not lint(text)
