"""Argument checks shared by the library: one clear error that names the argument and the fix."""

from __future__ import annotations

from collections.abc import Iterable

import torch


def check_name(name, known: Iterable[str], argument: str, *, hint: str = "") -> None:
    known = list(known)
    if not isinstance(name, str) or name not in known:
        extra = f" ({hint})" if hint else ""
        raise ValueError(f"{argument}: unknown checkpoint {name!r}; known: {', '.join(known)}{extra}")


def check_text(text, argument: str = "text") -> str:
    if not isinstance(text, str):
        raise TypeError(f"{argument}: expected a str, got {type(text).__name__}")
    if not text:
        raise ValueError(f"{argument}: the text is empty; pass at least one character")
    return text


def check_device(device) -> torch.device:
    """A ``torch.device`` that exists on this machine (``None`` means the CPU)."""
    if device is None:
        return torch.device("cpu")
    try:
        target = torch.device(device)
    except (RuntimeError, TypeError) as error:
        raise ValueError(f"device: {device!r} is not a device name such as 'cpu' or 'cuda:0' ({error})") from None
    if target.type == "cuda" and (not torch.cuda.is_available() or (target.index or 0) >= torch.cuda.device_count()):
        raise ValueError(f"device: {device!r} does not exist here (CUDA available: {torch.cuda.is_available()}); use 'cpu'")
    if target.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(f"device: {device!r} does not exist here; use 'cpu'")
    if target.type not in ("cpu", "cuda", "mps"):
        raise ValueError(f"device: {device!r} is not supported; use 'cpu' or 'cuda'")
    return target


def check_context_length(model, n_tokens: int, argument: str = "prompt") -> int:
    """``n_tokens`` if it fits the model's context (``model.config.n_positions``), else a ValueError."""
    if not isinstance(n_tokens, int) or isinstance(n_tokens, bool):
        raise TypeError(f"{argument}: expected a number of tokens (int), got {type(n_tokens).__name__}")
    context = model.config.n_positions
    if n_tokens > context:
        raise ValueError(f"{argument}: {n_tokens} tokens do not fit the model's context of {context} positions "
                         f"(config.n_positions); shorten it to at most {context} tokens")
    return n_tokens
