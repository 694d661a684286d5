"""Training past one process: data parallelism with DDP, under ``torchrun`` or ``gpt2guide.distributed.spawn``.

Every process holds the whole model, draws the whole batch from the same seeded generator and
trains on its own share of it; DDP averages the gradients, so each process takes exactly the
step one process would take on the whole batch (up to the order of floating-point sums). Under
``torchrun`` the processes find each other through its environment variables (``WORLD_SIZE``,
``RANK``, ``MASTER_ADDR``...): the backend is gloo on CPUs and NCCL on GPUs.
References: PyTorch's DistributedDataParallel and torchrun docs; nanoGPT's train.py (DDP).
"""

from __future__ import annotations

import contextlib
import os

import torch


def world() -> tuple[int, int]:
    """``(processes, this one's rank)``: from an initialised process group, or torchrun's variables."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        return dist.get_world_size(), dist.get_rank()
    return int(os.environ.get("WORLD_SIZE", "1")), int(os.environ.get("RANK", "0"))


@contextlib.contextmanager
def process_group(processes: int, device: torch.device):
    """Join torchrun's process group if there is one to join and nobody joined it yet; leave it after."""
    import torch.distributed as dist

    if processes == 1 or dist.is_initialized():
        yield
        return
    if device.type == "cuda":  # one GPU per process (train picked it from torchrun's LOCAL_RANK)
        torch.cuda.set_device(device)
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    try:
        yield
    finally:
        dist.destroy_process_group()


def all_agree(flags: torch.Tensor, processes: int) -> torch.Tensor:
    """Each flag set on any process, set on all (one all-reduce, so every process stops together)."""
    if processes > 1:
        import torch.distributed as dist

        dist.all_reduce(flags, op=dist.ReduceOp.MAX)
    return flags


def mean_over(value: torch.Tensor, processes: int) -> torch.Tensor:
    """The mean of ``value`` over the processes (the whole batch's loss)."""
    if processes > 1:
        import torch.distributed as dist

        dist.all_reduce(value)
        value /= processes
    return value


def trained_weights(kwargs: dict) -> dict:
    """Run ``train(**kwargs)`` in this process (for ``spawn``): its weights and losses come back."""
    from .loop import train

    run = train(**kwargs)
    return {"weights": {k: v.clone() for k, v in run.model.state_dict().items()}, "losses": run.losses}
