"""tools/durations.py reads a JUnit report into the tables the budgets are discussed with."""

from __future__ import annotations

from tools import durations

REPORT = """<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">
<testcase classname="tests.test_site" name="test_build_strict" time="40.0" />
<testcase classname="tests.test_site" name="test_404_page" time="1.5"><skipped message="x" /></testcase>
<testcase classname="docs.beyond.lora-rlhf.ja.md" name="line:12,column:1" time="30.0" />
<testcase classname="docs.beyond.lora-rlhf.en.md" name="line:12,column:1" time="20.0"><failure message="f" /></testcase>
<testcase classname="docs.tokens.ja.md" name="line:3,column:1" time="5.0" />
<testcase classname="tests.test_notebooks" name="test_notebook_runs_and_reproduces_its_outputs[tokens]" time="3.5" />
</testsuite></testsuites>"""


def test_a_report_is_grouped_by_file_page_and_chapter(tmp_path, capsys):
    report = tmp_path / "run.xml"
    report.write_text(REPORT, encoding="utf-8")
    cases = durations.read(report)
    assert [(path, outcome) for path, _, _, outcome in cases] == [
        ("tests/test_site.py", "passed"), ("tests/test_site.py", "skipped"),
        ("docs/beyond/lora-rlhf.ja.md", "passed"), ("docs/beyond/lora-rlhf.en.md", "failed"),
        ("docs/tokens.ja.md", "passed"), ("tests/test_notebooks.py", "passed")]
    assert durations.main([str(report)]) == 0
    out = capsys.readouterr().out
    assert "6 tests, 100 s of test time" in out
    assert "| tests/test_site.py | 2 | 41.5 | 41.5% |" in out
    assert "| beyond/lora-rlhf | 30.0 | 20.0 | 0.0 | 50.0 |" in out
    assert "| tokens | 5.0 | 0.0 | 3.5 | 8.5 |" in out
