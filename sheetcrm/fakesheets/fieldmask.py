"""Field masks: the ``fields`` query parameter and the ``fields`` of update requests.

Google accepts ``a.b``, ``a/b``, ``a(b,c)``, commas and ``*``
(https://developers.google.com/sheets/api/guides/field-masks).  A parsed mask is a tree
``{name: subtree}`` where a subtree of ``None`` selects the whole value.
"""

from __future__ import annotations

import copy
from typing import Any

Mask = dict[str, "Mask | None"]

_SEPARATORS = ".,/()"


class MaskError(ValueError):
    """Raised for a mask that does not parse."""


def parse_mask(text: str) -> Mask:
    """Parse ``"sheets(properties,data.rowData.values.note)"`` into a tree."""
    tree: Mask = {}
    end = _parse_list(text, 0, tree)
    if end != len(text):
        raise MaskError(text)
    return tree


def _parse_list(text: str, i: int, tree: Mask) -> int:
    while True:
        i = _parse_path(text, i, tree)
        if i < len(text) and text[i] == ",":
            i += 1
            continue
        return i


def _parse_path(text: str, i: int, tree: Mask) -> int:
    start = i
    while i < len(text) and text[i] not in _SEPARATORS:
        i += 1
    name = text[start:i].strip()
    if not name:
        raise MaskError(text)
    nxt = text[i] if i < len(text) else ""
    if nxt in ("(", ".", "/"):
        # A name already selected whole stays whole; parse the rest into a throwaway.
        sub = {} if (name in tree and tree[name] is None) else tree.setdefault(name, {})
        assert sub is not None
        if nxt == "(":
            i = _parse_list(text, i + 1, sub)
            if i >= len(text) or text[i] != ")":
                raise MaskError(text)
            return i + 1
        return _parse_path(text, i + 1, sub)
    tree[name] = None
    return i


def touches(tree: Mask | None, path: tuple[str, ...]) -> bool:
    """Whether the mask selects anything at or below ``path`` (e.g. ``("sheets", "data")``)."""
    if tree is None:
        return True
    if not path:
        return True
    if "*" in tree:
        return True
    head, rest = path[0], path[1:]
    return head in tree and touches(tree[head], rest)


def project(value: Any, tree: Mask | None) -> Any:
    """Keep only the masked fields of a response (lists are masked element by element)."""
    if tree is None or "*" in tree:
        return value
    if isinstance(value, list):
        return [project(item, tree) for item in value]
    if not isinstance(value, dict):
        return value
    return {key: project(value[key], sub) for key, sub in tree.items() if key in value}


def paths(tree: Mask, prefix: str = "") -> list[str]:
    """Every leaf path of a mask, dotted: ``["gridProperties.frozenRowCount", "title"]``."""
    out: list[str] = []
    for name, sub in tree.items():
        full = f"{prefix}{name}"
        out.extend([full] if sub is None else paths(sub, full + "."))
    return out


def masked_update(target: dict[str, Any], source: dict[str, Any], tree: Mask) -> None:
    """Copy the masked fields from ``source`` into ``target``; a masked field absent from
    ``source`` is cleared, as the API documents for update requests."""
    if "*" in tree:
        target.clear()
        target.update(copy.deepcopy(source))
        return
    for name, sub in tree.items():
        if sub is None:
            if name in source:
                target[name] = copy.deepcopy(source[name])
            else:
                target.pop(name, None)
            continue
        child_source = source.get(name)
        child = target.get(name)
        if not isinstance(child, dict):
            child = {}
        masked_update(child, child_source if isinstance(child_source, dict) else {}, sub)
        if child:
            target[name] = child
        else:
            target.pop(name, None)
