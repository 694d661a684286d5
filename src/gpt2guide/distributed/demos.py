"""Every demo of the parallelism page in one start of two processes.

Starting a process costs seconds (it imports torch and transformers again), so the page starts
two once and runs all of its demos in them: ``all_reduce``, tensor parallelism (MLP and
attention of block 0), pipeline parallelism, then the DDP step (last: it changes the weights).
References: the modules of this package.
"""

from __future__ import annotations

import torch

from ..checkpoints import load
from ..validation import WrongType, WrongValue
from .data import all_reduce_demo, data_parallel_step
from .launch import spawn
from .pipeline import pipeline_hidden_states
from .tensor import tensor_parallel_attention, tensor_parallel_mlp


def run_all(checkpoint: str = "pocket", *, input_ids, hidden, lr: float = 0.1,
            timeout: float = 120.0) -> list[dict]:
    """Run every demo on two processes; one dict of results per rank, in rank order.

    ``input_ids`` (batch, seq) is split between the processes (batch even, one text each for
    a batch of two); ``hidden`` (batch, seq, n_embd) is the input of the tensor-parallel layers.
    """
    if not isinstance(input_ids, torch.Tensor) or input_ids.dim() != 2:
        raise WrongType("input_ids", "expected a (batch, seq) tensor of token ids")
    if input_ids.shape[0] % 2:
        raise WrongValue("input_ids", f"a batch of {input_ids.shape[0]} does not split in two")
    if not isinstance(hidden, torch.Tensor) or hidden.dim() != 3:
        raise WrongType("hidden", "expected a (batch, seq, n_embd) tensor")
    return spawn(_worker, checkpoint, input_ids, hidden, lr, world_size=2, timeout=timeout)


def _worker(checkpoint, input_ids, hidden, lr) -> dict:
    model, _ = load(checkpoint)
    block = model.transformer.h[0]
    with torch.no_grad():
        results = {
            "all_reduce": all_reduce_demo(),
            "mlp": tensor_parallel_mlp(block.mlp, hidden),
            "attention": tensor_parallel_attention(block.attn, hidden),
            "pipeline": pipeline_hidden_states(model, input_ids),
        }
    results["data"] = data_parallel_step(model, input_ids, lr)
    return results
