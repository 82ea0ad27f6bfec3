"""Reading a registry file: YAML (dates kept as text for `parse_registry` to check), then the
checks of complaints/registry_file.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from complaints.registry_data import RegistryData, RegistryError
from complaints.registry_file import parse_registry


class _TextDates(yaml.SafeLoader):
    """YAML's safe loader, but a date is read as its text: `_dates` checks it and names the
    entry, where the stock loader dies on `2026-13-01` before we see it."""


_TextDates.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str) -> Any:
    """A registry document from YAML text; dates stay text. Raises RegistryError."""
    try:
        return yaml.load(text, Loader=_TextDates)  # a SafeLoader: no tags, no objects
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise RegistryError(f"{where}not valid YAML ({getattr(error, 'problem', error)})") from None


def read_registry(path: Path) -> RegistryData:
    """The registry file at `path`, read and checked; raises OSError or RegistryError."""
    return parse_registry(load_yaml(path.read_text(encoding="utf-8")))
