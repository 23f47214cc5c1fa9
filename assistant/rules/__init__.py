"""The hand rules as data: one TOML file per table, read once by the module that applies it.

- `kinds.toml`: question kinds (their question words) and the answer pattern each kind expects;
- `glossary.toml`: visitors' words -> the texts' English words;
- `small_talk.toml`: greetings, thanks, goodbyes and "who are you?";
- `followup.toml`: pronouns, "and ...?" and "tell me more";
- `language.toml`: hints for language detection;
- `messages.toml`: every fixed text a visitor reads, per language;
- `centering.toml`: the questions whose mean vector per language centering takes away.

Patterns are regular expressions in TOML literal strings ('...' or '''...''', no escaping);
`{{name}}` in one stands for the part of that name. `tests/test_rules.py` checks each table.
"""
from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib.resources import files
from typing import Any

PART = re.compile(r"\{\{(\w+)\}\}")


@cache
def load(name: str) -> dict[str, Any]:
    """The table in `<name>.toml`, parsed once per process."""
    with (files(__package__) / f"{name}.toml").open("rb") as handle:
        return tomllib.load(handle)


def expand(pattern: str, parts: dict[str, str]) -> str:
    """The pattern with each `{{name}}` replaced by that part, itself expanded."""
    return PART.sub(lambda match: expand(parts[match.group(1)], parts), pattern)


def any_of(alternatives: list[str]) -> str:
    """One regular expression matching any of the alternatives."""
    return "|".join(alternatives)
