"""Every argument check of the library, in one place, with one contract.

A wrong type raises ``WrongType`` (a ``TypeError``), a wrong value ``WrongValue`` (a
``ValueError``). Both carry the argument's name (``error.argument``) apart from what is wrong
(``error.detail``); ``str(error)`` is ``"<argument>: <detail>"``, and the detail says how to fix
the call. The CLI turns exactly these two errors into one line and exit code 2, naming its own
option instead of the Python argument (``--checkpoint: ...`` for ``name``); any other exception
is a bug and keeps its traceback.

Each public function checks its arguments once, on entry; loops inside the library call the
unchecked steps. Nothing here imports torch at module level, so the CLI's quick commands stay quick.
References: transformers ``generation/logits_process.py`` (checks on entry, messages that say how
to fix the call).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable


class ArgumentError(Exception):
    """A bad argument: ``argument`` names it, ``detail`` says what is wrong and how to fix it."""

    def __init__(self, argument: str, detail: str):
        super().__init__(f"{argument}: {detail}")
        self.argument = argument
        self.detail = detail


class WrongType(ArgumentError, TypeError):
    """An argument of the wrong type."""


class WrongValue(ArgumentError, ValueError):
    """An argument of the right type with a value that cannot work."""


# -- numbers and choices -------------------------------------------------------------------------

def is_int(value) -> bool:
    """An integer, but not a bool (``True`` is an ``int`` in Python)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_real(value) -> bool:
    """A real number (int or float, numpy scalars too), but not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_int(value, argument: str, *, minimum: int | None = None, what: str = "an int", why: str = "") -> int:
    """``value`` as an ``int`` of at least ``minimum``; ``why`` explains the bound in the message."""
    if not is_int(value):
        raise WrongType(argument, f"expected {what}, got {value!r}")
    if minimum is not None and value < minimum:
        raise WrongValue(argument, f"must be at least {minimum}{why}, got {value}")
    return int(value)


def check_finite(value, argument: str, *, hint: str = "") -> float:
    """``value`` as a finite ``float``."""
    if not is_real(value):
        raise WrongType(argument, f"expected a number, got {value!r}")
    if not math.isfinite(value):
        raise WrongValue(argument, f"must be a finite number{hint}, got {value}")
    return float(value)


def check_choice(value, known: Iterable[str], argument: str, *, what: str = "value", hint: str = "") -> str:
    """``value`` if it is one of ``known`` (names such as checkpoints or sizes)."""
    known = list(known)
    if not isinstance(value, str):
        raise WrongType(argument, f"expected a {what} name (str), got {type(value).__name__}")
    if value not in known:
        extra = f" ({hint})" if hint else ""
        raise WrongValue(argument, f"unknown {what} {value!r}; known: {', '.join(known)}{extra}")
    return value


def check_text(text, argument: str = "text") -> str:
    """A non-empty ``str``."""
    if not isinstance(text, str):
        raise WrongType(argument, f"expected a str, got {type(text).__name__}")
    if not text:
        raise WrongValue(argument, "the text is empty; pass at least one character")
    return text


def check_texts(texts, argument: str = "texts") -> list[str]:
    """A list of ``str`` (one per line or document), not all empty."""
    if isinstance(texts, str) or not isinstance(texts, Iterable):
        raise WrongType(argument, f"expected a list of str (one per line or document), got {type(texts).__name__}; "
                        "wrap a single text as [text]")
    texts = list(texts)
    if not all(isinstance(t, str) for t in texts):
        raise WrongType(argument, "expected a list of str; every item must be a str")
    if not any(texts):
        raise WrongValue(argument, "every text is empty; pass some text")
    return texts


# -- models, tokenizers, devices ----------------------------------------------------------------

def check_module(model, argument: str = "model"):
    """A ``torch.nn.Module`` (a model from ``gpt2guide.load`` or ``gpt2guide.skeleton``)."""
    import torch

    if not isinstance(model, torch.nn.Module):
        raise WrongType(argument, "expected a torch.nn.Module (e.g. from gpt2guide.load or gpt2guide.skeleton), "
                        f"got {type(model).__name__}")
    return model


def check_causal_lm(model, argument: str = "model"):
    """A model that can be called on ids and has a config (a transformers causal language model)."""
    if not callable(model) or not hasattr(model, "config"):
        raise WrongType(argument, "expected a transformers causal language model (e.g. from gpt2guide.load), "
                        f"got {type(model).__name__}")
    return model


def check_gpt2(model, argument: str = "model"):
    """The ``GPT2Model`` inside ``model`` (the model itself, or ``model.transformer``)."""
    import torch
    from transformers import GPT2Model

    if not isinstance(model, torch.nn.Module):
        raise WrongType(argument, f"expected a GPT-2 model (e.g. from gpt2guide.load), got {type(model).__name__}")
    gpt = model if isinstance(model, GPT2Model) else getattr(model, "transformer", None)
    if not isinstance(gpt, GPT2Model):
        kind = getattr(getattr(model, "config", None), "model_type", None)
        raise WrongValue(argument, f"{type(model).__name__} (model_type {kind!r}) is not GPT-2; pass a GPT2Model "
                         "or a GPT2LMHeadModel, e.g. gpt2guide.load('pocket')")
    return gpt


def check_tokenizer(tokenizer, argument: str = "tokenizer"):
    """A transformers tokenizer, or a ``tokenizers.Tokenizer`` (see ``gpt2guide.tokens.gpt2_tokenizer``)."""
    from tokenizers import Tokenizer

    if isinstance(tokenizer, Tokenizer):
        return tokenizer
    if not callable(getattr(tokenizer, "convert_ids_to_tokens", None)) or not callable(getattr(tokenizer, "encode", None)):
        raise WrongType(argument, "expected a transformers tokenizer (e.g. from gpt2guide.load) or a "
                        f"tokenizers.Tokenizer, got {type(tokenizer).__name__}")
    return tokenizer


def check_device(device, argument: str = "device"):
    """A ``torch.device`` that exists on this machine (``None`` means the CPU)."""
    import torch

    if device is None:
        return torch.device("cpu")
    if not isinstance(device, (str, torch.device)):
        raise WrongType(argument, f"expected a device name such as 'cpu' or 'cuda:0', got {type(device).__name__}")
    try:
        target = torch.device(device)
    except RuntimeError as error:
        raise WrongValue(argument, f"{device!r} is not a device name such as 'cpu' or 'cuda:0' ({error})") from None
    if target.type == "cuda" and (not torch.cuda.is_available() or (target.index or 0) >= torch.cuda.device_count()):
        raise WrongValue(argument, f"{device!r} does not exist here (CUDA available: {torch.cuda.is_available()}); "
                         "use 'cpu'")
    if target.type == "mps" and not torch.backends.mps.is_available():
        raise WrongValue(argument, f"{device!r} does not exist here; use 'cpu'")
    if target.type not in ("cpu", "cuda", "mps"):
        raise WrongValue(argument, f"{device!r} is not supported; use 'cpu' or 'cuda'")
    return target


# -- token ids and hidden states ----------------------------------------------------------------

def check_token_ids(input_ids, argument: str = "input_ids", *, batch_one: bool = False, min_tokens: int = 1):
    """An integer tensor of token ids, (batch, seq) or, with ``batch_one``, (1, seq); seq >= ``min_tokens``."""
    import torch

    shape = "(1, seq)" if batch_one else "(batch, seq)"
    if not isinstance(input_ids, torch.Tensor):
        raise WrongType(argument, f"expected a tensor of token ids of shape {shape}, got {type(input_ids).__name__}; "
                        "encode the text first, e.g. encode(tokenizer, text) or torch.tensor([ids])")
    if input_ids.is_floating_point() or input_ids.is_complex() or input_ids.dtype == torch.bool:
        raise WrongType(argument, f"token ids must be integers, got dtype {input_ids.dtype}")
    if input_ids.dim() != 2 or (batch_one and input_ids.shape[0] != 1):
        one = " (one prompt, batch 1)" if batch_one else ""
        raise WrongValue(argument, f"expected shape {shape}{one}, got {tuple(input_ids.shape)}; for one text add "
                         "a batch axis with input_ids[None]")
    if input_ids.shape[0] == 0 or input_ids.shape[1] < min_tokens:
        why = ("the prompt is empty; pass at least one token" if min_tokens == 1 else
               f"need at least one row of at least {min_tokens} tokens (the first token has no prediction "
               f"before it), got shape {tuple(input_ids.shape)}")
        raise WrongValue(argument, why)
    return input_ids


def check_vocabulary_ids(model, input_ids, argument: str = "input_ids") -> None:
    """Every id is a row of the model's vocabulary (meta tensors have no values to check)."""
    vocab = model.config.vocab_size
    if input_ids.device.type != "meta" and input_ids.numel() and (input_ids.min() < 0 or input_ids.max() >= vocab):
        bad = input_ids.max().item() if input_ids.max() >= vocab else input_ids.min().item()
        raise WrongValue(argument, f"id {bad} is not in the vocabulary of {vocab} tokens (0 to {vocab - 1})")


