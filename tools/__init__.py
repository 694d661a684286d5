"""Maintainer tooling of the gpt2guide repository: what builds the site, kept out of the wheel.

The installed package ``gpt2guide`` (src/gpt2guide) is the library readers use; this package holds
what only a maintainer runs, in a source checkout, and what may import matplotlib, rdata, numpy,
tqdm or nbformat (the extras ``train`` and ``docs`` of pyproject.toml):

- ``figures/``: the guide's figures, one module per figure (``SPEC``, ``data``, ``draw``), found
  by pkgutil; the pages' figure images are written from the specs.
- ``notebooks.py``: the chapter notebooks, written from the pages.
- ``pocket_build/``: the pocket model's tokenizer files, corpus, training run and export.
- ``bench.py``: the decoding-speed benchmark that writes ``src/gpt2guide/bench.json``
  (``python -m tools bench --record``).
- ``pages.py``: one way to read a page (its code blocks as Sybil runs them, its prose, mkdocs.yml).
- ``prose_lint/``: the prose linters (``python -m tools prose-lint``).
- ``vendor_katex.py``: KaTeX copied into docs/assets/katex/ (``python -m tools.vendor_katex``).
- ``commands/``: one maintainer sub-command per module, found by pkgutil.

How they run: from the clone's root, ``python -m tools figures`` (also ``notebooks``,
``pocket train|export|tokenizer``, ``bench``): ``__main__.py`` builds the parser with
``gpt2guide.cli.add_commands`` and runs it with ``gpt2guide.cli.run``, so the maintainer commands
report errors as the reader's do (``gpt2guide.validation``: one line, exit 2). The arrow runs one
way: tools imports gpt2guide; the library never imports tools, and edits no ``sys.path``.
``REPOSITORY`` below is the checkout's root (where docs/, the figures and the benchmark live).

The mkdocs hooks stay in ``site_hooks/`` (mkdocs.yml lists them); KaTeX is vendored by
``python -m tools.vendor_katex``.

Where new things go: a new figure is one new module in ``figures/`` (give its ``SPEC`` an
``order``), then run ``python -m tools figures`` and put ``FIGURES[name].markdown(lang)`` on the page
(the command rewrites it from then on); a new maintainer command is one module in ``commands/``
with ``register(subparsers)`` (and ``PARENT = "<command>"`` to join an existing command's group);
a new chapter's code goes into the library (see ``gpt2guide``'s docstring for the chapter map),
its notebook into ``commands/notebooks.py``'s ``CHAPTERS``.
"""

from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]  # the source checkout: tools/ -> its root

