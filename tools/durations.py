"""Where a test run's time goes: a JUnit XML report grouped by test file, by page and by chapter.

    pytest --junitxml=/tmp/run.xml
    python -m tools.durations /tmp/run.xml [--top 25]

pytest writes each test's time (setup, call and teardown together) in ``<testcase time=...>``;
its ``classname`` is the node id's path with dots (``tests.test_site``, ``docs.beyond.lora-rlhf.en.md``),
so the file is found by matching against the repository's own files. The tables are plain
Markdown, to paste into a note; the page table has a column per language and the chapter table
adds both languages and the chapter's notebook test (tests/test_notebooks.py's per-chapter test).

Reference: the JUnit XML that pytest's junitxml plugin writes (family xunit2).
"""

from __future__ import annotations

import argparse
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
LANGUAGES = ("ja", "en")


def _known_files() -> dict[str, str]:
    """Dotted classname -> repository path, for every test module and page."""
    found = {}
    for path in [*ROOT.glob("tests/**/*.py"), *ROOT.glob("*.py"), *DOCS.rglob("*.md")]:
        relative = path.relative_to(ROOT).as_posix()
        dotted = relative.removesuffix(".py").replace("/", ".")
        found[dotted] = relative
    return found


def file_of(classname: str, known: dict[str, str]) -> str:
    """The repository file a testcase's classname names (a test class after the module is cut)."""
    parts = classname.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return known[candidate]
    return classname


def read(report: Path) -> list[tuple[str, str, float, str]]:
    """``(file, test name, seconds, outcome)`` per testcase; outcome is passed/failed/error/skipped."""
    known = _known_files()
    cases = []
    for case in ET.parse(report).iter("testcase"):
        outcome = next((child.tag for child in case if child.tag in ("failure", "error", "skipped")), "passed")
        outcome = {"failure": "failed"}.get(outcome, outcome)
        cases.append((file_of(case.get("classname", ""), known), case.get("name", ""),
                      float(case.get("time", 0) or 0), outcome))
    return cases


def page_key(path: str) -> tuple[str, str] | None:
    """``("beyond/lora-rlhf", "en")`` for docs/beyond/lora-rlhf.en.md; None for other files."""
    if not (path.startswith("docs/") and path.endswith(".md")):
        return None
    name = path.removeprefix("docs/").removesuffix(".md")
    stem, _, language = name.rpartition(".")
    return (stem, language) if language in LANGUAGES else (name, "")


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def tables(cases: list[tuple[str, str, float, str]], top: int = 30) -> str:
    total = sum(seconds for _, _, seconds, _ in cases)
    by_file: dict[str, list[float]] = defaultdict(list)
    for path, _, seconds, _ in cases:
        by_file[path].append(seconds)
    out = [f"{len(cases)} tests, {total:.0f} s of test time ({total / 60:.1f} min)", "", "By file:", ""]
    rows = sorted(by_file.items(), key=lambda kv: -sum(kv[1]))
    shown = [[path, str(len(times)), f"{sum(times):.1f}", f"{sum(times) / total:.1%}"] for path, times in rows[:top]]
    rest = rows[top:]
    if rest:
        seconds = sum(sum(t) for _, t in rest)
        shown.append([f"({len(rest)} more files)", str(sum(len(t) for _, t in rest)), f"{seconds:.1f}",
                      f"{seconds / total:.1%}"])
    out.append(_table(["file", "tests", "seconds", "share"], shown))

    pages: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for path, _, seconds, _ in cases:
        key = page_key(path)
        if key:
            pages[key[0]][key[1]] += seconds
    # The chapter notebook test is parametrized by chapter: test_x[tokens] counts for tokens.
    notebooks: dict[str, float] = defaultdict(float)
    for path, name, seconds, _ in cases:
        if path == "tests/test_notebooks.py" and "[" in name and name.startswith("test_notebook_runs"):
            notebooks[name[name.index("[") + 1:-1]] += seconds
    if pages:
        out += ["", "By page and chapter (seconds; the notebook column is the chapter's notebook run):", ""]
        rows = sorted(pages.items(), key=lambda kv: -(sum(kv[1].values()) + notebooks.get(kv[0], 0)))
        table = [[name, f"{times.get('ja', 0):.1f}", f"{times.get('en', 0):.1f}", f"{notebooks.get(name, 0):.1f}",
                  f"{sum(times.values()) + notebooks.get(name, 0):.1f}"] for name, times in rows]
        page_total = sum(sum(t.values()) for t in pages.values()) + sum(notebooks.values())
        table.append(["all pages", f"{sum(t.get('ja', 0) for t in pages.values()):.1f}",
                      f"{sum(t.get('en', 0) for t in pages.values()):.1f}", f"{sum(notebooks.values()):.1f}",
                      f"{page_total:.1f} ({page_total / total:.0%})"])
        out.append(_table(["chapter", "ja", "en", "notebook", "total"], table))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.durations", description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="a JUnit XML file (pytest --junitxml=FILE)")
    parser.add_argument("--top", type=int, default=30, help="files listed by name (default 30)")
    args = parser.parse_args(argv)
    if not args.report.is_file():
        parser.error(f"report: no such file {args.report}")
    if args.top < 1:
        parser.error("--top: must be at least 1")
    print(tables(read(args.report), args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