def check_context_length(model, n_tokens: int, argument: str = "prompt") -> int:
    """``n_tokens`` if it fits the model's context (``model.config.n_positions``)."""
    n_tokens = check_int(n_tokens, argument, what="a number of tokens (int)")
    context = model.config.n_positions
    if n_tokens > context:
        raise WrongValue(argument, f"{n_tokens} tokens do not fit the model's context of {context} positions "
                         f"(config.n_positions); shorten it to at most {context} tokens")
    return n_tokens


def check_layer(model, layer, argument: str = "layer") -> int:
    """``layer`` as the index of one of a GPT-2 model's blocks, 0 .. n_layer - 1."""
    if not is_int(layer):
        raise WrongType(argument, f"expected a block index (int), got {type(layer).__name__}")
    n_layer = check_gpt2(model).config.n_layer
    if not 0 <= layer < n_layer:
        raise WrongValue(argument, f"{layer} is out of range; this model has {n_layer} blocks, 0 to {n_layer - 1}")
    return int(layer)


def check_float_tensor(x, argument: str, shape: str):
    """A floating-point tensor; ``shape`` (e.g. "(batch, seq, vocab)") is named in the message."""
    import torch

    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        got = x.dtype if isinstance(x, torch.Tensor) else type(x).__name__
        raise WrongType(argument, f"expected a float tensor of shape {shape}, got {got}")
    return x


