"""One way to read a page: its code exactly as Sybil runs it, and the mkdocs config.

- ``parsers()``: the Sybil parsers every page is read with (the root conftest runs pages with
  them); doctest output is compared by ``FloatTolerantChecker`` (floats with a stated tolerance,
  everything else exactly), which the notebook test uses too.
- ``examples(path)``: the page's examples in order, as Sybil parses them; ``fingerprint(path)``:
  what running them means once comments are set aside (code without comments, expected outputs,
  doctest options, skip directives); ``same_code(ja, en)`` compares two pages so.
- ``twin(path, language)``, ``chapter(path)``: the other language of a page, and the page's
  name without its language (``beyond/lora-rlhf``).
- ``mkdocs_config()``: mkdocs.yml as data (``!ENV [NAME, default]`` reads as its default,
  ``!!python/name`` tags as None).
- ``hook(name)``: a module of site_hooks/ under the one name it has everywhere, its file's stem
  (``site_text``), as the hooks import each other under MkDocs and as pytest imports them
  (``pythonpath = ["site_hooks"]``); loaded from its file, with no ``sys.path`` edit.

References: Sybil's documentation ("Parsers", "Documents"); the doctest module's
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
from pathlib import Path

from sybil import Document
from sybil.evaluators.doctest import DocTestEvaluator, DocTestRunner, OutputChecker
from sybil.evaluators.skip import Skipper
from sybil.parsers.abstract import DocTestStringParser
from sybil.parsers.markdown import PythonCodeBlockParser, SkipParser

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


# Fenced blocks (``` or ~~~, any info string, any indent) and HTML comments: a bare
# doctest is looked for only outside them (inside ```python fences and invisible code
# blocks, PythonCodeBlockParser already handles `>>>`).
_FENCED_OR_COMMENT = re.compile(
    r"^[ \t]*(?P<fence>`{3,}|~{3,})[^\n]*\n.*?^[ \t]*(?P=fence)[ \t]*$|<!--.*?-->",
    re.M | re.S,
)


class BareDocTestParser:
    """Doctests (`>>>`) outside fenced code blocks, e.g. in an indented code block."""

    def __init__(self, optionflags: int) -> None:
        self.doctest = DocTestStringParser(doctest_evaluator(optionflags))

    def __call__(self, document):
        blocked = [(m.start(), m.end()) for m in _FENCED_OR_COMMENT.finditer(document.text)]
        for region in self.doctest(document.text, document.path):
            if not any(start < region.end and region.start < end for start, end in blocked):
                yield region


def parsers() -> list:
    """The parsers every page is read with (the root conftest runs the pages with them)."""
    code_blocks = PythonCodeBlockParser(doctest_optionflags=DOCTEST_FLAGS)
    code_blocks.doctest_parser = DocTestStringParser(doctest_evaluator(DOCTEST_FLAGS))  # floats with a tolerance
    return [code_blocks, BareDocTestParser(optionflags=DOCTEST_FLAGS), SkipParser()]


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
