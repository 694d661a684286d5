"""One way to read a page: its code exactly as Sybil runs it, its prose, and the mkdocs config.

- ``parsers()``: the Sybil parsers every page runs with (the root conftest); doctest output is
  compared by ``FloatTolerantChecker`` (floats with a stated tolerance, the rest exactly).
- ``code_blocks(text)``: the ```python and invisible code blocks, whole, found by that parser;
  ``fences(text)``: every fenced block, any info string, as Sybil's fence lexer reads fences;
  ``skips(text)``: the skip directives, as Sybil's skip parser reads them; ``prose(text)``: the
  text with HTML comments and fenced blocks masked, line numbers kept.
- ``examples(path)``, ``fingerprint(path)``, ``same_code(ja, en)``: the page's Sybil examples, and
  what running them means once comments are set aside (a language pair runs once when equal).
- ``twin(path, language)``, ``chapter(path)``, ``language_of(path)``: names of pages.
- ``mkdocs_config()``: mkdocs.yml as data (``!ENV [NAME, default]`` as its default, ``!!python``
  tags as None); ``nav()``: its nav as (label, file) pairs; ``nav_translations(language)``.
- ``hook(name)``: a module of site_hooks/ under its one name, its file's stem (``site_text``), as
  MkDocs and pytest (``pythonpath = ["site_hooks"]``) import it; no ``sys.path`` edit.

References: Sybil's documentation ("Parsers", "Lexers", "Documents"); the doctest module's
``OutputChecker``; mkdocs' own ``yaml_load`` for the tags.
"""

from __future__ import annotations

import ast
import doctest
import functools
import importlib.util
import io
import re
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path

from sybil import Document
from sybil.evaluators.doctest import DocTestEvaluator, DocTestRunner, OutputChecker
from sybil.evaluators.skip import Skipper
from sybil.parsers.abstract import DocTestStringParser
from sybil.parsers.abstract.skip import SKIP_ARGUMENTS_PATTERN
from sybil.parsers.markdown import PythonCodeBlockParser, SkipParser
from sybil.parsers.markdown.lexers import RawFencedCodeBlockLexer

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
HOOKS = ROOT / "site_hooks"
LANGUAGES = ("ja", "en")  # the first is the site's first language: a pair runs as its page
DOCTEST_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


class FloatTolerantChecker(OutputChecker):
    """Sybil's doctest checker, with a tolerance for the numbers that are float results.

    A float sum depends on the order of its terms, and CPUs (AMD EPYC, Intel Xeon, the CI
    runners) order them differently, so the last digits of a model's output vary by machine.
    When exact comparison fails, each number of the page's output (``want``) that is written
    as a float is compared with the number in the same place of ``got``; if close enough, ``got``
    takes the page's spelling and the exact comparison runs again, so every other character
    still has to match.
    """

    REL, ABS = 1e-4, 1e-6  # the stated tolerance, on top of the rounding of the shown digits
    NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w])")

    @staticmethod
    def is_float(text: str) -> bool:
        return "." in text or "e" in text.lower()

    @staticmethod
    def last_digit(text: str) -> float:
        """The value of one unit in the last digit shown: 0.01 for "1.25", 1e-5 for "1.5e-04"."""
        mantissa, _, exponent = text.lower().partition("e")
        decimals = len(mantissa.partition(".")[2])
        return 10.0 ** (int(exponent or 0) - decimals)

    def close(self, want: str, got: str) -> bool:
        if not (self.is_float(want) and self.is_float(got)):
            return want == got  # an integer (an id, a shape, a count) is exact
        allowed = self.ABS + self.REL * abs(float(want)) + (self.last_digit(want) + self.last_digit(got)) / 2
        return abs(float(want) - float(got)) <= allowed

    def check_output(self, want: str, got: str, optionflags: int) -> bool:
        if super().check_output(want, got, optionflags):
            return True
        wanted, found = list(self.NUMBER.finditer(want)), list(self.NUMBER.finditer(got))
        if not wanted or len(wanted) != len(found):
            return False
        pieces, end = [], 0
        for w, g in zip(wanted, found):
            if not self.close(w.group(), g.group()):
                return False
            pieces += [got[end:g.start()], w.group()]  # got, spelled with the page's number
            end = g.end()
        return super().check_output(want, "".join(pieces) + got[end:], optionflags)


class FloatTolerantRunner(DocTestRunner):
    """Sybil's doctest runner with ``FloatTolerantChecker``."""

    def __init__(self, optionflags: int) -> None:
        super().__init__(optionflags)
        self._checker = FloatTolerantChecker()  # where doctest.DocTestRunner keeps its checker


def doctest_evaluator(optionflags: int) -> DocTestEvaluator:
    """Sybil's doctest evaluator running examples with ``FloatTolerantRunner``."""
    evaluator = DocTestEvaluator(optionflags)
    evaluator.runner = FloatTolerantRunner(optionflags)
    return evaluator


