"""Building the bundled pocket model: its tokenizer files, its corpus, its training run and its export."""
