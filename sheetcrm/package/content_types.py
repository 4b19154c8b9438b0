"""Edit ``[Content_Types].xml``: drop the overrides of removed parts, declare new parts."""

from __future__ import annotations

from collections.abc import Sequence

from .opc import part_key
from .xmlspan import Splicer, decode, escape_attr, parse


def edit_content_types(
    data: bytes, remove: set[str], add: Sequence[tuple[str, str]]
) -> bytes | None:
    """``remove``: part keys whose ``<Override>`` goes; ``add``: (part name, content type).

    Returns None when nothing changed.
    """
    text, encoding = decode(data)
    doc = parse(text)
    edits = Splicer()
    for el in doc.root.iter("Override"):
        if part_key(el.get("PartName") or "") in remove:
            edits.delete(el)
    if add:
        tag = f"{doc.root.prefix}:Override" if doc.root.prefix else "Override"
        edits.append_child(
            doc.root,
            "".join(
                f'<{tag} PartName="/{escape_attr(part)}" ContentType="{escape_attr(ct)}"/>'
                for part, ct in add
            ),
        )
    return encoding.encode(edits.apply(text)) if edits else None
