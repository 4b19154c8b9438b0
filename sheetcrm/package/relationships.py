"""Write relationship parts: edit the workbook's ``.rels`` in place, build ours from scratch."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .namespaces import PACKAGE_RELS
from .xmlspan import Splicer, decode, escape_attr, parse

_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


@dataclass(frozen=True)
class NewRelationship:
    id: str
    type: str
    target: str
    external: bool = False

    def markup(self, tag: str = "Relationship") -> str:
        mode = ' TargetMode="External"' if self.external else ""
        return (
            f'<{tag} Id="{escape_attr(self.id)}" Type="{escape_attr(self.type)}" '
            f'Target="{escape_attr(self.target)}"{mode}/>'
        )


def edit_relationships(
    data: bytes, remove: Iterable[str], add: Sequence[NewRelationship]
) -> bytes | None:
    """Drop the relationships with ids in ``remove`` and append ``add``; None if unchanged."""
    text, encoding = decode(data)
    doc = parse(text)
    drop = set(remove)
    edits = Splicer()
    for el in doc.root.iter("Relationship"):
        if el.get("Id") in drop:
            edits.delete(el)
    if add:
        tag = f"{doc.root.prefix}:Relationship" if doc.root.prefix else "Relationship"
        edits.append_child(doc.root, "".join(r.markup(tag) for r in add))
    return encoding.encode(edits.apply(text)) if edits else None


def build_relationships(rels: Sequence[NewRelationship]) -> bytes:
    """A fresh ``.rels`` part."""
    body = "".join(r.markup() for r in rels)
    return f'{_DECLARATION}<Relationships xmlns="{PACKAGE_RELS}">{body}</Relationships>'.encode()


def free_id(taken: set[str]) -> str:
    """The first ``rIdN`` not in ``taken`` (which is updated)."""
    n = 1
    while f"rId{n}" in taken:
        n += 1
    taken.add(f"rId{n}")
    return f"rId{n}"
