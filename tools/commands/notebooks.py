"""``python -m tools notebooks [--docs DIR] [--check]``: write (or check) the chapter notebooks.

``--docs`` defaults to the docs folder of the source checkout this package runs from, so the
command works from any directory.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from tools import REPOSITORY

# Chapters that get a notebook, in reading order.
CHAPTERS = ("llm", "tokens", "body-head", "anatomy", "generation", "training")


def _notebooks(args):
    from gpt2guide.validation import WrongValue
    from tools.notebooks import write_notebooks

    docs = Path(args.docs)
    if not docs.is_dir():
        raise WrongValue("docs", f"{docs} is not a folder; pass the docs folder of a gpt2guide checkout")
    target = docs / "notebooks"
    if not args.check:
        written = write_notebooks(docs, list(CHAPTERS), target)
        return {"written": [str(p) for p in written], "text": f"wrote {len(written)} notebooks to {target}"}
    with tempfile.TemporaryDirectory() as tmp:
        fresh = write_notebooks(docs, list(CHAPTERS), Path(tmp))
        stale = [p.name for p in fresh if not (target / p.name).is_file()
                 or (target / p.name).read_bytes() != p.read_bytes()]
    if stale:
        raise WrongValue("--check", f"stale notebooks {', '.join(stale)}; run `python -m tools notebooks`")
    return {"stale": [], "text": f"{len(fresh)} notebooks up to date"}


def register(subparsers) -> None:
    parser = subparsers.add_parser("notebooks", help="write the chapter notebooks from the pages")
    parser.add_argument("--docs", default=str(REPOSITORY / "docs"), help="the docs folder (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="only check that the committed notebooks are fresh")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.set_defaults(handler=_notebooks)
