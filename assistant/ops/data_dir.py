"""The data folder (chat log, curated answers): chosen once, from the command line or the environment."""
from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "ASSISTANT_DATA_DIR"
DEFAULT_DATA_DIR = "data"


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--data-dir wins, then $ASSISTANT_DATA_DIR, then ./data."""
    return Path(explicit or os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR)
