"""Decoding GPT-2 by hand: the next-token distribution, greedy decoding (naive and cached), beam
search, sampling filters and sampling, and the log-probability of a continuation.

Every function decodes one prompt (``input_ids`` of shape (1, seq)) and is tested against
transformers: the same ids as ``model.generate`` and the same outputs as its logits processors.
"""

from .beam import Beam, BeamSearchResult, BeamStep, beam_score, beam_search
from .distribution import TokenProbability, encode, format_top_tokens, next_token_logits, next_token_probabilities, top_tokens
from .filters import apply_filters, apply_temperature, min_p_filter, sampling_filters, top_k_filter, top_p_filter
from .greedy import greedy_cached, greedy_naive
from .sampling import sample, sample_next_token
from .scoring import sequence_log_probability, token_log_probabilities

__all__ = [
    "Beam", "BeamSearchResult", "BeamStep", "TokenProbability",
    "apply_filters", "apply_temperature", "beam_score", "beam_search", "encode", "format_top_tokens", "greedy_cached",
    "greedy_naive", "min_p_filter", "next_token_logits", "next_token_probabilities", "sample",
    "sample_next_token", "sampling_filters", "sequence_log_probability", "token_log_probabilities",
    "top_k_filter", "top_p_filter", "top_tokens",
]