def check_hidden(model, x, argument: str = "x"):
    """A (batch, seq, n_embd) float tensor: what flows between the steps of a GPT-2 body."""
    check_float_tensor(x, argument, "(batch, seq, n_embd)")
    n_embd = check_gpt2(model).config.n_embd
    if x.dim() != 3 or x.shape[-1] != n_embd or 0 in x.shape:
        raise WrongValue(argument, f"expected shape (batch, seq, {n_embd}) (n_embd = {n_embd}), got {tuple(x.shape)}")
    return x


# -- decoding -----------------------------------------------------------------------------------

def check_max_new_tokens(max_new_tokens, argument: str = "max_new_tokens") -> int:
    """0 or more new tokens."""
    return check_int(max_new_tokens, argument, minimum=0)


def check_fits_context(model, n_prompt: int, max_new_tokens: int) -> None:
    """The prompt plus the new tokens must fit the model's context (``n_positions``)."""
    check_context_length(model, n_prompt, "prompt")  # the prompt alone first: no new token can help
    context = model.config.n_positions
    if n_prompt + max_new_tokens > context:
        raise WrongValue("max_new_tokens", f"{n_prompt} prompt tokens + {max_new_tokens} new tokens = "
                         f"{n_prompt + max_new_tokens}, beyond the model's context of {context} tokens; ask for at "
                         f"most {max(context - n_prompt, 0)} new tokens or shorten the prompt")


