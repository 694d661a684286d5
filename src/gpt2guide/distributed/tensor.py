"""Tensor parallelism for real: one block's MLP and attention split across processes.

Megatron-LM's split: the first matrix by columns (each process takes its share of the
hidden units, or of the heads), the second by rows. Each process then computes a partial
output of the full width, and one ``all_reduce`` (sum) of batch x seq x n_embd values
per sub-layer combines them; the output bias is added once, after the sum. Here every
process loads the whole model and slices out its shard; a real run loads only the shard.
Run inside ``launch.spawn``. References: Shoeybi et al. 2019, "Megatron-LM" (section 3).
"""

from __future__ import annotations

import torch
import torch.distributed as dist
import torch.nn.functional as F

from ..validation import WrongValue


def shard(width: int) -> slice:
    """This process's contiguous share of ``width`` columns."""
    rank, world = dist.get_rank(), dist.get_world_size()
    if width % world:
        raise WrongValue("width", f"{width} does not split into {world} equal shards")
    size = width // world
    return slice(rank * size, (rank + 1) * size)


def tensor_parallel_mlp(mlp, x: torch.Tensor) -> torch.Tensor:
    """GPT-2's MLP on this process's shard; x (batch, seq, n_embd), the same on all."""
    units = shard(mlp.c_fc.weight.shape[1])  # this rank's share of the 4 * n_embd units
    w1 = mlp.c_fc.weight[:, units]  # (n_embd, 4 * n_embd / world): columns
    w2 = mlp.c_proj.weight[units, :]  # (4 * n_embd / world, n_embd): rows
    partial = mlp.act(x @ w1 + mlp.c_fc.bias[units]) @ w2  # (batch, seq, n_embd)
    dist.all_reduce(partial)  # the MLP's one communication: sum the partial outputs
    return partial + mlp.c_proj.bias  # the bias once, after the sum


def tensor_parallel_attention(attn, x: torch.Tensor) -> torch.Tensor:
    """GPT-2's causal self-attention on this process's heads; x (batch, seq, n_embd)"""
    n_embd, d = x.shape[-1], attn.head_dim
    cols = shard(n_embd)  # this rank's heads: n_head / world heads of width d
    w, b = attn.c_attn.weight, attn.c_attn.bias  # (n_embd, 3 * n_embd): q | k | v
    qkv = [x @ w[:, i * n_embd :][:, cols] + b[i * n_embd :][cols] for i in range(3)]
    # (batch, seq, heads * d) -> (batch, heads, seq, d)
    q, k, v = (t.unflatten(-1, (-1, d)).transpose(1, 2) for t in qkv)
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # (b, heads, seq, d)
    y = y.transpose(1, 2).flatten(-2)  # (batch, seq, heads * d)
    partial = y @ attn.c_proj.weight[cols, :]  # (batch, seq, n_embd)
    dist.all_reduce(partial)  # the attention's one communication
    return partial + attn.c_proj.bias
