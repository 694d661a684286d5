"""``gpt2guide generate PROMPT``: continue a prompt by greedy decoding, beam search or sampling."""

from __future__ import annotations

SAMPLING_OPTIONS = ("temperature", "top_k", "top_p", "min_p", "seed")
BEAM_OPTIONS = ("num_beams", "length_penalty", "early_stopping")


def _check_options(args) -> None:
    """Options of another strategy are an error, not silently ignored (greedy has no temperature)."""
    for strategy, options in (("sample", SAMPLING_OPTIONS), ("beam", BEAM_OPTIONS)):
        given = [name for name in options if getattr(args, name) not in (None, False)]
        if given and args.strategy != strategy:
            flags = ", ".join("--" + name.replace("_", "-") for name in given)
            raise ValueError(f"{flags}: only used with --strategy {strategy} (got --strategy {args.strategy})")


def _settings(args) -> dict:
    """The strategy's keyword arguments, with the library's defaults for options not given; checked here,
    before the model loads, so a bad value fails at once."""
    from ..decoding.checks import check_early_stopping, check_length_penalty, check_num_beams, make_generator
    from ..decoding.filters import sampling_filters

    def given(value, default):
        return default if value is None else value

    if args.strategy == "beam":
        settings = dict(num_beams=given(args.num_beams, 4), length_penalty=given(args.length_penalty, 1.0),
                        early_stopping=args.early_stopping)
        check_num_beams(settings["num_beams"])
        check_length_penalty(settings["length_penalty"])
        check_early_stopping(settings["early_stopping"])
        return settings
    if args.strategy == "sample":
        settings = dict(temperature=given(args.temperature, 1.0), top_k=given(args.top_k, 0),
                        top_p=given(args.top_p, 1.0), min_p=args.min_p, seed=given(args.seed, 0))
        sampling_filters(**{k: v for k, v in settings.items() if k != "seed"})
        make_generator(settings["seed"], None, "cpu")
        return settings
    return {}


def _generate(args):
    from ..checkpoints import load
    from ..decoding import beam_search, encode, greedy_cached, sample
    from ..decoding.checks import check_max_new_tokens
    from ..validation import check_text

    _check_options(args)
    check_text(args.prompt, "prompt")
    check_max_new_tokens(args.max_new_tokens)
    settings = _settings(args)
    model, tokenizer = load(args.checkpoint)
    prompt_ids = encode(tokenizer, args.prompt)  # (1, seq)
    result = {"strategy": args.strategy, "checkpoint": str(args.checkpoint), "prompt": args.prompt,
              "prompt_ids": prompt_ids[0].tolist(), "settings": settings}
    if args.strategy == "greedy":
        ids = greedy_cached(model, prompt_ids, args.max_new_tokens)
    elif args.strategy == "beam":
        found = beam_search(model, prompt_ids, args.max_new_tokens, **settings)
        ids = found.ids
        result.update(score=found.score, log_probability=found.best.log_probability)
    else:
        ids = sample(model, prompt_ids, args.max_new_tokens, **settings)
        result["seed"] = settings["seed"]
    new_ids = ids[0, prompt_ids.shape[1]:].tolist()
    return {**result, "ids": new_ids, "text": args.prompt + tokenizer.decode(new_ids)}


def register(subparsers) -> None:
    parser = subparsers.add_parser("generate", help="continue a prompt: greedy, beam search or sampling")
    parser.add_argument("prompt", help="the text to continue")
    parser.add_argument("--checkpoint", default="pocket", help="pocket (default), a hub size, or a checkpoint folder")
    parser.add_argument("--strategy", choices=("greedy", "beam", "sample"), default="greedy")
    parser.add_argument("--max-new-tokens", type=int, default=20, help="at most this many new tokens (default 20)")
    beam = parser.add_argument_group("beam search (--strategy beam)")
    beam.add_argument("--num-beams", type=int, default=None, help="beams kept at each step (default 4)")
    beam.add_argument("--length-penalty", type=float, default=None,
                      help="score = log-probability / length ** L (default 1.0; > 0 favours longer texts)")
    beam.add_argument("--early-stopping", action="store_true", help="stop once num-beams beams have finished")
    sampling = parser.add_argument_group("sampling (--strategy sample); filters apply in this order")
    sampling.add_argument("--temperature", type=float, default=None, help="divide the logits by T > 0 (default 1.0)")
    sampling.add_argument("--top-k", type=int, default=None, help="keep the K most probable tokens (default 0: off)")
    sampling.add_argument("--top-p", type=float, default=None,
                          help="keep the most probable tokens of total probability P, in (0, 1] (default 1.0)")
    sampling.add_argument("--min-p", type=float, default=None,
                          help="drop tokens below M x the top probability, in (0, 1]")
    sampling.add_argument("--seed", type=int, default=None,
                          help="random seed; the same seed repeats the text (default 0)")
    parser.add_argument("--json", action="store_true", help="print JSON: ids (new tokens), text and, for beams, score")
    parser.set_defaults(handler=_generate)
