"""``python -m gpt2guide``: the ``gpt2guide`` command (the reader's commands; see ``gpt2guide.cli``).
The maintainer commands of a source checkout run as ``python -m tools`` from its root."""

import sys

from .cli import main

if __name__ == "__main__":  # importing this module (e.g. walking the package) runs nothing
    sys.exit(main())
