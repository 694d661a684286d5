"""Pipeline parallelism for real: the blocks split across two processes.

Stage 0 (rank 0) runs the embeddings and the first half of the blocks and sends the
hidden states; stage 1 (rank 1) receives them and runs the other blocks and ln_f.
The batch goes through in micro-batches, so stage 0 can start the next one while stage 1
works. Run inside ``launch.spawn`` with two processes.
References: Huang et al. 2019, "GPipe"; PyTorch's point-to-point ``send``/``recv``.
"""

from __future__ import annotations

import torch
import torch.distributed as dist

from ..validation import WrongValue


def pipeline_hidden_states(model, input_ids: torch.Tensor, micro_batches: int = 2):
    """The body's last hidden states (batch, seq, n_embd) on rank 1; None on rank 0."""
    if dist.get_world_size() != 2:
        world = dist.get_world_size()
        raise WrongValue("world_size", f"2 stages need 2 processes, got {world}")
    body, rank = model.transformer, dist.get_rank()
    cut = len(body.h) // 2
    outputs = []
    for ids in input_ids.chunk(micro_batches):  # (batch / micro_batches, seq) each
        if rank == 0:  # stage 0: embeddings and blocks [0, cut)
            h = body.wte(ids) + body.wpe(torch.arange(ids.shape[1]))  # (mb, seq, d)
            for block in body.h[:cut]:
                h = block(h)
            dist.send(h, dst=1)  # hand the hidden states to the next stage
        else:  # stage 1: blocks [cut, n_layer) and the final layer norm
            h = torch.empty(*ids.shape, model.config.n_embd)  # (mb, seq, n_embd)
            dist.recv(h, src=0)  # wait for stage 0's hidden states
            for block in body.h[cut:]:
                h = block(h)
            outputs.append(body.ln_f(h))
    return torch.cat(outputs) if outputs else None