def parsers() -> list:
    """The parsers every page is read with (the root conftest runs the pages with them): ```python
    blocks and invisible code blocks (a block starting with ``>>>`` as doctests), skip directives.
    A ``>>>`` outside them would never run: tests/test_site.py refuses one in a page's prose."""
    python = PythonCodeBlockParser(doctest_optionflags=DOCTEST_FLAGS)
    python.doctest_parser = DocTestStringParser(doctest_evaluator(DOCTEST_FLAGS))  # floats with a tolerance
    return [python, SkipParser()]


@dataclass(frozen=True)
class Block:
    """One code block of a page: its source (the fence's prefix stripped, as Sybil runs it) and
    where it lies in the page's text: ``start`` and ``end`` offsets (its opening line's start, just
    past its closing fence or ``-->``), ``line`` of its opening (1-based)."""

    source: str
    start: int
    end: int
    line: int
    invisible: bool  # an invisible code block (<!-- invisible-code-block: python ... -->)

    @property
    def is_doctest(self) -> bool:
        """Sybil's own test: a block that starts with ``>>>`` runs as doctest examples."""
        return self.source.startswith(">>>")


@dataclass(frozen=True)
class Fence:
    """A fenced block of any language: its info string (``python``, ``text``, ``bash title=x``)."""

    info: str
    source: str
    start: int
    end: int
    line: int


@dataclass(frozen=True)
class Skip:
    """A skip directive: ``<!-- skip: next if(cond, reason="why") -->`` has action ``next`` and
    arguments ``if(cond, reason="why")`` ("" for none)."""

    action: str
    arguments: str
    start: int
    end: int
    line: int


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def code_blocks(text: str, path: str | Path = "page.md") -> list[Block]:
    """The page's python code blocks in page order, fenced and invisible, each whole (a doctest
    block is one block here; Sybil then makes each of its ``>>>`` an example), found by the
    parser the pages run with."""
    document = Document(text, str(path))
    regions = sorted(parsers()[0].codeblock_parser(document), key=lambda region: region.start)
    blocks = []
    for r in regions:
        invisible = "directive" in r.lexemes
        # Sybil's region of an invisible block stops before its closing "-->": the block takes it in.
        end = _COMMENT_END.match(text, r.end).end() if invisible else r.end
        blocks.append(Block(str(r.parsed), r.start, end, _line(text, r.start), invisible))
    return blocks


_COMMENT_END = re.compile(r"[ \t]*--+>")


# Sybil's fence lexer with any info string (its python parser asks for the info "python").
_ANY_FENCE = RawFencedCodeBlockLexer(info_pattern=re.compile(r"(?P<info>[^\n]*)$\n", re.MULTILINE))


def fences(text: str) -> list[Fence]:
    """Every fenced block (``` or ~~~, any info string, indented or in a list or quote), in page
    order, as Sybil's lexer reads fences; a fence nested in another comes after it."""
    regions = sorted(_ANY_FENCE(Document(text, "page.md")), key=lambda region: region.start)
    return [Fence(r.lexemes["info"].strip(), str(r.lexemes["source"]), r.start, r.end, _line(text, r.start))
            for r in regions]


def skips(text: str) -> list[Skip]:
    """The page's skip directives in order, read by Sybil's skip parser's lexer."""
    found = []
    for region in SkipParser().lexers(Document(text, "page.md")):
        arguments = region.lexemes["arguments"] or ""
        match = SKIP_ARGUMENTS_PATTERN.match(arguments)
        action, rest = match.groups() if match else ("", None)
        found.append(Skip(action, (rest or "").strip(), region.start, region.end, _line(text, region.start)))
    return sorted(found, key=lambda skip: skip.start)


MASK = "\x00"  # stands for a masked character: neither Japanese nor Latin, never prose
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def mask(text: str, start: int, end: int) -> str:
    """``text`` with the characters from ``start`` to ``end`` replaced by MASK, newlines kept."""
    return text[:start] + re.sub(r"[^\n]", MASK, text[start:end]) + text[end:]


def prose(text: str) -> str:
    """The page without its code: HTML comments (skip lines, invisible code blocks) and then every
    fenced block masked by MASK, so that offsets and line numbers stay those of the page."""
    text = _COMMENT.sub(lambda m: re.sub(r"[^\n]", MASK, m.group(0)), text)
    for fence in fences(text):
        text = mask(text, fence.start, fence.end)
    return text


def examples(path: Path) -> list:
    """The page's Sybil examples, in page order: exactly what the page's test run evaluates."""
    return list(Document.parse(str(path), *parsers()).examples())


