"""``gpt2guide params NAME``: parameter counts of a checkpoint, body alone and with the LM head.

``pocket`` loads the bundled model; the official sizes are meta-device skeletons (no download).
Both counts are given: unique parameters, and values summed over the state_dict (see
``gpt2guide.parameters``).
"""

from __future__ import annotations

from .._table import _table


def _counts(model) -> dict:
    from ..parameters import count_parameters, state_dict_numel

    return {"parameters": count_parameters(model), "state_dict_tensors": len(model.state_dict()),
            "state_dict_numel": state_dict_numel(model)}


def _model(name: str):
    from ..checkpoints import NAMES, load, skeleton
    from ..validation import check_choice

    if check_choice(name, NAMES, "name", what="checkpoint") == "pocket":
        return load("pocket")[0], "bundled pocket checkpoint"
    return skeleton(name), "skeleton on the meta device (no weights)"


def _readable(result: dict) -> str:
    rows = [("", "tensors", "summed over state_dict", "unique parameters"),
            *((label, f"{c['state_dict_tensors']:,}", f"{c['state_dict_numel']:,}", f"{c['parameters']:,}")
              for label, c in (("body", result["body"]), ("with head", result["with_head"])))]
    lines = [f"{result['name']}: {result['source']}", *_table(rows, "<>>>")]
    lines += [f"tied: {' = '.join(group)}" for group in result["tied"]]
    return "\n".join(lines)


def _handler(args):
    from ..parameters import tied_parameters

    model, source = _model(args.name)
    config = model.config
    result = {
        "name": args.name,
        "source": source,
        "config": {key: getattr(config, key) for key in ("n_layer", "n_embd", "n_head", "n_positions", "vocab_size")},
        "body": _counts(model.base_model),  # GPT2Model, the model without its LM head (head=False)
        "with_head": _counts(model),  # GPT2LMHeadModel
        "tied": tied_parameters(model),
    }
    return result if args.json else {"text": _readable(result)}


def register(subparsers) -> None:
    parser = subparsers.add_parser("params", help="count a checkpoint's parameters (unique and summed)")
    parser.add_argument("name", help="pocket, gpt2, gpt2-medium, gpt2-large, gpt2-xl or distilgpt2")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.set_defaults(handler=_handler, options={"name": "NAME"})
