"""Test-wide settings, for tests/ and the docstring examples in toolkit/ alike.

Public data files (census, code history) are read from a data directory and never
committed; CI lays the shared research folder out beside the clone, so its
``data-sources`` is the data directory unless KUOYOU_DATA_DIR says otherwise.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("KUOYOU_SHARED", ROOT.parent / "shared"))
if not os.environ.get("KUOYOU_DATA_DIR") and (SHARED / "data-sources").is_dir():
    os.environ["KUOYOU_DATA_DIR"] = str(SHARED / "data-sources")
