"""Facts that the library, its tooling and the tests share, each written once.

Nothing here imports torch or transformers: the CLI's quick commands read these too.
References: openai/gpt-2 ``encoder.json`` (``<|endoftext|>`` is the last of its 50257 tokens).
"""

from __future__ import annotations

from pathlib import Path

END_OF_TEXT = "<|endoftext|>"  # GPT-2's one special token: ends a document, and generation
END_OF_TEXT_ID = 50256  # its id, the last row of the vocabulary
VOCAB_SIZE = 50257  # every GPT-2 size shares this vocabulary
N_POSITIONS = 1024  # the context of every official size

# The guide's running example: a prompt of 7 tokens, I | Ġcan | 't | Ġforget | Ġyou | , | Ġfor.
RUNNING_PROMPT = "I can't forget you, for"
RUNNING_PROMPT_IDS = (40, 460, 470, 6044, 345, 11, 329)

LANGUAGES = ("ja", "en")  # the site's languages; the first is the default, at the site root

POCKET_DIR = Path(__file__).parent / "pocket" / "checkpoint"  # the bundled pocket checkpoint
