"""Data parallelism for real: ``dist.all_reduce`` and one DistributedDataParallel step.

Every process holds a full copy of the model and takes its own share of the batch.
During the backward pass DDP all-reduces each gradient (sum, then divide by the
number of processes), so every copy takes the same optimizer step and the copies stay
identical.
Run inside ``launch.spawn``. References: PyTorch's DDP notes (``torch.nn.parallel``);
Li et al. 2020, "PyTorch Distributed: Experiences on Accelerating Data Parallel
Training".
"""

from __future__ import annotations

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel


def all_reduce_demo() -> torch.Tensor:
    """Rank r starts with (r + 1) * [1, 10]; afterwards every rank holds the sum."""
    tensor = torch.tensor([1.0, 10.0]) * (dist.get_rank() + 1)  # (2,)
    dist.all_reduce(tensor, op=dist.ReduceOp.SUM)  # in place, on every rank
    return tensor


def data_parallel_step(model, input_ids: torch.Tensor, lr: float) -> dict:
    """One SGD step of DDP on this process's share of input_ids (batch, seq)."""
    rank, world = dist.get_rank(), dist.get_world_size()
    ddp = DistributedDataParallel(model)  # copies rank 0's weights, hooks the gradients
    mine = input_ids.chunk(world)[rank]  # (batch / world, seq): this process's texts
    optimizer = torch.optim.SGD(ddp.parameters(), lr=lr)
    loss = ddp(mine, labels=mine).loss  # mean over this process's tokens only
    loss.backward()  # DDP all-reduces every gradient here, then divides by world
    gradient = torch.cat([p.grad.flatten() for p in model.parameters()])
    optimizer.step()  # the same averaged gradient on every rank: the same step
    weights = torch.cat([p.detach().flatten() for p in model.parameters()])
    return {"ids": mine, "loss": loss.item(), "gradient": gradient, "weights": weights}
