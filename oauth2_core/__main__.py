"""``python -m oauth2_core`` runs the ``oauth2`` command."""

import sys

from .cli import main

sys.exit(main())
