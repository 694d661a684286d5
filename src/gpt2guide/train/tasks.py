"""Synthetic training data for growing an induction head: a rule-following background with one repeated segment.

Each row is a walk that follows a random second-order rule (the next id is a fixed function of the
two before it: ``rule[a, b]``), interrupted once by a segment of ``n`` distinct random ids written
twice, back to back; ``n`` and the segment's place are drawn for each row. The loss mask marks what
can be predicted: the walk (after its first two ids) and the second copy (after its first id); the
first copy is random and is never scored.

Why both parts. The second copy can only be predicted by finding the earlier occurrence of the
current id and reading what followed it: an induction head, which needs a head in an earlier block
that has moved each position's previous id into it (a previous-token head). The rule makes that
previous-token head useful on its own (predicting the walk needs the id two back), so it grows
first and the induction head can then form on top of it, as Olsson et al. saw in language models.
On random background, nothing rewards a previous-token head alone; in this guide's tries, no
induction head formed there within 3,000 steps. A varying ``n`` and place matter too: with one fixed
layout, a head in the first block could copy by position alone (attend ``n - 1`` places back).
References: Elhage et al. 2021 (A Mathematical Framework for Transformer Circuits); Olsson et al. 2022
(In-context Learning and Induction Heads).
"""

from __future__ import annotations

import torch

from ..validation import WrongValue, check_int


def repeated_segments(rows: int, length: int, *, vocab_size: int, shortest: int = 4, longest: int | None = None,
                      seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """``(ids, loss_mask)``, each (rows, length): rule-following walks with one segment repeated in each row.

    The segment's length is drawn from ``shortest`` .. ``longest`` (default: ``length // 2 - 2``) and
    its ids are distinct; ``loss_mask`` is True where the next id can be known (see the module).
    """
    rows = check_int(rows, "rows", minimum=1)
    length = check_int(length, "length", minimum=8)
    vocab_size = check_int(vocab_size, "vocab_size", minimum=2)
    shortest = check_int(shortest, "shortest", minimum=2)
    longest = length // 2 - 2 if longest is None else check_int(longest, "longest", minimum=shortest)
    if 2 * longest + 2 > length:
        raise WrongValue("longest", f"two ids of walk and two copies of {longest} do not fit in a row of {length}")
    if longest > vocab_size:
        raise WrongValue("longest", f"a segment of {longest} distinct ids needs vocab_size >= {longest}")
    generator = torch.Generator().manual_seed(check_int(seed, "seed", minimum=0))
    rule = torch.randint(0, vocab_size, (vocab_size, vocab_size), generator=generator)  # next id = rule[a, b]
    n = torch.randint(shortest, longest + 1, (rows,), generator=generator)  # (rows,) each segment's length
    start = (torch.rand(rows, generator=generator) * (length - 2 * n - 1)).long() + 2  # (rows,) in 2 .. length - 2n
    segments = torch.argsort(torch.rand(rows, vocab_size, generator=generator), dim=1)  # (rows, vocab) a shuffle each
    offset = torch.arange(length) - start[:, None]  # (rows, length) position within the two copies
    in_copies = (offset >= 0) & (offset < 2 * n[:, None])
    copied = segments.gather(1, (offset.clamp(min=0) % n[:, None]).clamp(max=vocab_size - 1))  # (rows, length)
    ids = torch.randint(0, vocab_size, (rows, length), generator=generator)  # the walk's first two ids
    for t in range(length):  # the walk, one position at a time for every row at once
        walk = rule[ids[:, t - 2], ids[:, t - 1]] if t >= 2 else ids[:, t]
        ids[:, t] = torch.where(in_copies[:, t], copied[:, t], walk)
    first_copy = (offset >= 0) & (offset <= n[:, None])  # the first copy and the second copy's first id
    loss_mask = ~first_copy
    loss_mask[:, :2] = False  # the walk's first two ids follow nothing
    return ids, loss_mask
