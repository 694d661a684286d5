"""Beam search written out: keep the ``num_beams`` most probable partial texts at every step.

A beam is a partial continuation with its joint log-probability, the sum of the log-probabilities
of its tokens. Each step extends every running beam by every vocabulary token, ranks all
(beam, token) pairs by joint log-probability and keeps the best. A beam finishes when it emits the
end-of-sequence token or reaches ``max_new_tokens``; finished beams are ranked by their *score*,

    score = log_probability / len(tokens) ** length_penalty,

so ``length_penalty`` > 0 favours longer texts (log-probabilities are negative), < 0 shorter ones.

The rules follow transformers 5 (``GenerationMixin._beam_search``), so ``beam_search`` returns the
ids of ``generate(num_beams=..., do_sample=False)`` and its ``sequences_scores``:

* each step ranks the best ``2 * num_beams`` pairs (more with several end-of-sequence ids) so that
  ``num_beams`` beams can run on even when the best pairs all end;
* a pair that ends finishes only if it ranks among the best ``num_beams`` pairs of that step;
  the rest of the ended pairs are dropped;
* at most ``num_beams`` finished beams are kept, the best scores;
* ``early_stopping=True`` stops as soon as ``num_beams`` beams have finished; ``False`` (the default
  ``generate`` fills in) stops when the best running beam, scored at its current length, can no
  longer beat the worst finished one; ``"never"`` makes that estimate at the longest possible
  length when ``length_penalty`` > 0.

References: the Hugging Face blog "How to generate text"; NLP with Transformers, chapter 5;
transformers ``generation/utils.py``. Batch 1: one prompt of shape (1, seq); the beams become the
batch dimension of the model call.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..validation import WrongType, WrongValue, check_eos_token_id, check_int, check_number, check_prompt


@dataclass(frozen=True)
class Beam:
    """One hypothesis: the tokens it adds after the prompt and how probable they are."""

    ids: tuple[int, ...]  # generated token ids (the prompt not included); ids[:-1] is its parent beam
    log_probability: float  # joint log-probability: sum of log p(token | prompt, earlier tokens)
    score: float  # log_probability / len(ids) ** length_penalty: how finished beams are ranked


@dataclass(frozen=True)
class BeamStep:
    """What one step of the search kept: enough to draw the beam tree."""

    running: tuple[Beam, ...]  # the beams that go on to the next step, most probable first (none after the last)
    finished: tuple[Beam, ...]  # the beams that ended at this step (end-of-sequence or length limit)


@dataclass(frozen=True)
class BeamSearchResult:
    """The outcome of ``beam_search``."""

    ids: torch.Tensor  # (1, seq + new): prompt + the best finished beam, as generate returns it
    score: float  # the best beam's score, as generate's sequences_scores
    finished: tuple[Beam, ...]  # the num_beams best finished beams, best first
    steps: tuple[BeamStep, ...]  # one entry per decoding step

    @property
    def best(self) -> Beam:
        return self.finished[0]


def beam_score(log_probability: float, length: int, length_penalty: float) -> float:
    """How beams are ranked: the log-probability divided by length ** length_penalty (the formula above)."""
    return float(log_probability) / length**length_penalty


def _can_still_improve(best_running: float, worst_finished: float, length: int, max_new_tokens: int,
                       length_penalty: float, early_stopping) -> bool:
    """Could the best running beam still beat the worst finished one? (transformers' estimate)"""
    if early_stopping == "never" and length_penalty > 0:
        length = max_new_tokens  # a positive penalty rewards length: estimate at the longest possible
    return beam_score(best_running, length, length_penalty) > worst_finished


def _check_beam_settings(model, num_beams, length_penalty, early_stopping, eos: tuple[int, ...]) -> int:
    """The settings' ranges are generate's; returns how many (beam, token) pairs each step ranks."""
    check_int(num_beams, "num_beams", minimum=1, why=" (1 is greedy decoding)")
    # generate would divide by length ** inf or nan; no ranking comes out of that
    check_number(length_penalty, "length_penalty", why=" (1.0 is the default; the score divides by length ** it)")
    if not isinstance(early_stopping, (bool, str)):
        raise WrongType("early_stopping", f"expected True, False or 'never', got {type(early_stopping).__name__}")
    if early_stopping not in (True, False, "never"):
        raise WrongValue("early_stopping", f"must be True, False or 'never', got {early_stopping!r}")
    n_candidates = max(2, 1 + len(eos)) * num_beams  # enough pairs that num_beams can run on
    vocab = model.config.vocab_size
    if n_candidates > vocab:  # the first step has one beam: it ranks n_candidates of its vocab tokens
        raise WrongValue("num_beams", f"{num_beams} beams rank {n_candidates} candidates at each step, more than "
                         f"the vocabulary's {vocab} tokens; use at most {vocab // max(2, 1 + len(eos))} beams")
    return n_candidates


@torch.inference_mode()
def beam_search(model, input_ids: torch.Tensor, max_new_tokens: int, *, num_beams: int = 4,
                length_penalty: float = 1.0, early_stopping: bool | str = False,
                eos_token_id=None) -> BeamSearchResult:
    """Beam search over at most ``max_new_tokens`` new tokens; the defaults are those ``generate`` fills in."""
    ids = check_prompt(model, input_ids, max_new_tokens)  # (1, seq)
    if max_new_tokens == 0:
        raise WrongValue("max_new_tokens", "beam search needs at least 1 new token (as generate does)")
    eos = check_eos_token_id(model, eos_token_id)
    n_candidates = _check_beam_settings(model, num_beams, length_penalty, early_stopping, eos)
    running = [()]  # the running beams' tokens: one empty beam, the prompt alone, at first
    running_log_p = torch.zeros(1, device=ids.device)  # (beams,): joint log-probability of each
    finished: list[Beam] = []  # at most num_beams, best score first
    steps: list[BeamStep] = []
    new_tokens, cache = ids, None  # the model sees the prompt once, then one token per beam
    for step in range(max_new_tokens):
        length = step + 1  # tokens in every beam after this step
        # 1. next-token log-probabilities for every running beam (the beams are the batch)
        out = model(new_tokens, cache=cache, use_cache=True, logits_to_keep=1)
        cache = out.cache
        log_p = torch.log_softmax(out.logits[:, -1, :].float(), dim=-1)  # (beams, vocab)
        vocab = log_p.shape[-1]
        # 2. joint log-probability of every (beam, next token) pair
        joint = running_log_p[:, None] + log_p  # (beams, vocab)
        # 3. the best pairs over all beams, best first
        top_log_p, flat = joint.flatten().topk(n_candidates)  # (candidates,), (candidates,)
        parents, tokens = flat // vocab, flat % vocab  # (candidates,): which beam, which token
        # 4. a pair that ends becomes a finished beam if it ranks in the top num_beams; the best
        #    num_beams pairs that do not end run on
        keep, ended = [], []
        for rank, (parent, token) in enumerate(zip(parents.tolist(), tokens.tolist())):
            if token in eos or length == max_new_tokens:  # this pair ends here
                if rank < num_beams:
                    log_prob = top_log_p[rank].item()
                    ended.append(Beam(running[parent] + (token,), log_prob, beam_score(log_prob, length, length_penalty)))
            elif len(keep) < num_beams:
                keep.append(rank)
        # 5. the num_beams best finished beams so far, by score
        finished = sorted(finished + ended, key=lambda beam: beam.score, reverse=True)[:num_beams]
        keep = torch.tensor(keep, dtype=torch.long, device=ids.device)  # (beams,) ranks that run on
        running = [running[p] + (t,) for p, t in zip(parents[keep].tolist(), tokens[keep].tolist())]
        running_log_p = top_log_p[keep]  # (beams,), best first
        kept = tuple(Beam(b, lp, beam_score(lp, length, length_penalty)) for b, lp in zip(running, running_log_p.tolist()))
        steps.append(BeamStep(running=kept, finished=tuple(ended)))
        # 6. stop at the length limit, or when the finished list is full and ...
        if length == max_new_tokens:
            break
        if len(finished) == num_beams:
            # ... early_stopping=True: that is enough
            if early_stopping is True:
                break
            # ... otherwise: when no running beam can beat the worst finished beam any more
            if not _can_still_improve(running_log_p[0].item(), finished[-1].score, length, max_new_tokens,
                                      length_penalty, early_stopping):
                break
        # 7. row i of the cache must hold the history of running beam i: copy its parent's rows
        cache.reorder_cache(parents[keep])
        new_tokens = tokens[keep].unsqueeze(1)  # (beams, 1): each beam's newest token

    best = finished[0]
    best_ids = torch.tensor([best.ids], dtype=ids.dtype, device=ids.device)  # (1, new)
    return BeamSearchResult(torch.cat([ids, best_ids], dim=1), best.score, tuple(finished), tuple(steps))
