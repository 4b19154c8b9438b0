"""Sheet references inside formulas: quote a title, read the sheet of a reference, retitle.

A generated tab can end up with another title than the renderer gave it (a seller tab
already holds the name, or the seller renamed our tab last time), so the formulas that
come with it — chart series, autofilter ranges, cross-tab formulas — are rewritten to the
final titles.  String literals (``"…"``) are never touched.
"""

from __future__ import annotations

import re

_REFERENCE = re.compile(r"=?\s*(?:'((?:[^']|'')*)'|([^'!\[\]#][^'!\[\]]*))!")
_PIECES = re.compile(
    r"\"(?:[^\"]|\"\")*\""  # a string literal: skip
    r"|\[[^\]]*\][^!\s,()]*!"  # an external workbook reference: skip
    r"|'((?:[^']|'')*)'!"  # 'Quoted title'!
    r"|(?<![\w.'])([^\W\d][\w.]*)!"  # Bare_title!
)


def quote_title(title: str) -> str:
    """A sheet title as a formula prefix part, always quoted (valid for every title)."""
    return "'" + title.replace("'", "''") + "'"


def sheet_of(formula: str) -> str | None:
    """The sheet title a reference formula like ``'My tab'!$A$1`` starts with, if any."""
    m = _REFERENCE.match(formula)
    if m is None:
        return None
    return m.group(1).replace("''", "'") if m.group(1) is not None else m.group(2)


def retitle(formula: str, titles: dict[str, str]) -> str:
    """Rewrite references to the sheets in ``titles`` (old title → new title)."""
    if not titles:
        return formula
    folded = {old.casefold(): new for old, new in titles.items()}

    def one(m: re.Match[str]) -> str:
        quoted, bare = m.group(1), m.group(2)
        if quoted is None and bare is None:
            return m.group(0)
        old = quoted.replace("''", "'") if quoted is not None else bare
        new = folded.get(old.casefold())
        return m.group(0) if new is None else quote_title(new) + "!"

    return _PIECES.sub(one, formula)
