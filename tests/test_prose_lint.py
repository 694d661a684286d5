"""``python -m tools prose-lint``: the prose linters (tools/prose_lint) as a maintainer command."""

from __future__ import annotations

from tools.__main__ import main
from tools.pages import DOCS


def test_a_clean_page_passes(capsys) -> None:
    assert main(["prose-lint", str(DOCS / "index.en.md"), str(DOCS / "index.ja.md")]) == 0
    assert "2 pages keep the house style" in capsys.readouterr().out


def test_a_bad_page_lists_its_findings_and_fails_in_one_line(tmp_path, capsys) -> None:
    page = tmp_path / "bad.ja.md"
    page.write_text("# 例\n\nこれはひとつの例である。\n", encoding="utf-8")
    assert main(["prose-lint", str(page)]) == 2
    out, err = capsys.readouterr()
    assert f"{page}:3: [spelling-hitotsu]" in out and f"{page}:3: [style-desu-masu]" in out
    assert err.strip().splitlines() == [err.strip()] and "PAGE" in err and "findings" in err


def test_a_missing_page_is_bad_input(tmp_path, capsys) -> None:
    assert main(["prose-lint", str(tmp_path / "nothing.md")]) == 2
    assert "PAGE: not a Markdown page" in capsys.readouterr().err