def check_decoding_call(model, input_ids, max_new_tokens):
    """The checks every decoding loop makes on entry; returns the ids on the model's device."""
    check_token_ids(input_ids, batch_one=True)
    check_max_new_tokens(max_new_tokens)
    check_fits_context(model, input_ids.shape[1], max_new_tokens)
    return input_ids.to(model.device)


def check_eos_token_id(model, eos_token_id=None, argument: str = "eos_token_id") -> tuple[int, ...]:
    """The ids that end generation: ``eos_token_id`` (an int or a list of ints), or else the model's
    ``generation_config.eos_token_id``; ``()`` when nothing ends it early."""
    if eos_token_id is None:
        eos_token_id = model.generation_config.eos_token_id
        argument = "model.generation_config.eos_token_id"
    if eos_token_id is None:
        return ()  # always max_new_tokens tokens
    ids = tuple(eos_token_id) if isinstance(eos_token_id, (list, tuple)) else (eos_token_id,)
    if not all(is_int(i) for i in ids):
        raise WrongType(argument, f"expected a token id (int) or a list of them, got {eos_token_id!r}")
    return tuple(int(i) for i in ids)


def check_temperature(temperature, argument: str = "temperature") -> float:
    """A finite number > 0."""
    if not is_real(temperature):
        raise WrongType(argument, f"expected a number, got {temperature!r}")
    if not math.isfinite(temperature) or temperature <= 0:
        hint = " (for the most probable token use greedy decoding)" if temperature == 0 else ""
        raise WrongValue(argument, f"must be a finite number > 0, got {temperature}{hint}")
    return float(temperature)


def check_top_k(top_k, argument: str = "top_k") -> int:
    """0 (off) or a positive number of tokens."""
    return check_int(top_k, argument, minimum=0, why=" (0 turns top-k off; K > 0 keeps K tokens)")


def check_probability(value, argument: str) -> float:
    """A number in (0, 1], for ``top_p`` and ``min_p``."""
    if not is_real(value):
        raise WrongType(argument, f"expected a number in (0, 1], got {value!r}")
    if not (0 < value <= 1):  # also rejects nan
        raise WrongValue(argument, f"must be in (0, 1] (1 keeps every token), got {value}")
    return float(value)


def check_num_beams(num_beams, argument: str = "num_beams") -> int:
    """At least one beam (one beam is greedy decoding)."""
    return check_int(num_beams, argument, minimum=1, why=" (1 is greedy decoding)")


def check_length_penalty(length_penalty, argument: str = "length_penalty") -> float:
    """A finite number (1.0 is the default)."""
    return check_finite(length_penalty, argument, hint=" (1.0 is the default)")


def check_early_stopping(early_stopping, argument: str = "early_stopping"):
    """``True``, ``False`` or ``"never"``, as in transformers' ``GenerationConfig``."""
    if not isinstance(early_stopping, (bool, str)):
        raise WrongType(argument, f"expected True, False or 'never', got {type(early_stopping).__name__}")
    if early_stopping not in (True, False, "never"):
        raise WrongValue(argument, f"must be True, False or 'never', got {early_stopping!r}")
    return early_stopping


def check_seed(seed, generator=None, argument: str = "seed"):
    """A seed (int >= 0) or None; not together with a ``generator``, which must be a ``torch.Generator``."""
    if seed is not None and generator is not None:
        raise WrongValue(argument, "pass either seed or generator, not both")
    if generator is not None:
        import torch

        if not isinstance(generator, torch.Generator):
            raise WrongType("generator", f"expected a torch.Generator, got {type(generator).__name__}")
    if seed is not None:
        check_int(seed, argument, minimum=0, what="an int >= 0")
    return seed
