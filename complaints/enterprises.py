"""Which registered enterprise a reporter means by his free "单位名称和地址" text (pure)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

SHORTEST = 2  # shorter aliases (and texts) are too ambiguous to match by substring


class EnterpriseLike(Protocol):
    """An Enterprise row or an EnterpriseData entry."""

    @property
    def name(self) -> str: ...

    @property
    def aliases(self) -> Sequence[str]: ...


E = TypeVar("E", bound=EnterpriseLike)


def match_enterprise(place: str, enterprises: Sequence[E]) -> E | None:
    """The enterprise the text names: an exact name, else an exact alias, else the longest name
    or alias found inside the text, else the one whose name or alias contains the whole text.
    Spaces, letter case and full-width forms are ignored. A tie between enterprises is no
    match: a wrong enterprise (and its colour code) is worse than none."""
    text = _plain(place)
    if len(text) < SHORTEST:
        return None
    names = [(enterprise, _plain(enterprise.name)) for enterprise in enterprises]
    aliases = [(enterprise, alias) for enterprise in enterprises for alias in _aliases(enterprise)]
    keys = names + aliases
    for found in (
        [enterprise for enterprise, name in names if name == text],
        [enterprise for enterprise, alias in aliases if alias == text],
    ):
        if found:
            return _only(found)
    inside = [(len(key), enterprise) for enterprise, key in keys if key and key in text]
    if inside:
        longest = max(length for length, _ in inside)
        return _only(enterprise for length, enterprise in inside if length == longest)
    return _only(enterprise for enterprise, key in keys if text in key)


def _aliases(enterprise: EnterpriseLike) -> list[str]:
    return [alias for alias in map(_plain, enterprise.aliases) if len(alias) >= SHORTEST]


def _plain(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _only(candidates: Iterable[E]) -> E | None:
    distinct = {id(candidate): candidate for candidate in candidates}
    return next(iter(distinct.values())) if len(distinct) == 1 else None