def strip_comments(source: str) -> str:
    """Python source without comments, trailing spaces or blank lines (doctests too)."""
    if source.lstrip().startswith(">>>"):
        found = doctest.DocTestParser().get_examples(source)
        return "\n".join(f">>> {strip_comments(e.source)}\n{e.want}" for e in found)
    try:
        comments = [
            token.start
            for token in tokenize.generate_tokens(io.StringIO(source).readline)
            if token.type == tokenize.COMMENT
        ]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        comments = []
    lines = source.splitlines()
    for row, column in comments:
        lines[row - 1] = lines[row - 1][:column]
    return "\n".join(line.rstrip() for line in lines if line.strip())


def fingerprint(path: Path) -> list[tuple]:
    """What running the page does, comments set aside: one entry per example, in order.

    A doctest example gives its source without comments, its expected output and its doctest
    options (``# doctest: +SKIP`` is a comment the parser has already read); a code block gives
    its source without comments; a skip directive gives its action and arguments.
    """
    entries = []
    for example in examples(path):
        parsed = example.parsed
        if isinstance(parsed, doctest.Example):
            entries.append(("doctest", strip_comments(parsed.source), parsed.want, sorted(parsed.options.items())))
        elif isinstance(example.region.evaluator, Skipper):
            entries.append(("skip", *parsed))
        else:
            entries.append(("code", strip_comments(str(parsed))))
    return entries


def same_code(first: Path, second: Path) -> bool:
    """True when the two pages run the same code with the same expected outputs, comments aside."""
    return fingerprint(first) == fingerprint(second)


def language_of(path: Path) -> str | None:
    """``"ja"`` for docs/x.ja.md, None for a page without a language suffix."""
    suffixes = Path(path).suffixes
    return suffixes[-2].lstrip(".") if len(suffixes) >= 2 and suffixes[-2].lstrip(".") in LANGUAGES else None


def chapter(path: Path) -> str:
    """The page's name without language or suffix, relative to docs/: ``beyond/lora-rlhf``."""
    path = Path(path).resolve()
    relative = path.relative_to(DOCS) if DOCS in path.parents else Path(path.name)
    name = relative.name.removesuffix(".md")
    language = language_of(path)
    if language:
        name = name.removesuffix(f".{language}")
    return (relative.parent / name).as_posix()


def twin(path: Path, language: str) -> Path:
    """The same page in ``language`` (it may not exist)."""
    path = Path(path)
    own = language_of(path)
    if own is None:
        raise ValueError(f"path: {path} has no language suffix (.ja.md or .en.md)")
    return path.with_name(path.name.removesuffix(f".{own}.md") + f".{language}.md")


@functools.cache
def mkdocs_config(path: Path = ROOT / "mkdocs.yml") -> dict:
    """mkdocs.yml as data, without running it: ``!ENV [NAME, default]`` reads as its default (the
    published value, not this environment's), ``!!python/...`` tags as None."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    Loader.add_constructor("!ENV", lambda loader, node: (  # site_url: !ENV [SITE_URL, default]
        loader.construct_sequence(node)[-1] if isinstance(node, yaml.SequenceNode) else None))
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=Loader)


def nav(config: dict | None = None) -> list[tuple[str, str]]:
    """(label, file) of every entry of mkdocs.yml's nav, in order, sections flattened."""

    def flat(items) -> list[tuple[str, str]]:
        found = []
        for item in items:
            for label, value in item.items():
                found += flat(value) if isinstance(value, list) else [(label, value)]
        return found

    return flat((config or mkdocs_config())["nav"])


def nav_translations(language: str, config: dict | None = None) -> dict[str, str]:
    """The nav labels of ``language`` by first-language label (static-i18n's ``nav_translations``)."""
    plugins = (config or mkdocs_config())["plugins"]
    i18n = next(plugin["i18n"] for plugin in plugins if isinstance(plugin, dict) and "i18n" in plugin)
    entry = next((lang for lang in i18n["languages"] if lang["locale"] == language), None)
    if entry is None:
        raise ValueError(f"language: mkdocs.yml has no language {language!r}")
    return entry.get("nav_translations", {})


def hook(name: str):
    """The site_hooks/ module ``name`` (its file's stem), imported once under that name.

    Under MkDocs a hook imports its siblings as top-level modules (``from site_text import ...``,
    MkDocs puts the hook's folder on sys.path while it loads it); pytest does the same through its
    ``pythonpath``. Here the siblings a module imports are loaded first, from their files, so the
    module finds them in ``sys.modules``: one module object per file, whoever imports it.
    """
    if name in sys.modules:
        return sys.modules[name]
    path = HOOKS / f"{name}.py"
    if not path.is_file():
        raise ValueError(f"name: no module {name!r} in {HOOKS}")
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (HOOKS / f"{node.module}.py").is_file():
            hook(node.module)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
