"""The Japanese pages keep the house style of CONTRIBUTING.md ("日本語の表記").

Only prose is checked: fenced code blocks, inline code, math ($...$, $$...$$), HTML
comments (skip lines, invisible code blocks), HTML tags, the targets of Markdown links,
the attribute lists of headings and titles in 『』 are masked out first, keeping line
numbers. Each rule is a regular expression with a message that says how to fix the text;
the rules are kept narrow, so that a hit is almost always a real slip (few false
positives on new chapters). Most rules read one line; the line-break rules read a line's
end together with the start of the next one (a Japanese word split by a line break in the
source).

A unit test lints a bad sample and a good sample, so the linter itself can fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

# Kana, kanji and the iteration mark: what "Japanese text" means for these rules.
JA = r"\u3005\u3040-\u309f\u30a0-\u30ff\u4e00-\u9fff"
# Katakana letters with the long-vowel mark, and kanji with the iteration mark 「々」.
KATAKANA = r"\u30a1-\u30fa\u30fc"
KANJI = r"\u3005\u4e00-\u9fff"
# JA without the middle dot 「・」, which sits between words: "top-k・top-p"
JA_LETTERS = r"\u3005\u3040-\u309f\u30a0-\u30fa\u30fc-\u30ff\u4e00-\u9fff"
MASK = "\x00"  # stands for masked characters; neither Japanese nor Latin

# What is not prose, in the order it is masked (a fence may hold `$`, a comment may hold
# ```python, so the outer kinds go first).
_NOT_PROSE = [
    re.compile(r"<!--.*?-->", re.S),  # comments: skip lines, invisible code blocks
    re.compile(  # fenced code blocks, at any indent (inside admonitions and tabs too)
        r"^[ \t]*(?P<fence>`{3,}|~{3,})[^\n]*\n.*?^[ \t]*(?P=fence)[ \t]*$", re.M | re.S
    ),
    re.compile(r"(?P<ticks>`+).+?(?P=ticks)", re.S),  # inline code
    re.compile(r"\$\$.+?\$\$", re.S),  # display math
    re.compile(r"(?<![\\$])\$(?!\s)[^$\n]+?(?<!\s)\$"),  # inline math
    re.compile(r"</?[A-Za-z][^>\n]*>"),  # HTML tags (<a id="...">), not their text
    re.compile(r"\]\([^)\n]*\)"),  # link and image targets: ](glossary.md#token)
    re.compile(r"\{\s*#[^}\n]*\}"),  # heading anchors: { #tokens }
    # admonition lines: their "title" is quoted by Markdown syntax
    re.compile(r"^[ \t]*(?:!!!|\?\?\?\+?)[^\n]*$", re.M),
    re.compile(r"『[^』\n]*』"),  # titles of books and articles, quoted as published
]


def prose(text: str) -> str:
    """The text with everything but prose replaced by MASK (newlines kept)."""
    for pattern in _NOT_PROSE:
        text = pattern.sub(lambda m: re.sub(r"[^\n]", MASK, m.group(0)), text)
    return text


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern
    fix: str  # what to write instead, in the words of CONTRIBUTING.md
    in_tables: bool = True  # False: not applied to table rows (the glossary's definitions)


def _rule(name: str, pattern: str, fix: str, in_tables: bool = True) -> Rule:
    return Rule(name, re.compile(pattern), fix, in_tables)


RULES = [
    # -- です/ます: a sentence that ends in the plain form (the glossary's table cells may)
    _rule("style-desu-masu",
          r"(?:(?<!まし)(?<!でし)た|(?<![まで])す|である|だ|ない|[くぐつぬぶむる])。",
          "本文は です/ます で書く(「〜である。」「〜する。」ではなく「〜です。」「〜します。」)",
          in_tables=False),
    # -- characters and punctuation
    _rule("full-width-alnum", r"[Ａ-Ｚａ-ｚ０-９]", "英数字は半角で書く"),
    _rule("full-width-punctuation", r"[（）：；！？，．]",
          "括弧・コロン・感嘆符・疑問符は半角 ( ) : ! ?、読点と句点は「、」「。」"),
    _rule("space-ja-latin", rf"[{JA_LETTERS}][A-Za-z0-9]|[A-Za-z0-9][{JA_LETTERS}]",
          "和文と英字・数字の間には半角スペースを一つ入れる(「GPT-2 の」「4 層」「KV キャッシュ」)"),
    _rule("percent", r"\d%", "数字と % の間に半角スペース(「10 %」)"),
    _rule("thousands", r"(?<![\d,.])\d{5,}(?![\d,.])(?=\s*(?:個|語|トークン|パラメータ|文字|バイト))",
          "5 桁以上の数量は 3 桁ごとにカンマで区切る(「50,257 個」)。ID や年は区切らない"),
    _rule("four-digits", r"(?<![\d,.])\d,\d{3}(?![\d,.])",
          "4 桁以下の数は区切らない(「1200 ステップ」)。万・億の前の 4 桁も同じ(「1 億 2400 万」)"),
    _rule("citation", r"ら(?:\s*,\s*|\s+)(?:19|20)\d\d|ほか[、,\s]*(?:19|20)\d\d"
          r"|ら、(?:19|20)\d\d\s*年",
          "文献は「(Vaswani ら、2017)」: 三人以上は「ら」、読点は「、」、「年」は付けない"),
    _rule("ascii-quotes",
          rf"\"[^\"\n]*\"(?=[^\n]*[{JA}])|(?<=[{JA}])[^\n]*?\"[^\"\n]*\"",
          "和文の中の引用は「」で囲む(本の題名は『』)"),
    _rule("italics", rf"(?<![*\\])\*(?![*\s])[^*\n]*[{JA}][^*\n]*(?<![*\s])\*(?!\*)"
          rf"|(?<![\w\\])_(?![_\s])[^_\n]*[{JA}][^_\n]*(?<![_\s])_(?!\w)",
          "和文に斜体は使わない: 強調は **太字**、語の引用は「」"),
    # -- one spelling per word
    _rule("spelling-hitotsu", r"ひとつ|ふたつ|みっつ", "「一つ」「二つ」「三つ」と書く"),
    _rule("spelling-shikumi", r"しくみ", "「仕組み」と書く"),
    _rule("spelling-wakaru", r"わか[らりるれろっ]", "「分かる」と書く"),
    _rule("spelling-nanika", r"なにか", "「何か」と書く"),
    _rule("spelling-hoka", r"他の", "「ほかの」と書く"),
    _rule("spelling-yoi", r"良[いくか]", "「よい」「よく」と書く"),
    _rule("spelling-tsukeru", r"(?<![見気結名押焼身])(?<!身に)(?<!気を)つけ[たてまるられず]", "「付ける」と書く"),
    _rule("spelling-ato", r"(?<=[たのだ])(?<!その)後(?=[のにでは、])", "「〜のあと」「〜たあと」と書く"),
    _rule("spelling-subete", r"全て", "「すべて」と書く"),
    _rule("spelling-long-vowel",
          r"(?:パラメータ|トークナイザ|エンコーダ|デコーダ|フィルタ|オプティマイザ|ブラウザ"
          r"|コンピュータ|ユーザ|プロセッサ|メモリ|サーバ|ヘッダ|スライダ)ー",
          "語末の長音は付けない(「パラメータ」「トークナイザ」「ユーザ」)。"
          "「トランスフォーマー」はこのまま"),
    _rule("spelling-ichiban", r"一番(?!目)", "「いちばん」と書く"),
    _rule("spelling-nozoku", r"覗", "「のぞく」と書く"),
    # -- counters: 一つ〜九つ in kanji, quantities with a unit in digits
    _rule("counter-tsu", r"(?<![\d,.])[1-9]\s*つ", "「一つ」「二つ」「三つ」と漢数字で書く(10 以上は「10 個」)"),
    _rule("counter-unit", r"(?<![一-龯])[一二三四五六七八九十](?=個|層|トークン|文字|バイト|倍|種類)",
          "単位の付く数は算用数字で書く(「4 層」「1 トークン」「3 倍」)。「一つ」「一度」「一歩」はこのまま"),
    # -- one notation per thing
    _rule("notation-float", r"(?<![\w-])fp(?:16|32)(?![\w-])|(?<![\w-])FP(?:16|32)(?![\w-])",
          "データ型は「float32」「float16」と書く(コードの中の名前はそのまま)"),
    _rule("notation-pre-ln", r"(?:プレ|ポスト)\s*LN|(?<![\w-])(?:Pre|Post)-LN",
          "層正規化の位置は「pre-LN」「post-LN」と書く"),
    _rule("notation-pair", r"ペア", "二つのまとまりは「組」と書く(「プロンプトと応答の組」)"),
    _rule("notation-you", r"あなた", "読者に「あなた」と呼びかけない(「手元の環境」「お使いの環境」)"),
    _rule("notation-attention-head",
          r"(?<!アテンション)(?<!言語モデル)ヘッド(?:ごと|の数|に分け|で分け|の結合|を結合|あたり|の半分|の一部"
          r"|の軸|\s*\d|\s*\{|\s*[a-z](?![a-z]))|\d\s*個のヘッド|(?:各|一つの)ヘッド(?=[がはをにでの])",
          "アテンションの区画は「アテンションヘッド」と書く(「アテンションヘッド 12 個」「層 {layer}、"
          "アテンションヘッド {head}」)。「ヘッド」だけなら言語モデルヘッドなど"),
    _rule("notation-real", r"本物の\s*(?:gpt2|ライブラリ)",
          "何とも対比していない「本物の」は付けない。ポケットモデルと対比するなら「ハブの gpt2」「公式の大きさ」"),
    _rule("notation-every-other", r"\d\s*(?:窓|トークン|ステップ|個|行|文字|層|位置|ブロック)おき",
          "「N おき」は N 個を間に挟む(「一日おき」は 2 日に 1 回)。「8 窓ごとに 1 窓」と書く"),
    _rule("quote-leading-space", r"「\s",
          "空白で始まるトークンを「」に入れると空白が見えない: コードの形 `' for'` で書く"),
    _rule("register-desukara", r"(?:^|[。!?]\s*)ですから",
          "文頭の「ですから」は話し言葉: 「そのため」「したがって」"),
    _rule("si-prefix-count", r"\d\s+[kMG]\s*個",
          "SI 接頭辞と「個」を空白で離さない: 「8190 万個」、または「81.9M 個」"),
    # -- one term per concept (docs/glossary.ja.md)
    _rule("term-vocabulary-size", r"語彙の大きさ|語彙サイズ", "語彙の大きさは「語彙数」"),
    _rule("term-beam-width", r"ビーム数", "`num_beams` は「ビーム幅」"),
    _rule("term-value", r"キーと値|キー・値", "アテンションの value は「バリュー」(「キーとバリュー」)"),
    _rule("term-sequence-length", r"\((?:バッチ|1),\s*トークン数|,\s*(?:位置の数|トークン数)\s*,",
          "形状の軸は「系列長」(「(バッチ, アテンションヘッドの数, 系列長, `head_dim`)」)"),
    _rule("term-next-token", r"次トークン|次の単語の予測", "「次のトークンの予測」と書く(モデルが予測するのはトークン)"),
    _rule("term-vocabulary-entries", r"\d{1,3}(?:,\d{3})+\s*語(?![彙順句])",
          "語彙の要素はトークン: 「50,257 トークン」「50,257 個」"),
    _rule("term-layer-norm-parameters", r"拡大・平行移動|拡大\s*1、平行移動",
          "層正規化のパラメータは「ゲイン $\\gamma$」と「バイアス $\\beta$」"),
]


# Rules on a line break inside a Japanese word: each pattern matches the last character
# of a line, the newline, the next line's indent (lists, admonitions) and its first
# character. The Markdown join of the site hides such a break, but the source, diffs,
# searches and the notebook cells read the two halves as two words.
LINE_BREAK_RULES = [
    _rule("split-katakana", rf"[{KATAKANA}]\n[ \t]*[{KATAKANA}]",
          "カタカナ語の途中で改行しない(語の前か後ろで折り返す)"),
    _rule("split-kanji", rf"[{KANJI}]\n[ \t]*[{KANJI}]",
          "漢字の熟語の途中で改行しない(助詞の後ろなど、語の切れ目で折り返す)"),
    # No Japanese word starts with a small kana, 「ー」 or 「ん」: the line before ends mid-word.
    _rule("split-word-start",
          rf"[{JA_LETTERS}]\n[ \t]*[ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶーんン]",
          "語の途中で改行しない(小書きの仮名・「ー」・「ん」で行を始めない)"),
]


# Only for the glossary's table: its definitions are in the dictionary form, not です/ます
# (CONTRIBUTING.md: 「用語集の表の定義だけは辞書の形」).
GLOSSARY_RULES = [
    _rule("glossary-dictionary-form", r"(?:です|ます|ません|でした|ました)。",
          "用語集の表の定義は辞書の形で書く(「〜と訳される。」「〜定着した訳語。」)"),
]

# Pages that another open issue is rewriting, with the rules they still break. Those rules
# are off for that page only; test_pending_exemptions_are_still_needed fails as soon as the
# page keeps a rule again, so an entry is removed rather than left to hide a new slip.
PENDING = {
    # issue "Interpretability that finds something" rewrites this page (「 she」 in 「」 is
    # among the Japanese read's findings on it; the patching figure's alt text has it too)
    "beyond/interpretability.ja.md": {"quote-leading-space"},
}


@dataclass(frozen=True)
class Hit:
    line: int
    rule: str
    text: str
    fix: str

    def __str__(self) -> str:
        return f"line {self.line}: [{self.rule}] {self.text!r} -> {self.fix}"


def lint(text: str, glossary: bool = False) -> list[Hit]:
    """Every rule's hits in the prose of one Japanese page (``glossary``: the glossary's table
    rows are held to the dictionary form too)."""
    hits = []
    masked = prose(text)
    for number, line in enumerate(masked.splitlines(), start=1):
        table_row = line.lstrip().startswith("|")
        rules = RULES + (GLOSSARY_RULES if glossary and table_row else [])
        for rule in rules:
            if table_row and not rule.in_tables:
                continue
            for match in rule.pattern.finditer(line):
                text = match.group(0).replace(MASK, "…")
                hits.append(Hit(number, rule.name, text, rule.fix))
    for rule in LINE_BREAK_RULES:  # a hit names the line that ends mid-word
        for match in rule.pattern.finditer(masked):
            number = masked.count("\n", 0, match.start()) + 1
            text = re.sub(r"\n[ \t]*", "⏎", match.group(0))
            hits.append(Hit(number, rule.name, text, rule.fix))
    return sorted(hits, key=lambda hit: hit.line)


def japanese_pages() -> list[Path]:
    return sorted(DOCS.rglob("*.ja.md"))


def page_hits(path: Path) -> list[Hit]:
    """The page's hits, less the rules PENDING turns off for it."""
    pending = PENDING.get(path.relative_to(DOCS).as_posix(), set())
    hits = lint(path.read_text(encoding="utf-8"), glossary=path.name == "glossary.ja.md")
    return [hit for hit in hits if hit.rule not in pending]


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
