"""``python -m gpt2guide``: the ``gpt2guide`` command; run from a clone's root it also finds the
maintainer commands in ``tools/commands`` (see ``gpt2guide.cli``)."""

import sys

from .cli import main

if __name__ == "__main__":  # importing this module (e.g. walking the package) runs nothing
    sys.exit(main())
