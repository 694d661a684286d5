"""``python -m tools figures [--out DIR] [--check] [--list] [--json]``: redraw the guide's figures.

Every figure in ``tools.figures.FIGURES`` is drawn in Japanese and English as
``<name>.<lang>.svg`` (default folder: the repository's ``docs/assets/figures``); drawn there, the
pages' figure images (alt text and link) are rewritten from the specs too. ``--check`` draws
into a temporary folder and fails (exit 2) if a committed figure differs (beyond the last float
bits, which vary between CPUs: see ``tools.figures.svgdiff``), is missing, or is left over, or if
a page's image is not its spec's;
``--list`` prints names, files and alt texts without drawing. Run it again after the pocket model is
retrained: three of the figures are its output.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from tools import REPOSITORY


def default_out_dir() -> Path:
    """``docs/assets/figures`` of the source checkout this package runs from."""
    from gpt2guide.validation import WrongValue
    from tools.figures import DOCS_DIR

    if not (REPOSITORY / "pyproject.toml").is_file() or not (REPOSITORY / "docs").is_dir():
        raise WrongValue("out", "tools is not in a gpt2guide source checkout, so there is no docs/assets/figures; "
                         "pass --out DIR")
    return REPOSITORY / DOCS_DIR


def _entries(out: Path | None) -> list[dict]:
    from tools.figures import FIGURES

    entries = []
    for spec in FIGURES.values():
        entry = spec.as_dict()
        if out is not None:
            entry["paths"] = {lang: str(out / file) for lang, file in spec.files().items()}
        entries.append(entry)
    return entries


def compare(committed: Path, fresh: Path) -> dict:
    """Files that differ, are missing from ``committed``, or lie in ``committed`` with no figure behind them.

    "Differ" as a reader sees it (``figures.svgdiff``): clip-path ids that hash float
    coordinates and last-digit differences between CPUs are not differences."""
    from tools.figures.svgdiff import equivalent

    fresh_files = {p.name for p in fresh.glob("*.svg")}
    committed_files = {p.name for p in committed.glob("*.svg")} if committed.is_dir() else set()
    stale = sorted(n for n in fresh_files & committed_files
                   if not equivalent((fresh / n).read_text(encoding="utf-8"),
                                     (committed / n).read_text(encoding="utf-8")))
    return {"stale": stale, "missing": sorted(fresh_files - committed_files),
            "extra": sorted(committed_files - fresh_files)}


def stale_pages() -> list[str]:
    """The pages whose figure images are not as their specs write them."""
    from tools.figures import page_images, page_language

    docs = REPOSITORY / "docs"
    return [str(page.relative_to(docs)) for page in sorted(docs.rglob("*.md"))
            if any(written != spec for written, spec in page_images(page.read_text(encoding="utf-8"),
                                                                      page_language(page)))]


def _handler(args):
    from gpt2guide.validation import WrongValue
    from tools.figures import draw_all, write_page_images

    if args.list:
        entries = _entries(None)
        text = "\n".join(f"{e['name']}: {', '.join(e['files'].values())}\n  ja: {e['markdown']['ja']}\n"
                         f"  en: {e['markdown']['en']}" for e in entries)
        return {"figures": entries, "text": text}
    out = Path(args.out) if args.out else default_out_dir()
    if out.exists() and not out.is_dir():
        raise WrongValue("out", f"{args.out} is a file; pass a folder to draw the figures into")
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            draw_all(tmp)
            problems = compare(out, Path(tmp))
        problems["pages"] = stale_pages()
        bad = [f"{kind}: {', '.join(names)}" for kind, names in problems.items() if names]
        if bad:
            raise WrongValue("--check", f"figures in {out} are out of date ({'; '.join(bad)}); run `python -m tools figures` "
                             "to redraw them and rewrite the pages' images (and delete left-over files)")
        return {"out": str(out), "figures": _entries(out), **problems,
                "text": f"all {2 * len(_entries(None))} figures in {out} are up to date"}
    written = draw_all(out)
    if args.out is None:  # the repository's own figures: its pages show them
        written_pages = write_page_images(REPOSITORY / "docs")
    extra = sorted(p.name for p in out.glob("*.svg") if p not in set(written))
    lines = [f"wrote {p} ({p.stat().st_size / 1000:.0f} kB)" for p in written]
    lines += [f"rewrote the figure images of {p}" for p in (written_pages if args.out is None else [])]
    if extra:
        lines.append(f"left-over files with no figure behind them (delete them): {', '.join(extra)}")
    return {"out": str(out), "figures": _entries(out), "extra": extra, "text": "\n".join(lines)}


def register(subparsers) -> None:
    parser = subparsers.add_parser("figures", help="redraw the guide's figures (SVG, Japanese and English)")
    parser.add_argument("--out", default=None, help="folder to write to (default: the repository's docs/assets/figures)")
    parser.add_argument("--check", action="store_true", help="redraw in a temporary folder and fail if --out differs")
    parser.add_argument("--list", action="store_true", help="print names, files and alt texts without drawing")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.set_defaults(handler=_handler)
