"""Real parallelism on two CPU processes: torch.distributed with the gloo backend.

The parallelism page simulates every split on one device; this package runs the same splits in
separate processes that talk through ``torch.distributed``, so the page can show that the lesson
and the real tool compute the same thing.

- ``launch``: start processes, join them in a process group on 127.0.0.1, collect their results.
- ``data``: ``dist.all_reduce`` itself, and one DistributedDataParallel training step.
- ``tensor``: one block's MLP and attention split across processes (Megatron-LM style).
- ``pipeline``: the blocks split across processes, hidden states sent with ``send``/``recv``.
- ``demos``: all of the above in one start of two processes (imports dominate the time).

References: PyTorch "Writing distributed applications with PyTorch" and the
DistributedDataParallel notes; Shoeybi et al. 2019 (Megatron-LM); Huang et al. 2019 (GPipe).
"""

from __future__ import annotations

from .launch import can_spawn, spawn

__all__ = ["can_spawn", "spawn"]
