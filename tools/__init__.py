"""Maintainer tooling of the gpt2guide repository: what builds the site, kept out of the wheel.

The installed package ``gpt2guide`` (src/gpt2guide) is the library readers use; this package holds
what only a maintainer runs, in a source checkout, and what may import matplotlib, rdata, numpy,
tqdm or nbformat (the extras ``train`` and ``docs`` of pyproject.toml):

- ``figures/``: the guide's figures, one module per figure (``SPEC``, ``data``, ``draw``), found
  by pkgutil; the pages' figure images are written from the specs.
- ``notebooks.py``: the chapter notebooks, written from the pages.
- ``pocket_build/``: the pocket model's tokenizer files, corpus, training run and export.
- ``bench.py``: the decoding-speed benchmark that writes ``src/gpt2guide/bench.json`` (``gpt2guide bench --record``).
- ``vendor_katex.py``: KaTeX copied into docs/assets/katex/ (``python -m tools.vendor_katex``).
- ``commands/``: one ``gpt2guide`` sub-command per module, found by pkgutil.

How they run: as ``gpt2guide`` sub-commands from the clone's root, ``python -m gpt2guide figures``
(also ``notebooks``, ``pocket train|export|tokenizer``, ``bench``). ``gpt2guide.cli`` adds
``tools.commands`` to its commands wherever Python can import ``tools`` (the clone's root, pytest,
or the clone on ``PYTHONPATH``) and edits no ``sys.path``; a wheel has no tools, so its
``gpt2guide`` offers the reader's commands alone. One command, one way to report errors
(``gpt2guide.validation``), the same tests.

The mkdocs hooks stay in ``site_hooks/`` (mkdocs.yml lists them); KaTeX is vendored by
``python -m tools.vendor_katex``.

Where new things go: a new figure is one new module in ``figures/`` (give its ``SPEC`` an
``order``), then run ``gpt2guide figures`` and put ``FIGURES[name].markdown(lang)`` on the page
(the command rewrites it from then on); a new maintainer command is one module in ``commands/``
with ``register(subparsers)`` (and ``PARENT = "<command>"`` to join an existing command's group);
a new chapter's code goes into the library (see ``gpt2guide``'s docstring for the chapter map),
its notebook into ``commands/notebooks.py``'s ``CHAPTERS``.
"""
