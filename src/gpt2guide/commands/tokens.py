"""``gpt2guide tokens TEXT``: the tokens of a text, as a table or as JSON.

The tokenizer is GPT-2's own (shipped with the pocket checkpoint; every GPT-2 size shares it).
"""

from __future__ import annotations


def _handler(args):
    from transformers import AutoTokenizer

    from ..checkpoints import POCKET_DIR
    from ..tokens import format_token_table, token_table, tokens_per_character
    from ..validation import check_text

    text = check_text(args.text)  # before loading anything
    tokenizer = AutoTokenizer.from_pretrained(POCKET_DIR)
    rows = token_table(tokenizer, text)
    ratio = tokens_per_character(tokenizer, text)
    if not args.json:
        summary = f"{len(rows)} tokens for {len(text)} characters ({ratio:.3f} tokens per character)"
        return {"text": f"{format_token_table(rows)}\n{summary}"}
    return {
        "input": text,
        "ids": [r.id for r in rows],
        "tokens": [r.token for r in rows],
        "bytes": [r.bytes.hex() for r in rows],  # hex, two digits per byte
        "n_tokens": len(rows),
        "n_characters": len(text),
        "tokens_per_character": ratio,
    }


def register(subparsers) -> None:
    parser = subparsers.add_parser("tokens", help="show how GPT-2's tokenizer splits a text")
    parser.add_argument("text", help="the text to tokenize (quote it; put -- before a text that starts with -)")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.set_defaults(handler=_handler)
