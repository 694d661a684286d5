"""gpt2guide: the small library behind the guide "GPT-2 by running it"."""

__version__ = "0.1.0"
