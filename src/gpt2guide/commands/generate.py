"""``gpt2guide generate PROMPT``: continue a prompt by greedy decoding, beam search or sampling.

Each strategy is one function of ``gpt2guide.decoding``; its settings are that function's keyword
arguments, and only those the user gives are passed on, so the defaults are the library's (the
help text reads them from the function). The two defaults the library does not have are the
command's own: ``--max-new-tokens 20`` and ``--seed 0`` (so the same command repeats its text).
"""

from __future__ import annotations

import argparse

# strategy -> (the decoding function's name in gpt2guide.decoding, the options it takes)
STRATEGIES = {
    "greedy": ("greedy_cached", ()),
    "beam": ("beam_search", ("num_beams", "length_penalty", "early_stopping")),
    "sample": ("sample", ("temperature", "top_k", "top_p", "min_p", "seed")),
}
MAX_NEW_TOKENS = 20  # the command's default; the library asks for it every time
SEED = 0  # the command's default; the library's is None (torch's global random state)


def _function(strategy: str):
    from .. import decoding

    return getattr(decoding, STRATEGIES[strategy][0])


def _settings(args) -> dict:
    """The strategy's keyword arguments that the user gave; an option of another strategy is an error."""
    from ..validation import WrongValue
    from . import given

    for strategy, (_, options) in STRATEGIES.items():
        other = [name for name in given(args, options) if strategy != args.strategy]
        if other:
            flags = ", ".join("--" + name.replace("_", "-") for name in other)
            raise WrongValue(flags, f"only used with --strategy {strategy} (got --strategy {args.strategy})")
    settings = given(args, STRATEGIES[args.strategy][1])
    if args.strategy == "sample":
        settings.setdefault("seed", SEED)
    return settings


def _generate(args):
    from ..checkpoints import load
    from ..decoding import encode
    from . import default_of

    settings = _settings(args)
    decode = _function(args.strategy)
    model, tokenizer = load(args.checkpoint)
    prompt_ids = encode(tokenizer, args.prompt)  # (1, seq)
    found = decode(model, prompt_ids, args.max_new_tokens, **settings)
    ids = found.ids if args.strategy == "beam" else found  # beam_search returns a BeamSearchResult
    new_ids = ids[0, prompt_ids.shape[1]:].tolist()
    options = STRATEGIES[args.strategy][1]
    result = {"strategy": args.strategy, "checkpoint": str(args.checkpoint), "prompt": args.prompt,
              "prompt_ids": prompt_ids[0].tolist(),
              "settings": {name: settings.get(name, default_of(decode, name)) for name in options},
              "ids": new_ids, "text": args.prompt + tokenizer.decode(new_ids)}
    if args.strategy == "beam":
        result.update(score=found.score, log_probability=found.best.log_probability)
    if args.strategy == "sample":
        result["seed"] = settings["seed"]
    return result


class _LibraryDefaults(argparse.HelpFormatter):
    """Help that reads each strategy option's default from its decoding function, when help is shown."""

    def _get_help_string(self, action):
        from . import default_of

        for strategy, (_, options) in STRATEGIES.items():
            if action.dest in options and action.dest != "seed":
                return f"{action.help} (default {default_of(_function(strategy), action.dest)})"
        return action.help


def register(subparsers) -> None:
    parser = subparsers.add_parser("generate", help="continue a prompt: greedy, beam search or sampling",
                                   formatter_class=_LibraryDefaults)
    parser.add_argument("prompt", help="the text to continue")
    parser.add_argument("--checkpoint", default="pocket", help="pocket (default), a hub size, or a checkpoint folder")
    parser.add_argument("--strategy", choices=tuple(STRATEGIES), default="greedy", help="default: %(default)s")
    parser.add_argument("--max-new-tokens", type=int, default=MAX_NEW_TOKENS,
                        help="at most this many new tokens (default %(default)s)")
    hide = argparse.SUPPRESS  # an option left out stays out of the call: the library's default applies
    beam = parser.add_argument_group("beam search (--strategy beam)")
    beam.add_argument("--num-beams", type=int, default=hide, help="beams kept at each step")
    beam.add_argument("--length-penalty", type=float, default=hide,
                      help="score = log-probability / length ** L (> 0 favours longer texts)")
    beam.add_argument("--early-stopping", action="store_const", const=True, default=hide,
                      help="stop once num-beams beams have finished")
    sampling = parser.add_argument_group("sampling (--strategy sample); filters apply in this order")
    sampling.add_argument("--temperature", type=float, default=hide, help="divide the logits by T > 0")
    sampling.add_argument("--top-k", type=int, default=hide, help="keep the K most probable tokens (0: off)")
    sampling.add_argument("--top-p", type=float, default=hide,
                          help="keep the most probable tokens of total probability P, in [0, 1]")
    sampling.add_argument("--min-p", type=float, default=hide,
                          help="drop tokens below M x the top probability, in [0, 1]")
    sampling.add_argument("--seed", type=int, default=hide,
                          help=f"random seed; the same seed repeats the text (default {SEED})")
    parser.add_argument("--json", action="store_true", help="print JSON: ids (new tokens), text and, for beams, score")
    parser.set_defaults(handler=_generate, options={"name": "--checkpoint", "prompt": "PROMPT",
                                                    "text": "PROMPT", "input_ids": "PROMPT"})
