"""Keep the tab list in ``docProps/app.xml`` (``TitlesOfParts``) in step with the workbook.

The list is advisory (Excel rewrites it on every save) and its group headings are
localised ("Worksheets", "ワークシート", "Листы"…), so the worksheet group is found by
its *content*: the group whose titles equal the workbook's worksheet titles (Excel
leaves very hidden tabs out).  If no group matches, the part is left as it was.
"""

from __future__ import annotations

from collections.abc import Sequence

from .xmlspan import Splicer, decode, escape_text, parse, text_of


def update_titles(data: bytes, old: Sequence[str], new: Sequence[str]) -> bytes | None:
    """Replace the worksheet titles ``old`` by ``new``; None when unchanged or not found."""
    if list(old) == list(new) or not old:
        return None
    text, encoding = decode(data)
    doc = parse(text)
    pairs_el, titles_el = doc.root.child("HeadingPairs"), doc.root.child("TitlesOfParts")
    if pairs_el is None or titles_el is None:
        return None
    pairs_vector, titles_vector = pairs_el.child("vector"), titles_el.child("vector")
    if pairs_vector is None or titles_vector is None:
        return None
    variants = list(pairs_vector.iter("variant"))
    titles = list(titles_vector.iter("lpstr"))
    counts = []
    for count_variant in variants[1::2]:
        if not count_variant.children:
            return None
        count_el = count_variant.children[0]
        try:
            counts.append((count_el, int(text_of(doc, count_el))))
        except ValueError:
            return None
    if sum(c for _, c in counts) != len(titles) or len(titles) != len(list(titles_vector.children)):
        return None
    offset = 0
    for count_el, count in counts:
        group = titles[offset : offset + count]
        offset += count
        if [text_of(doc, t) for t in group] != list(old):
            continue
        tag = group[0].qname
        edits = Splicer()
        edits.replace(
            group[0].start, group[-1].end, "".join(f"<{tag}>{escape_text(t)}</{tag}>" for t in new)
        )
        edits.replace(count_el.tag_end, count_el.close_start, str(len(new)))
        edits.set_attr(titles_vector, "size", str(len(titles) - count + len(new)))
        return encoding.encode(edits.apply(text))
    return None
