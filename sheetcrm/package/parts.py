"""Which parts a generated tab owns, and fresh names for the parts we add.

Old generated tabs are removed by reachability, like a garbage collector: a part goes
only if it is reachable from one of our old tabs *and* from nothing else in the package
(an image the seller also uses elsewhere stays).  Parts the seller left unreferenced are
never candidates, because they are not reachable from our tabs either.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable

from .namespaces import GRAFTABLE_MS_REL_TYPES, GRAFTABLE_REL_NAMES
from .opc import ROOT, Package, Relationship, part_key, rels_part

_NUMBERED = re.compile(r"^(.*?)(\d*)(\.[^./]*)?$")


def owned_parts(
    package: Package, workbook_part: str, sheets: Iterable[tuple[str, str | None]]
) -> set[str]:
    """Keys of the parts to delete with the tabs ``sheets`` = (relationship id, sheet part).

    Includes the sheet parts themselves and the ``.rels`` of every deleted part.
    """
    sheets = list(sheets)
    skip = frozenset((part_key(workbook_part), rid) for rid, _ in sheets)
    kept = package.reachable([ROOT], skip=skip)
    owned: set[str] = set()
    for _, part in sheets:
        if part is None or not package.has(part):
            continue
        owned.add(part_key(part))
        owned |= package.reachable([package.canonical(part)]) - kept
    owned |= {
        part_key(rels_part(package.canonical(k)))
        for k in list(owned)
        if package.has(rels_part(package.canonical(k)))
    }
    return owned


def closure(package: Package, sheet_part: str) -> list[str]:
    """The parts a rendered sheet brings along (drawings, charts, images), breadth-first.

    Raises ValueError for anything whose identity is workbook-wide (tables, comments,
    pivot tables…): those cannot be copied into another workbook as they are.
    """
    found: list[str] = []
    seen = {part_key(sheet_part)}
    todo = [sheet_part]
    while todo:
        source = todo.pop(0)
        for rel in package.relationships(source):
            _check_graftable(rel)
            if rel.part is None:
                continue
            if part_key(rel.part) not in seen:
                seen.add(part_key(rel.part))
                found.append(package.canonical(rel.part))
                todo.append(package.canonical(rel.part))
    return found


def _check_graftable(rel: Relationship) -> None:
    if rel.name in GRAFTABLE_REL_NAMES or rel.type in GRAFTABLE_MS_REL_TYPES:
        return
    raise ValueError(f"generated sheets cannot bring a {rel.type!r} relationship")


class PartNames:
    """Hands out part names not yet used (case-insensitively), numbered like Excel's."""

    def __init__(self, taken: Iterable[str]) -> None:
        self._taken = {part_key(t) for t in taken}

    def take(self, name: str) -> str:
        self._taken.add(part_key(name))
        return name

    def allocate(self, wanted: str) -> str:
        """``wanted`` with the lowest free number ≥ 1 (``sheet1.xml`` → ``sheet3.xml``).

        A name without a number is kept as it is when free (``styles.xml``).
        """
        folder, base = posixpath.split(wanted)
        stem, digits, ext = _NUMBERED.match(base).groups()
        if not digits and part_key(wanted) not in self._taken:
            return self.take(wanted)  # "styles.xml" stays unnumbered when free
        n = 1
        while True:
            name = posixpath.join(folder, f"{stem}{n}{ext or ''}")
            if part_key(name) not in self._taken:
                return self.take(name)
            n += 1
