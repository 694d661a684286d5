"""The page doctests compare float results with a stated tolerance and everything else exactly
(``tools.pages.FloatTolerantChecker``, which the root conftest runs the pages with), through the
very parsers every page is read with."""

import doctest

import pytest
from sybil import Document

from tools.pages import FloatTolerantChecker

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@pytest.fixture(scope="module")
def checker():
    return FloatTolerantChecker()


@pytest.mark.parametrize(("want", "got"), [
    ("0.123456789\n", "0.123456889\n"),  # off by 1e-7
    ("tensor([0.1235, 0.5000])\n", "tensor([0.1234, 0.5000])\n"),  # a rounding that flips the last digit
    ("loss 3.14159 after 120 steps\n", "loss 3.14160 after 120 steps\n"),
    ("1.2e-05\n", "1.2000001e-05\n"),
    ("[0.25, 0.75]\n", "[0.2500001,   0.7499999]\n"),  # NORMALIZE_WHITESPACE still on
    ("0.33...\n", "0.3300002 and the rest\n"),  # ELLIPSIS still on
])
def test_close_floats_pass(checker, want, got):
    assert checker.check_output(want, got, FLAGS)


@pytest.mark.parametrize(("want", "got"), [
    ("0.123456789\n", "0.133456789\n"),  # off by 1e-2
    ("0.5000\n", "0.5002\n"),  # two units of the last digit shown
    ("tensor([[40, 460, 470]])\n", "tensor([[40, 460, 471]])\n"),  # a changed integer id
    ("(1, 7, 768)\n", "(1, 8, 768)\n"),  # a shape
    ("7 tokens, p=0.25\n", "7 tokens, p=0.25 more\n"),  # words
    ("h.0.ln_1 0.5\n", "h.0.ln_2 0.5\n"),  # digits inside a name are text
    ("3\n", "3.0000001\n"),  # an integer on the page is exact
    ("0.5 0.5\n", "0.5\n"),  # how many numbers
    ("nan\n", "0.0\n"),
])
def test_anything_else_fails(checker, want, got):
    assert not checker.check_output(want, got, FLAGS)


def test_the_page_parsers_use_it(sybil_parsers, tmp_path):
    """A page whose printed float differs in its 7th digit passes; a changed id fails."""
    page = tmp_path / "page.md"
    page.write_text("```python\n>>> print(0.1 + 0.2)\n0.3000001\n>>> print([40, 460])\n[40, 461]\n```\n")
    document = Document.parse(str(page), *sybil_parsers)
    results = []
    for example in document.examples():
        try:
            example.evaluate()
            results.append("pass")
        except Exception:  # noqa: BLE001 - sybil reports a failed doctest as an exception
            results.append("fail")
    assert results == ["pass", "fail"]
