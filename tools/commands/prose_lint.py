"""``python -m tools prose-lint [PAGE ...]``: lint the pages' prose (tools/prose_lint).

Without PAGE, every page under docs/. Prints each finding as ``page:line: [rule] text -> fix``;
findings make it fail as bad input does (one line naming PAGE, exit 2), as ``--check`` does for
the generated files.
"""

from __future__ import annotations

from pathlib import Path

from tools import REPOSITORY


def _prose_lint(args):
    from gpt2guide.validation import WrongValue
    from tools.prose_lint import page_problems

    paths = [Path(p) for p in args.pages] or sorted((REPOSITORY / "docs").rglob("*.md"))
    missing = [str(p) for p in paths if not (p.is_file() and p.suffix == ".md")]
    if missing:
        raise WrongValue("PAGE", f"not a Markdown page: {', '.join(missing)}")
    found = {str(path): page_problems(path) for path in paths}
    lines = [f"{path}:{problem.removeprefix('line ')}" for path, problems in found.items() for problem in problems]
    if lines:
        print("\n".join(lines))
        raise WrongValue("PAGE", f"{len(lines)} findings on {sum(1 for p in found.values() if p)} pages (listed above)")
    return {"pages": len(paths), "findings": [], "text": f"{len(paths)} pages keep the house style"}


def register(subparsers) -> None:
    parser = subparsers.add_parser("prose-lint", help="lint the pages' prose: house style, numbers typed by hand")
    parser.add_argument("pages", nargs="*", metavar="PAGE", help="pages to lint (default: every page under docs/)")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.set_defaults(handler=_prose_lint)
