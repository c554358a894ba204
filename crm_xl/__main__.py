"""``python -m crm_xl`` runs the ``crm-xl`` command."""

import sys

from crm_xl.cli import main

sys.exit(main())
