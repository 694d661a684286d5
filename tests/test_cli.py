"""The command lines: the reader's ``gpt2guide`` (tokens, params, pocket info), readable and JSON, and bad
input; the maintainer's ``python -m tools``; and the arrow between them (the library never imports the tooling)."""

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import gpt2guide.tokens
import tools.__main__
from gpt2guide.cli import build_parser, command_modules, main
from gpt2guide.constants import RUNNING_PROMPT, RUNNING_PROMPT_IDS

REPOSITORY = Path(__file__).resolve().parents[1]

GPT2_COUNTS = {
    "body": {"parameters": 124_439_808, "state_dict_tensors": 148, "state_dict_numel": 124_439_808},
    "with_head": {"parameters": 124_439_808, "state_dict_tensors": 149, "state_dict_numel": 163_037_184},
}


def run(capsys, *argv, cli=main):
    code = cli(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_tokens_json(capsys):
    code, out, _ = run(capsys, "tokens", RUNNING_PROMPT, "--json")
    result = json.loads(out)
    assert code == 0
    assert {"ids", "tokens", "bytes", "tokens_per_character"} <= set(result)
    assert result["ids"] == list(RUNNING_PROMPT_IDS)
    assert result["tokens"][1] == "Ġcan"
    assert result["bytes"][1] == b" can".hex() == "2063616e"
    assert result["tokens_per_character"] == 7 / 23


def test_tokens_json_japanese_bytes(capsys):
    _, out, _ = run(capsys, "tokens", "こんにちは、世界", "--json")
    result = json.loads(out)
    assert len(result["ids"]) == 11
    assert bytes.fromhex("".join(result["bytes"])).decode("utf-8") == "こんにちは、世界"


def test_tokens_readable_is_the_table(capsys):
    code, out, _ = run(capsys, "tokens", "uou")
    lines = out.splitlines()
    assert code == 0
    assert lines[0].split() == ["id", "token", "text", "bytes"]
    assert [line.split()[0] for line in lines[2:4]] == ["84", "280"]
    assert lines[-1].startswith("2 tokens for 3 characters")


def test_params_json_gpt2(capsys):
    code, out, _ = run(capsys, "params", "gpt2", "--json")
    result = json.loads(out)
    assert code == 0
    assert result["name"] == "gpt2"
    assert {key: result[key] for key in GPT2_COUNTS} == GPT2_COUNTS
    assert result["tied"] == [["transformer.wte.weight", "lm_head.weight"]]
    assert result["config"] == {"n_layer": 12, "n_embd": 768, "n_head": 12, "n_positions": 1024, "vocab_size": 50257}


def test_params_json_gpt2_xl_body(capsys):
    _, out, _ = run(capsys, "params", "gpt2-xl", "--json")
    body = json.loads(out)["body"]
    assert (body["state_dict_tensors"], body["state_dict_numel"]) == (580, 1_557_611_200)


def test_params_json_pocket(capsys, pocket):
    _, out, _ = run(capsys, "params", "pocket", "--json")
    result = json.loads(out)
    n_embd = pocket[0].config.n_embd
    assert result["config"]["n_embd"] == n_embd
    assert result["body"]["parameters"] == result["with_head"]["parameters"]
    assert result["with_head"]["state_dict_numel"] - result["with_head"]["parameters"] == 50257 * n_embd
    assert result["with_head"]["state_dict_tensors"] == result["body"]["state_dict_tensors"] + 1


def test_params_readable(capsys):
    code, out, _ = run(capsys, "params", "distilgpt2")
    assert code == 0
    assert out.startswith("distilgpt2: skeleton on the meta device")
    assert "tied: transformer.wte.weight = lm_head.weight" in out


@pytest.mark.parametrize(("argv", "line"), [
    (["tokens", ""], "gpt2guide tokens: error: TEXT: the text is empty; pass at least one character"),
    (["params", "gpt5"], "gpt2guide params: error: NAME: unknown checkpoint 'gpt5'; known: pocket, gpt2, "
                         "gpt2-medium, gpt2-large, gpt2-xl, distilgpt2"),
    (["params", "gpt5", "--json"], "gpt2guide params: error: NAME: unknown checkpoint 'gpt5'; known: pocket, gpt2, "
                                   "gpt2-medium, gpt2-large, gpt2-xl, distilgpt2"),
])
def test_bad_input_exits_2_with_one_line(capsys, argv, line):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err == line + "\n"  # the whole of stderr: one line, naming the option


@pytest.mark.parametrize(("argv", "line"), [
    (["pocket", "train", "--steps", "0"], "python -m tools pocket: error: --steps: must be at least 1, got 0"),
    (["bench", "--repeats", "0"], "python -m tools bench: error: --repeats: must be at least 1, got 0"),
    (["bench", "--layers", "0", "--repeats", "1"], "python -m tools bench: error: --layers: must be at least 1, got 0"),
    (["notebooks", "--docs", "nowhere", "--check"],
     "python -m tools notebooks: error: --docs: nowhere is not a folder; pass the docs folder of a gpt2guide checkout"),
    (["figures", "--out", "pyproject.toml"],
     "python -m tools figures: error: --out: pyproject.toml is a file; pass a folder to draw the figures into"),
])
def test_maintainer_bad_input_exits_2_with_one_line(capsys, argv, line):
    """The maintainer commands keep the readers' contract: one line naming the option, exit 2."""
    code, out, err = run(capsys, *argv, cli=tools.__main__.main)
    assert (code, out) == (2, "")
    assert err == line + "\n"


def test_export_without_a_run_is_one_line(capsys, tmp_path):
    code, out, err = run(capsys, "pocket", "export", "--run-dir", str(tmp_path / "nowhere"), cli=tools.__main__.main)
    assert (code, out) == (2, "")
    assert err.startswith("python -m tools pocket: error: --run-dir: ") and "holds no training run" in err
    assert len(err.splitlines()) == 1


def test_figures_list_is_a_plain_run(capsys):
    """``python -m tools figures --list``: every figure, both languages, without drawing."""
    code, out, _ = run(capsys, "figures", "--list", cli=tools.__main__.main)
    assert code == 0
    assert "temperature: temperature.ja.svg, temperature.en.svg" in out


@pytest.mark.slow  # a fresh Python process (not in the quick loop)
def test_a_bug_keeps_its_traceback(capsys, monkeypatch):
    """Only the library's argument errors become one line; any other exception is a bug and propagates."""
    def broken(*args, **kwargs):
        raise ValueError("an internal bug, not bad input")

    monkeypatch.setattr(gpt2guide.tokens, "token_table", broken)
    with pytest.raises(ValueError, match="an internal bug"):
        main(["tokens", "hello"])
    monkeypatch.setattr(gpt2guide.tokens, "token_table", lambda *a: [][1])
    with pytest.raises(IndexError):
        main(["tokens", "hello"])


def test_every_command_module_is_a_command(capsys):
    """Commands are found by pkgutil: each module of gpt2guide.commands registers a reader's command,
    each module of tools.commands a maintainer's; the library's CLI offers its own alone."""
    import pkgutil

    import gpt2guide.commands
    import tools.commands

    for package in (gpt2guide.commands, tools.commands):
        names = {f"{package.__name__}.{info.name}" for info in pkgutil.iter_modules(package.__path__)}
        assert {m.__name__ for m in command_modules(package)} == names
    reader = build_parser()._subparsers._group_actions[0].choices
    maintainer = tools.__main__.build_parser()._subparsers._group_actions[0].choices
    assert set(reader) >= {"tokens", "params", "generate", "pocket"}
    assert not set(reader) & {"bench", "figures", "notebooks"}
    assert set(maintainer) >= {"bench", "figures", "notebooks", "pocket"}
    with pytest.raises(SystemExit):  # the reader's pocket has info; the maintainer's the build steps
        build_parser().parse_args(["pocket", "--help"])
    assert "info" in capsys.readouterr().out.split()
    with pytest.raises(SystemExit):
        tools.__main__.build_parser().parse_args(["pocket", "--help"])
    assert {"train", "export", "tokenizer"} <= set(capsys.readouterr().out.split())


@pytest.mark.parametrize("argv", [["tokens", "hello"], ["pocket", "info"]])
@pytest.mark.slow  # a fresh Python process (not in the quick loop)
def test_quick_commands_import_neither_torch_nor_transformers(argv):
    code = (f"import sys; from gpt2guide.cli import main; assert main({argv!r}) == 0; "
            "print(sorted(m for m in ('torch', 'transformers', 'numpy') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"


def test_pocket_info(capsys):
    code, out, _ = run(capsys, "pocket", "info", "--json")
    card = json.loads(out)
    assert code == 0
    assert card["files"]["model.safetensors"] > 1_000_000 and card["total_bytes"] == sum(card["files"].values())
    assert card["config"]["n_layer"] >= 1


@pytest.mark.slow  # a fresh Python process (not in the quick loop)
def test_notebooks_check_works_from_any_folder_with_the_clone_on_the_path(tmp_path):
    path = os.pathsep.join([str(REPOSITORY / "src"), str(REPOSITORY)])
    done = subprocess.run([sys.executable, "-m", "tools", "notebooks", "--check"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": path})
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stdout


def _outside_the_clone(tmp_path, *argv):
    """``python -m gpt2guide ARGV`` from another folder with only the library on the path: no tools."""
    return subprocess.run([sys.executable, "-m", "gpt2guide", *argv], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(REPOSITORY / "src")})


def test_the_cli_does_not_edit_sys_path_to_find_the_tools(tmp_path):
    code = "import sys; before = list(sys.path); from gpt2guide.cli import build_parser; build_parser(); " \
           "print(sys.path == before, 'tools' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPOSITORY / "src")})
    assert done.stdout.split() == ["True", "False"], done.stderr


@pytest.mark.parametrize("command", ["figures", "bench", "notebooks"])
def test_a_maintainer_command_is_not_a_reader_command(tmp_path, command):
    done = _outside_the_clone(tmp_path, command)
    assert done.returncode == 2
    assert f"invalid choice: '{command}'" in done.stderr


@pytest.mark.slow  # a fresh Python process (not in the quick loop)
def test_a_tools_package_of_the_readers_own_is_never_imported(tmp_path):
    """``python -m gpt2guide`` run in a reader's project that has its own ``tools/commands`` package."""
    for folder in (tmp_path / "tools", tmp_path / "tools" / "commands"):
        folder.mkdir()
        (folder / "__init__.py").write_text("raise SystemExit('the reader tools package was imported')\n")
    done = _outside_the_clone(tmp_path, "--help")
    assert done.returncode == 0, done.stderr
    assert "tokens" in done.stdout and "imported" not in done.stderr
    assert _outside_the_clone(tmp_path, "tokens", "uou").returncode == 0


def test_the_maintainer_cli_runs_from_the_clone_root():
    done = subprocess.run([sys.executable, "-m", "tools", "--help"], cwd=REPOSITORY, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(REPOSITORY / "src")})
    assert done.returncode == 0, done.stderr
    assert all(command in done.stdout for command in ("figures", "notebooks", "bench", "pocket"))


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports: import statements (relative ones resolved) and names passed to
    ``importlib.import_module`` / ``importlib.util.find_spec`` / ``__import__`` as string literals."""
    module = ".".join(path.relative_to(REPOSITORY / "src").with_suffix("").parts)
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module.removesuffix(".__init__")
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            found |= {base} | {f"{base}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Call) and (getattr(node.func, "attr", None) in ("import_module", "find_spec")
                                             or getattr(node.func, "id", None) == "__import__"):
            found |= {arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)}
    return found


def test_the_library_never_imports_the_tooling():
    """Layering: gpt2guide never imports tools or site_hooks, and its commands never import its cli."""
    arrows = []
    for path in sorted((REPOSITORY / "src" / "gpt2guide").rglob("*.py")):
        here = ".".join(path.relative_to(REPOSITORY / "src").with_suffix("").parts)
        for name in _imports(path):
            if name.split(".")[0] in ("tools", "site_hooks") or (
                    here.startswith("gpt2guide.commands") and name.startswith("gpt2guide.cli")):
                arrows.append(f"{here} -> {name}")
    assert arrows == []


def test_the_layering_check_can_fail(tmp_path, monkeypatch):
    path = REPOSITORY / "src" / "gpt2guide" / "commands" / "params.py"
    monkeypatch.setattr(Path, "read_text", lambda self, **_: "from ..cli import given\nimportlib.import_module('tools.x')\n")
    assert _imports(path) >= {"gpt2guide.cli.given", "tools.x"}


def test_reader_commands_need_no_tools(tmp_path):
    done = _outside_the_clone(tmp_path, "tokens", "uou", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ids"] == [84, 280]


def _console_script() -> str:
    script = Path(sys.executable).parent / "gpt2guide"
    return str(script) if script.exists() else shutil.which("gpt2guide")


@pytest.mark.slow  # fresh processes of the installed command (not in the quick loop)
def test_console_script():
    done = subprocess.run([_console_script(), "params", "gpt2", "--json"], capture_output=True, text=True,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"}, timeout=300)
    assert done.returncode == 0, done.stderr
    assert {key: json.loads(done.stdout)[key] for key in GPT2_COUNTS} == GPT2_COUNTS


@pytest.mark.slow  # a fresh process of the installed command (not in the quick loop)
def test_console_script_bad_input():
    done = subprocess.run([_console_script(), "tokens", ""], capture_output=True, text=True,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"}, timeout=300)
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["gpt2guide tokens: error: TEXT: the text is empty; pass at least one character"]
