"""Load the data tables shipped in ``templates/`` (header synonyms, segments, codes…)."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any


@cache
def load_table(name: str) -> dict[str, Any]:
    """Return the parsed TOML file ``templates/<name>.toml`` (cached; treat as read-only)."""
    text = resources.files("sheetcrm.templates").joinpath(f"{name}.toml").read_text("utf-8")
    return tomllib.loads(text)
