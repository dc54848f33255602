from __future__ import annotations

import sys

from cliplint.cli import main

sys.exit(main())
