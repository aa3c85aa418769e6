"""``python -m solinbox.cli``: the same as the ``solinbox`` command."""

from solinbox.cli import main

raise SystemExit(main())
