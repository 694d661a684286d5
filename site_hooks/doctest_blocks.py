"""MkDocs hook: a ```python block that is a doctest shows as a console session and copies
as code that runs.

The pages show outputs as doctests (a block that starts with `>>>`), which Sybil checks
(conftest.py). Highlighted as plain Python, the output lines are lexed as code (the
apostrophe in "I can't…" opens a string that colours the rest of the line), and Material's
copy button copies prompts and outputs, so the pasted text is a SyntaxError.

This hook gives pymdownx.superfences a formatter for ```python fences (the Markdown stays
```python, so Sybil still collects every block):

- a block that starts with `>>>` (Sybil's own test) is highlighted with Pygments'
  `pycon` lexer: prompts are `.gp`, outputs `.go`, and only the code is lexed as Python;
- its wrapper gets `data-copy` with the code alone: the `>>> ` and `... ` prompts and the
  expected output are dropped, comment lines are kept. Material's copy button copies the
  `data-copy` of the closest element that has one instead of the block's text
  (Material 9.8, `assets/javascripts/bundle`: `e.closest("[data-copy]")`);
- any other block is highlighted exactly as before.

References: pymdownx.superfences "Custom Fences"; Pygments `PythonConsoleLexer`;
Python's `doctest.DocTestParser`; Material for MkDocs "Code blocks: copy button".
"""

from __future__ import annotations

import html
import re

_PROMPT = ">>>"
_FIRST_TAG = re.compile(r"^\s*<(div|pre)\b")


def is_doctest(source: str) -> bool:
    """True for a block Sybil runs as a doctest: its text starts with `>>>`."""
    return source.startswith(_PROMPT)


def runnable_code(source: str) -> str:
    """The code of a doctest block, without prompts and expected output.

    Read as doctest reads it (`doctest.DocTestParser`): a `>>>` line starts an example,
    the `...` lines right after it continue it, and every other line is output. Unlike
    `DocTestParser.get_examples`, a line that holds only a comment is kept.

    >>> runnable_code(">>> x = 1  # one\\n>>> for i in range(2):\\n...     x += i\\n>>> x\\n2\\n")
    'x = 1  # one\\nfor i in range(2):\\n    x += i\\nx\\n'
    """
    code, in_example = [], False
    for line in source.splitlines():
        stripped = line.lstrip()  # the prompts' own indent is not the code's
        if stripped == ">>>" or stripped.startswith(">>> "):
            code.append(stripped[4:])
            in_example = True
        elif in_example and (stripped == "..." or stripped.startswith("... ")):
            code.append(stripped[4:])
        else:
            in_example = False  # output, or the blank line that ends it
    return "".join(f"{line}\n" for line in code)


def format_python(src, language, class_name, options, md, **kwargs):
    """The superfences formatter for ```python: a doctest as `pycon` with `data-copy`."""
    fenced = md.preprocessors["fenced_code_block"]
    if not is_doctest(src):
        return fenced.highlight(src=src, language=language, options=options, md=md, **kwargs)
    block = fenced.highlight(src=src, language="pycon", options=options, md=md, **kwargs)
    copy = html.escape(runnable_code(src), quote=True)
    block, found = _FIRST_TAG.subn(lambda m: f'<{m.group(1)} data-copy="{copy}"', block, count=1)
    if not found:
        raise ValueError(f"unexpected highlight output for a doctest block: {block[:80]!r}")
    return block


def on_config(config):
    # Register the formatter as a custom fence named "python" (custom fences are tried
    # before superfences' default highlighter). Done here, not in mkdocs.yml, because a
    # `!!python/name:` tag needs an importable module and site_hooks/ is not a package.
    from pymdownx.superfences import highlight_validator

    if "pymdownx.superfences" not in config.markdown_extensions:
        raise ValueError("site_hooks/doctest_blocks.py needs pymdownx.superfences in mkdocs.yml")
    settings = config.mdx_configs.setdefault("pymdownx.superfences", {})
    fences = settings.setdefault("custom_fences", [])
    fences[:] = [fence for fence in fences if fence.get("name") != "python"]
    fences.append({
        "name": "python",
        "class": "highlight",
        "format": format_python,
        "validator": highlight_validator,
    })
    return config
