"""``gpt2guide tokens TEXT``: the tokens of a text, as a table or as JSON.

The tokenizer is GPT-2's own (shipped with the pocket checkpoint; every GPT-2 size shares it), run
on the ``tokenizers`` library alone (``gpt2guide.tokens.gpt2_tokenizer``): no torch, no transformers,
so the answer comes at once.
"""

from __future__ import annotations


def _handler(args):
    from ..tokens import format_token_table, gpt2_tokenizer, token_table, tokens_per_character

    tokenizer = gpt2_tokenizer()
    rows = token_table(tokenizer, args.text)
    ratio = tokens_per_character(tokenizer, args.text)
    if not args.json:
        summary = f"{len(rows)} tokens for {len(args.text)} characters ({ratio:.3f} tokens per character)"
        return {"text": f"{format_token_table(rows)}\n{summary}"}
    return {
        "input": args.text,
        "ids": [r.id for r in rows],
        "tokens": [r.token for r in rows],
        "bytes": [r.bytes.hex() for r in rows],  # hex, two digits per byte
        "n_tokens": len(rows),
        "n_characters": len(args.text),
        "tokens_per_character": ratio,
    }


def register(subparsers) -> None:
    parser = subparsers.add_parser("tokens", help="show how GPT-2's tokenizer splits a text")
    parser.add_argument("text", help="the text to tokenize (quote it; put -- before a text that starts with -)")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")
    parser.set_defaults(handler=_handler, options={"text": "TEXT"})
