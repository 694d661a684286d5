"""Writing a run to its folder without losing it: the checkpoint, the training card, the resume state.

The folder is an ordinary transformers checkpoint (``config.json``, ``model.safetensors``,
``generation_config.json``, the tokenizer's files), so ``gpt2guide.load(folder)`` and
``gpt2guide generate --checkpoint folder`` open it. Beside it: ``training_card.json`` (what was
trained on what, how fast, how well) and the resume state (``resume.safetensors``: the optimizer's
moments and the random states; ``resume.json``: the step, the histories, the recipe). Every file
is written to a temporary name in the same folder and then renamed over the old one (a rename is
atomic), so an interrupted write never leaves half a file.
References: transformers' ``save_pretrained``; safetensors; POSIX ``rename``.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

from ..validation import WrongType, WrongValue

CARD = "training_card.json"
STATE = "resume.safetensors"
STATE_JSON = "resume.json"


def check_out(out, *, resume: bool, force: bool) -> tuple[Path | None, bool]:
    """``(folder, resuming)``; an occupied folder is refused unless ``resume`` or ``force``."""
    if out is None:
        if resume:
            raise WrongValue("resume", "resume=True needs out= (the folder of the run to resume)")
        return None, False
    if not isinstance(out, (str, Path)):
        raise WrongType("out", f"expected a folder (str or Path), got {type(out).__name__}")
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise WrongValue("out", f"{folder} is a file, not a folder; pass a folder for the checkpoint")
    if resume and force:
        raise WrongValue("force", "pass resume=True or force=True, not both")
    has_run = (folder / STATE_JSON).is_file()
    others = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    if resume:
        if not has_run and others:
            raise WrongValue("resume", f"{folder} holds no run to resume (no {STATE_JSON}); leave out resume")
        return folder, has_run
    if others and not force:
        what = (f"another run ({_steps_of(folder)} steps)" if has_run else f"{len(others)} other file(s)")
        raise WrongValue("out", f"{folder} already holds {what}; resume it, pass force to replace it, or choose "
                         "an empty folder")
    if others:  # force: say what is replaced
        what = f"the run of {_steps_of(folder)} steps" if has_run else f"{len(others)} file(s)"
        print(f"gpt2guide train: replacing {what} in {folder}", file=sys.stderr)
        for name in (STATE, STATE_JSON, CARD):
            (folder / name).unlink(missing_ok=True)
    return folder, False


def _steps_of(folder: Path) -> int | str:
    try:
        return json.loads((folder / STATE_JSON).read_text())["step"]
    except (OSError, ValueError, KeyError):
        return "?"


def _replace(tmp: Path, target: Path) -> None:
    os.replace(tmp, target)  # atomic on POSIX and Windows within one file system


def write_json(path: Path, value) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(value, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    _replace(tmp, path)


def save_checkpoint(folder: Path, model, tokenizer) -> None:
    """The model (float32 safetensors, on the CPU) and the tokenizer, each file renamed into place."""
    from transformers import GenerationConfig

    from ..checkpoints import _quiet_progress

    folder.mkdir(parents=True, exist_ok=True)
    end = model.config.eos_token_id  # <|endoftext|>, or None in a synthetic vocabulary
    model.generation_config = GenerationConfig(bos_token_id=end, eos_token_id=end, pad_token_id=end)
    # a local write takes a blink: keep transformers' "Writing model shards" bar off the screen
    with _quiet_progress(local=True), tempfile.TemporaryDirectory(dir=folder, prefix=".writing-") as name:
        staging = Path(name)
        model.save_pretrained(staging)  # config.json, generation_config.json, model.safetensors
        tokenizer.save_pretrained(staging)  # tokenizer.json, tokenizer_config.json, ...
        for path in sorted(staging.iterdir()):
            if path.is_file():
                _replace(path, folder / path.name)
            else:
                shutil.rmtree(path)


def save_state(folder: Path, optimizer, generators: dict[str, torch.Tensor], meta: dict) -> None:
    """The optimizer's tensors and the random states (safetensors), the rest as JSON."""
    tensors = dict(generators)
    state = optimizer.state_dict()
    for index, values in state["state"].items():
        for name, value in values.items():
            tensors[f"optim.{index}.{name}"] = value.reshape(-1) if value.dim() == 0 else value
    tmp = folder / (STATE + ".tmp")
    save_file({k: v.detach().cpu().contiguous() for k, v in tensors.items()}, str(tmp))
    _replace(tmp, folder / STATE)
    write_json(folder / STATE_JSON, {**meta, "param_groups": state["param_groups"]})


def load_state(folder: Path, model, optimizer) -> tuple[dict, dict[str, torch.Tensor]]:
    """Put the checkpoint's weights into ``model`` and the state into ``optimizer``; returns
    ``(meta, random states)``."""
    weights = load_file(str(folder / "model.safetensors"))
    model.load_state_dict(weights, strict=False)  # lm_head.weight is tied to the embedding
    model.tie_weights()
    tensors = load_file(str(folder / STATE))
    meta = json.loads((folder / STATE_JSON).read_text(encoding="utf-8"))
    device = next(model.parameters()).device
    state: dict[int, dict] = {}
    for key, value in tensors.items():
        if key.startswith("optim."):
            _, index, name = key.split(".", 2)
            state.setdefault(int(index), {})[name] = value.reshape(()) if name == "step" else value.to(device)
    optimizer.load_state_dict({"state": state, "param_groups": meta.pop("param_groups")})
    return meta, {k: v for k, v in tensors.items() if not k.startswith("optim.")}


def machine() -> dict:
    """Where the run ran: processor, cores, threads, library versions."""
    import transformers

    from .. import __version__

    processor = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                processor = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"processor": processor, "cpu_count": os.cpu_count(), "torch_threads": torch.get_num_threads(),
            "platform": platform.platform(),
            "versions": {"python": platform.python_version(), "torch": torch.__version__,
                         "transformers": transformers.__version__, "gpt2guide": __version__}}
