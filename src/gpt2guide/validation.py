"""The library's error contract, and the checks more than one module shares.

A wrong type raises ``WrongType`` (a ``TypeError``), a wrong value ``WrongValue`` (a
``ValueError``). Both carry the argument's name (``error.argument``) apart from what is wrong
(``error.detail``); ``str(error)`` is ``"<argument>: <detail>"``, and the detail says how to fix
the call. The CLI turns exactly these errors into one line and exit code 2, naming its own
option instead of the Python argument (``--checkpoint: ...`` for ``name``); any other exception
is a bug and keeps its traceback.

Each public function checks its arguments once, on entry, then runs a private kernel that
trusts them (``anatomy.block`` checks, ``anatomy._block`` computes); kernels call kernels, so a
whole body checks once, not once per layer, and a sampling loop once, not once per step. A check
used by one module only is written in that module.
Nothing here imports torch at module level, so the CLI's quick commands stay quick.
References: transformers ``generation/logits_process.py`` (validate in ``__init__``, a pure
``__call__``; messages that say how to fix the call).
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


# -- numbers and names ---------------------------------------------------------------------------

def is_int(value) -> bool:
    """An integer, but not a bool (``True`` is an ``int`` in Python)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_real(value) -> bool:
    """A real number (int or float, numpy scalars too), but not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


class RecordFields:
    """Checks the fields of a JSON record one by one and keeps every problem, so that one error can
    name them all (the benchmark records' readers). ``need`` returns the field's value, or None."""

    def __init__(self):
        self.problems: list[str] = []

    def need(self, mapping, key: str, kind, where: str):
        """``mapping[key]`` if it is there and a ``kind`` (a bool is no int); else None, noted."""
        if not isinstance(mapping, dict) or key not in mapping:
            self.problems.append(f"{where}{key}: missing")
            return None
        value = mapping[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            self.problems.append(f"{where}{key}: expected {getattr(kind, '__name__', kind)}, got {type(value).__name__}")
            return None
        return value

    @classmethod
    def of(cls, record, schema: int) -> RecordFields:
        """The checker of ``record``, which must be a dict (else ``WrongValue`` at once); a ``schema``
        other than ``schema`` is noted."""
        if not isinstance(record, dict):
            raise WrongValue("record", f"expected the record as a dict, got {type(record).__name__}")
        fields = cls()
        if fields.need(record, "schema", int, "") not in (None, schema):
            fields.problems.append(f"schema: expected {schema}, got {record['schema']}")
        return fields

    def check(self, remedy: str) -> None:
        """Raise ``WrongValue`` (argument ``record``) naming every problem noted, then ``remedy``."""
        if self.problems:
            raise WrongValue("record", "; ".join(self.problems) + f"; {remedy}")


def check_int(value, argument: str, *, minimum: int | None = None, what: str = "an int", why: str = "") -> int:
    """``value`` as an ``int`` of at least ``minimum``; ``why`` explains the bound in the message."""
    if not is_int(value):
        raise WrongType(argument, f"expected {what}, got {value!r}")
    if minimum is not None and value < minimum:
        raise WrongValue(argument, f"must be at least {minimum}{why}, got {value}")
    return int(value)


def check_number(value, argument: str, *, positive: bool = False, within: tuple[float, float] | None = None,
                 why: str = "") -> float:
    """``value`` as a finite ``float``: > 0 with ``positive``, in [low, high] with ``within``."""
    if not is_real(value):
        raise WrongType(argument, f"expected a number, got {value!r}")
    low, high = within or (-math.inf, math.inf)
    if not math.isfinite(value) or (positive and value <= 0) or not low <= value <= high:  # nan fails every test
        rule = " > 0" if positive else f" in [{low:g}, {high:g}]" if within else ""
        raise WrongValue(argument, f"must be a finite number{rule}{why}, got {value}")
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


def check_float_tensor(x, argument: str, shape: str):
    """A floating-point tensor; ``shape`` (e.g. "(batch, seq, vocab)") is named in the message."""
    import torch

    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        got = x.dtype if isinstance(x, torch.Tensor) else type(x).__name__
        raise WrongType(argument, f"expected a float tensor of shape {shape}, got {got}")
    return x


# -- token ids: the one check every function that takes ids makes ---------------------------------

def model_config(model, argument: str = "model"):
    """The config of a GPT-2-like model: what ids are checked against (``vocab_size``, ``n_positions``)."""
    config = getattr(model, "config", None)
    if not callable(model) or not hasattr(config, "vocab_size") or not hasattr(config, "n_positions"):
        raise WrongType(argument, "expected a GPT-2 model (e.g. from gpt2guide.load or gpt2guide.skeleton), "
                        f"got {type(model).__name__}")
    return config


def check_context_length(model, n_tokens: int, argument: str = "prompt") -> int:
    """``n_tokens`` if it fits the model's context (``model.config.n_positions``)."""
    n_tokens = check_int(n_tokens, argument, what="a number of tokens (int)")
    context = model_config(model).n_positions
    if n_tokens > context:
        raise WrongValue(argument, f"{n_tokens} tokens do not fit the model's context of {context} positions "
                         f"(config.n_positions); shorten it to at most {context} tokens")
    return n_tokens


def check_ids(input_ids, argument: str = "input_ids", *, model=None, vocab_size: int | None = None,
              batch_one: bool = False, min_tokens: int = 1, length_name: str | None = None):
    """An integer tensor of token ids, (batch, seq) or, with ``batch_one``, (1, seq); seq >= ``min_tokens``.

    With a ``model``, the sequence must fit its context (the error names ``length_name``, default
    ``argument``) and every id must be a row of its vocabulary; ``vocab_size`` alone checks the
    ids against that many tokens. Meta tensors (skeletons) have no values to check.
    """
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
    if model is not None:
        check_context_length(model, input_ids.shape[1], length_name or argument)
        vocab_size = model.config.vocab_size
    if vocab_size is not None and input_ids.device.type != "meta":
        low, high = input_ids.min().item(), input_ids.max().item()
        if low < 0 or high >= vocab_size:
            raise WrongValue(argument, f"id {low if low < 0 else high} is not in the vocabulary of {vocab_size} "
                             f"tokens (0 to {vocab_size - 1}); encode text with this model's tokenizer")
    return input_ids


# -- decoding: the checks every decoding loop makes on entry ---------------------------------------

def check_prompt(model, input_ids, max_new_tokens):
    """A one-prompt ``input_ids`` that, with ``max_new_tokens`` more, fits the model's context;
    returns the ids on the model's device."""
    check_ids(input_ids, model=model, batch_one=True, length_name="prompt")
    check_int(max_new_tokens, "max_new_tokens", minimum=0, why=" (0 returns the prompt alone)")
    n_prompt, context = input_ids.shape[1], model.config.n_positions
    if n_prompt + max_new_tokens > context:
        raise WrongValue("max_new_tokens", f"{n_prompt} prompt tokens + {max_new_tokens} new tokens = "
                         f"{n_prompt + max_new_tokens}, beyond the model's context of {context} tokens; ask for at "
                         f"most {max(context - n_prompt, 0)} new tokens or shorten the prompt")
    return input_ids.to(model.device)


def check_eos_token_id(model, eos_token_id=None, argument: str = "eos_token_id") -> tuple[int, ...]:
    """The ids that end generation: ``eos_token_id`` (an int or a list of ints), or else the model's
    ``generation_config.eos_token_id``; ``()`` when nothing ends it early."""
    if eos_token_id is None:
        eos_token_id = getattr(getattr(model, "generation_config", None), "eos_token_id", None)
        argument = "model.generation_config.eos_token_id"
    if eos_token_id is None:
        return ()  # always max_new_tokens tokens
    ids = tuple(eos_token_id) if isinstance(eos_token_id, (list, tuple)) else (eos_token_id,)
    if not all(is_int(i) for i in ids):  # the whole value in the message, not one item of it
        raise WrongType(argument, f"expected a token id (int) or a list of them, got {eos_token_id!r}")
    vocab = model_config(model).vocab_size
    for i in ids:  # generate only warns about a negative id; here no id is outside the vocabulary
        if not 0 <= i < vocab:
            raise WrongValue(argument, f"id {i} is not in the vocabulary of {vocab} tokens (0 to {vocab - 1}); "
                             "pass [] for no end-of-sequence token")
    return tuple(int(i) for i in ids)
