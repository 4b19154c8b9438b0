"""Forget a person: leave them out of every tab sheetcrm generates, and show where they remain.

Usage::

    report = forget(Path("shop.xlsx"), "taro@example.com")
    for row in report.rows:          # the seller's own rows that still hold their data
        print(row.ref, row.cells)    # 顧客!12 (('C', 't***@example.com'), ('B', '山***'))

Design
------
*Who.*  An argument with ``@`` is an e-mail address, normalised like the e-mail column
(NFKC, trimmed, lower case, ``mailto:`` and display names unwrapped); anything else is a
customer ID — the seller's own (``顧客ID``) or the one sheetcrm assigned (``C-…``).
The person is the whole resolved customer (:mod:`sheetcrm.identity`): every row joined
to a matching row by ID, e-mail or phone + name, so an order row giving only their
phone and name is left out too.

*Remembered, as keyed hashes.*  The next refresh reads the seller's rows again and
would bring the person back, so the exclusion is stored in the workbook itself, like
the duplicate decisions: a hidden tab of ours, ``sheetcrm forgotten``, read back on
every run.  It holds HMAC-SHA-256 digests of every e-mail and customer ID of the
person, keyed with a random per-workbook key kept in the same tab — never the
identifiers in clear, as a do-not-process list must not itself be a list of the
people on it.  (Anyone holding the workbook can still test a guessed address against
it; that is inherent to any suppression list, and they hold the seller's rows anyway.)
Every analysis — refresh, check, export, the Google Sheets sync — applies the list
through :func:`exclude` before any output is built: the person's customer row, orders,
activities, duplicate candidates, ID merges, decisions and the issues on their rows
disappear, and the shop's totals leave out their orders.  Segment scores and the
forecast were fitted with their rows present; the difference is one customer in many.

*The seller's rows are the seller's.*  Nothing in the seller's tabs is edited (the
issue: "we never edit their rows silently").  The report lists every row that still
holds the person's data — the rows identity resolution attached to them and any other
cell anywhere in the seller's tabs containing one of their e-mails or IDs — with
masked values (``t***@example.com``), so the seller can delete them, or keep them
where the law requires (sales records are kept for seven years in Japan).

*Undo.*  ``forget(..., undo=True)`` (``sheetcrm forget --undo``) removes the person's
entries; deleting their rows in the hidden tab does the same.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sheetcrm.analysis import Analysis
from sheetcrm.decisions import Decisions
from sheetcrm.issues import Issue
from sheetcrm.output_model import Column, OutputWorkbook, SheetModel, Table
from sheetcrm.privacy import mask_email, mask_phone, mask_text, mask_value
from sheetcrm.reader import SourceSheet
from sheetcrm.source import FORGOTTEN_KEY
from sheetcrm.text import nfkc

FORGOTTEN_TITLE = "sheetcrm forgotten"
_COLUMNS = ("person", "kind", "digest", "forgotten_on")
_KEY_ROW = "key"
#: Fields of a recognised table that identify the person, and how the report shows them
#: (a customer ID is the seller's own pseudonym, shown as is, to find the row by).
PERSONAL_FIELDS: dict[str, Callable[[str], str]] = {
    "customer_id": str,
    "name": mask_text,
    "family_name": mask_text,
    "given_name": mask_text,
    "name_kana": mask_text,
    "email": mask_email,
    "phone": mask_phone,
    "postal_code": mask_text,
    "address": mask_text,
    "birthday": mask_text,
}

Progress = Callable[[str], None]


def _silent(_: str) -> None:
    pass


# --- the list ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Forgotten:
    """One remembered identifier: which ``person`` (a random token) and its keyed digest."""

    person: str
    kind: str  # "email" or "id"
    digest: str
    forgotten_on: dt.date | None = None


@dataclass(frozen=True)
class ForgetList:
    """The people to leave out, as keyed digests; ``key`` is the workbook's HMAC key."""

    key: bytes = b""
    entries: tuple[Forgotten, ...] = ()

    @property
    def digests(self) -> frozenset[str]:
        return frozenset(e.digest for e in self.entries)

    def __len__(self) -> int:
        return len({e.person for e in self.entries})

    def digest(self, kind: str, value: str) -> str:
        """The keyed digest of one normalised identifier (128 bits, hex)."""
        message = f"{kind}:{value}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()[:32]

    def adding(self, identifiers: Iterable[tuple[str, str]], today: dt.date) -> ForgetList:
        """A list with one more person, known by ``(kind, normalised value)`` pairs."""
        key = self.key or secrets.token_bytes(32)
        grown = ForgetList(key, self.entries)
        person = secrets.token_hex(4)
        known = self.digests
        new = []
        for kind, value in sorted(set(identifiers)):
            digest = grown.digest(kind, value)
            if digest not in known:
                new.append(Forgotten(person, kind, digest, today))
                known |= {digest}
        return ForgetList(key, self.entries + tuple(new))

    def removing(self, identifiers: Iterable[tuple[str, str]]) -> ForgetList:
        """A list without every person known by one of ``identifiers``."""
        hits = {self.digest(kind, value) for kind, value in identifiers}
        people = {e.person for e in self.entries if e.digest in hits}
        return ForgetList(self.key, tuple(e for e in self.entries if e.person not in people))

    def knows(self, identifiers: Iterable[tuple[str, str]]) -> bool:
        digests = self.digests
        return any(self.digest(kind, value) in digests for kind, value in identifiers)


def identifier(who: str) -> tuple[str, str]:
    """``(kind, normalised value)`` of what the seller typed: an e-mail or a customer ID.

    E-mails go through the e-mail column's own parser, so both match exactly.
    """
    from sheetcrm.parse.emails import parse_emails

    text = nfkc(who).strip()
    if "@" not in text:
        return "id", text
    parsed = parse_emails(pd.Series([text], dtype="string")).values
    value = parsed.iloc[0] if hasattr(parsed, "iloc") else parsed[0]
    return "email", str(value) if not pd.isna(value) else text.lower()


def _normalised(kind: str, value: object) -> str:
    """Identifiers as read from the analysis, in the form :func:`identifier` gives."""
    return str(value) if kind == "email" else nfkc(str(value)).strip()


def read_forget_list(sheet: SourceSheet | None) -> ForgetList:
    """The list stored in our hidden tab (an empty list when there is none)."""
    if sheet is None:
        return ForgetList()
    rows = [
        [None if pd.isna(v) else str(v).strip() or None for v in row]
        for row in sheet.cells.itertuples(index=False, name=None)
    ]
    header = next((i for i, r in enumerate(rows) if r[:4] == list(_COLUMNS)), None)
    if header is None:
        return ForgetList()
    key = b""
    entries = []
    padded = (r[:4] + [None] * (4 - len(r[:4])) for r in rows[header + 1 :])
    for person, kind, digest, day in padded:
        if kind == _KEY_ROW and digest:
            try:
                key = bytes.fromhex(digest)
            except ValueError:
                continue
        elif person and kind in ("email", "id") and digest:
            entries.append(Forgotten(person, kind, digest.lower(), _date(day)))
    if not key:
        return ForgetList()  # digests without their key cannot match anything
    return ForgetList(key, tuple(entries))


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def forget_sheet(forgotten: ForgetList) -> SheetModel:
    """Our hidden tab holding the list (stable English keys: it is for sheetcrm)."""
    rows = [(None, _KEY_ROW, forgotten.key.hex(), None)]
    rows += [(e.person, e.kind, e.digest, e.forgotten_on) for e in forgotten.entries]
    frame = pd.DataFrame(rows, columns=list(_COLUMNS))
    columns = (
        Column("person", "person"),
        Column("kind", "kind"),
        Column("digest", "digest"),
        Column("forgotten_on", "forgotten_on", "date"),
    )
    caption = (
        "sheetcrm: people left out of every generated tab (keyed hashes, not their data). "
        "Delete a person's rows to include them again."
    )
    return SheetModel(
        key=FORGOTTEN_KEY,
        title=FORGOTTEN_TITLE,
        tables=(Table(columns, frame, caption=caption, autofilter=False),),
        freeze_header=False,
        hidden=True,
    )


def with_forget_tab(model: OutputWorkbook, forgotten: ForgetList) -> OutputWorkbook:
    """``model`` plus our hidden list tab, when anyone is on the list."""
    if not forgotten.entries:
        return model
    return dataclasses.replace(model, sheets=(*model.sheets, forget_sheet(forgotten)))


# --- who is the person, and where are they ----------------------------------------------


@dataclass(frozen=True)
class Person:
    """A person found in an analysis: resolved IDs, every e-mail and ID, their rows."""

    customer_ids: frozenset[str] = frozenset()
    identifiers: frozenset[tuple[str, str]] = frozenset()
    refs: frozenset[str] = frozenset()  # "Sheet!row" of every row attached to them


def find_person(analysis: Analysis, matches: Callable[[str, str], bool]) -> Person:
    """The customers with an identifier for which ``matches(kind, value)`` holds."""
    customers = analysis.customers
    ids = {
        c for c in customers["customer_id"].dropna().unique() if matches("id", _normalised("id", c))
    }
    hit_refs: set[str] = set()
    for frame in _parsed_frames(analysis):
        for column, kind in (("email", "email"), ("customer_id", "id")):
            if column not in frame:
                continue
            values = {
                v for v in frame[column].dropna().unique() if matches(kind, _normalised(kind, v))
            }
            if values:
                chosen = frame[frame[column].isin(values)]
                hit_refs.update(_refs(chosen))
    owner = _ref_owners(customers)
    ids |= {owner[r] for r in hit_refs if r in owner}
    if not ids:
        return Person()
    chosen = customers[customers["customer_id"].isin(ids)]
    refs = {r for sources in chosen["sources"] for r in (sources or ())}
    refs |= hit_refs
    found: set[tuple[str, str]] = {("id", _normalised("id", c)) for c in ids}
    for frame in _parsed_frames(analysis):
        mine = frame[_refs_series(frame).isin(refs)]
        for column, kind in (("email", "email"), ("customer_id", "id")):
            if column in mine:
                found |= {(kind, _normalised(kind, v)) for v in mine[column].dropna().unique()}
    return Person(frozenset(ids), frozenset(found), frozenset(refs))


def _parsed_frames(analysis: Analysis) -> list[pd.DataFrame]:
    parsed = analysis.parsed
    return [f for f in (parsed.customers, parsed.orders, parsed.activities) if not f.empty]


def _refs_series(frame: pd.DataFrame) -> pd.Series:
    return frame["source_sheet"].astype(str) + "!" + frame["source_row"].astype(str)


def _refs(frame: pd.DataFrame) -> set[str]:
    return set(_refs_series(frame)) if not frame.empty else set()


def _ref_owners(customers: pd.DataFrame) -> dict[str, str]:
    exploded = customers[["customer_id", "sources"]].explode("sources").dropna()
    return dict(zip(exploded["sources"], exploded["customer_id"], strict=True))


# --- leaving them out -------------------------------------------------------------------


def exclude(analysis: Analysis, forgotten: ForgetList) -> Analysis:
    """``analysis`` without the people on ``forgotten`` (unchanged when none is present)."""
    if not forgotten.entries:
        return analysis
    digests = forgotten.digests
    person = find_person(analysis, lambda kind, value: forgotten.digest(kind, value) in digests)
    if not person.customer_ids:
        return analysis
    return leave_out(analysis, person)


def leave_out(analysis: Analysis, person: Person) -> Analysis:
    """``analysis`` without ``person``: every frame, list and memory that could show them."""
    ids = set(person.customer_ids)
    seller_ids = {v for kind, v in person.identifiers if kind == "id"}
    refs = set(person.refs)
    rows = {(r.rpartition("!")[0], int(r.rpartition("!")[2])) for r in refs}

    def by_id(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
        keep = pd.Series(True, index=frame.index)
        for column in columns:
            if column in frame:
                keep &= ~frame[column].isin(ids)
        return frame[keep].reset_index(drop=True) if not keep.all() else frame

    def by_row(frame: pd.DataFrame) -> pd.DataFrame:
        if frame.empty or "source_sheet" not in frame:
            return frame
        return frame[~_refs_series(frame).isin(refs)].reset_index(drop=True)

    def issues(found: list[Issue]) -> list[Issue]:
        return [i for i in found if (i.sheet, i.row) not in rows]

    resolution = analysis.resolution
    resolution = dataclasses.replace(
        resolution,
        customers=by_id(resolution.customers, "customer_id"),
        orders=by_id(resolution.orders, "customer_id"),
        activities=by_id(resolution.activities, "customer_id"),
        candidates=by_id(resolution.candidates, "customer_id_a", "customer_id_b"),
        issues=issues(resolution.issues),
        id_merges={
            s: p for s, p in resolution.id_merges.items() if p not in ids and s not in seller_ids
        },
    )
    parsed = dataclasses.replace(
        analysis.parsed,
        customers=by_row(analysis.parsed.customers),
        orders=by_row(analysis.parsed.orders),
        activities=by_row(analysis.parsed.activities),
        issues=issues(analysis.parsed.issues),
    )
    tables = [
        dataclasses.replace(
            t, data=t.data.drop(index=[r for s, r in rows if s == t.sheet], errors="ignore")
        )
        for t in analysis.tables
    ]
    gone = ids | seller_ids
    decisions = Decisions(
        {p: d for p, d in analysis.decisions.by_pair.items() if not gone & {d.a, d.b}}
    )
    forecast = analysis.forecast
    if forecast is not None:
        forecast = dataclasses.replace(
            forecast, customers=forecast.customers.drop(index=list(ids), errors="ignore")
        )
    changed = {
        "tables": tables,
        "parsed": parsed,
        "resolution": resolution,
        "customers": by_id(analysis.customers, "customer_id"),
        "issues": issues(analysis.issues),
        "decisions": decisions,
        "forecast": forecast,
    }
    # Fields added later (per-customer insights…) are filtered too when they are frames
    # keyed by customer: a new field must not bring a forgotten person back.
    for f in dataclasses.fields(analysis):
        value = getattr(analysis, f.name)
        if f.name not in changed and isinstance(value, pd.DataFrame):
            if "customer_id" in value:
                changed[f.name] = by_id(value, "customer_id")
            elif value.index.name == "customer_id":
                changed[f.name] = value.drop(index=list(ids), errors="ignore")
    return dataclasses.replace(analysis, **changed)


# --- the seller's rows that still hold their data ---------------------------------------


@dataclass(frozen=True)
class HeldRow:
    """A row of the seller's that still holds the person's data; ``cells``: (column, masked)."""

    sheet: str
    row: int
    cells: tuple[tuple[str, str], ...] = ()

    @property
    def ref(self) -> str:
        return f"{self.sheet}!{self.row}"


def held_rows(
    analysis: Analysis, person: Person, sheets: Iterable[SourceSheet] = ()
) -> list[HeldRow]:
    """Rows attached to ``person``, plus any cell of ``sheets`` holding one of their IDs."""
    cells: dict[tuple[str, int], dict[str, str]] = {}
    by_ref = {r.rpartition("!")[0]: set() for r in person.refs}
    for r in person.refs:
        sheet, _, row = r.rpartition("!")
        by_ref[sheet].add(int(row))
    for table in analysis.tables:
        wanted = by_ref.get(table.sheet)
        if not wanted:
            continue
        data = table.data.loc[table.data.index.intersection(sorted(wanted))]
        for row, values in data.iterrows():
            found = cells.setdefault((table.sheet, int(row)), {})
            for name, mask in PERSONAL_FIELDS.items():
                ref = table.columns.get(name)
                value = values.get(name)
                if ref is not None and isinstance(value, str) and value.strip():
                    found[ref.letter] = mask(value.strip())
        for row in wanted - set(int(r) for r in data.index):
            cells.setdefault((table.sheet, row), {})
    emails = [v for kind, v in person.identifiers if kind == "email"]
    ids = {v for kind, v in person.identifiers if kind == "id"}
    for sheet in sheets:
        for (row, letter), value in _cells_holding(sheet, emails, ids).items():
            shown = value.strip() if value.strip() in ids else mask_value(value)
            cells.setdefault((sheet.name, row), {}).setdefault(letter, shown)
    return [
        HeldRow(sheet, row, tuple(sorted(found.items(), key=lambda kv: (len(kv[0]), kv[0]))))
        for (sheet, row), found in sorted(cells.items())
    ]


def _cells_holding(
    sheet: SourceSheet, emails: list[str], ids: set[str]
) -> dict[tuple[int, str], str]:
    """``{(row, column letter): text}`` of cells containing an e-mail or equal to an ID."""
    from sheetcrm.guard_cells import column_letters

    found: dict[tuple[int, str], str] = {}
    if sheet.cells.empty:
        return found
    for column in sheet.cells.columns:
        text = sheet.cells[column].dropna()
        if text.empty:
            continue
        hit = pd.Series(False, index=text.index)
        folded = text.str.lower()
        for email in emails:
            hit |= folded.str.contains(email, regex=False)
        if ids:
            hit |= text.str.strip().isin(ids)
        for row in text.index[hit.to_numpy()]:
            found[(int(row), column_letters(int(column) + 1))] = str(text[row])
    return found


# --- the command ------------------------------------------------------------------------


@dataclass(frozen=True)
class ForgetReport:
    """What forgetting did: whom (masked), whether they were found, and their rows left."""

    who: str
    found: bool
    customers: int
    rows: tuple[HeldRow, ...] = ()
    written_to: Path | None = None
    backup: Path | None = None
    undone: bool = False
    remembered: int = field(default=0)  # people on the list after this run


def forget(
    path: Path | str,
    who: str,
    *,
    undo: bool = False,
    password: str | None = None,
    as_of: dt.date | None = None,
    lang: str | None = None,
    backup: bool = True,
    progress: Progress = _silent,
) -> ForgetReport:
    """Leave the person ``who`` (an e-mail or a customer ID) out of every generated tab.

    The workbook's generated tabs are rewritten (like ``refresh``) and the person is
    remembered (see the module docstring); the seller's own rows are listed, never
    changed.  ``undo=True`` takes them off the list instead.
    """
    from sheetcrm.crypto import decrypted_content
    from sheetcrm.package import check_writable, fingerprint
    from sheetcrm.pipeline import analyse_source, write_back
    from sheetcrm.reader import read_sheets, sniff_workbook
    from sheetcrm.source import READ_BACK_KEYS, generated_tabs, source_from_sheets

    path = Path(path)
    wanted = identifier(who)
    content = decrypted_content(path, password)
    if content is None:
        sniff_workbook(path)
    check_writable(path, password=password)
    before = fingerprint(path)
    generated = generated_tabs(path, content=content)
    progress("read")
    sheets = read_sheets(
        path,
        skip={t for k, t in generated.items() if k not in READ_BACK_KEYS},
        content=content,
    )
    progress("recognise")
    source = source_from_sheets(sheets, generated, path.name)
    full = analyse_source(source, as_of=as_of, lang=lang, progress=progress, apply_forgotten=False)
    today = dt.date.today()
    listed = source.forget_list()
    if undo:
        person = find_person(full, lambda kind, value: (kind, value) == wanted)
        updated = listed.removing({wanted} | person.identifiers)
        found = len(updated.entries) != len(listed.entries)
        rows: list[HeldRow] = []
    else:
        person = find_person(full, lambda kind, value: (kind, value) == wanted)
        updated = listed.adding({wanted} | person.identifiers, today)
        found = bool(person.customer_ids)
        ours = set(generated.values())
        rows = held_rows(full, person, [s for s in sheets if s.name not in ours])
    analysis = exclude(full, updated)
    report = write_back(
        path,
        source,
        analysis,
        before=before,
        backup=backup,
        password=password,
        forgotten=updated,
        progress=progress,
    )
    masked = mask_email(wanted[1]) if wanted[0] == "email" else wanted[1]
    return ForgetReport(
        who=masked,
        found=found,
        customers=len(person.customer_ids),
        rows=tuple(rows),
        written_to=report.written_to,
        backup=report.backup,
        undone=undo,
        remembered=len(updated),
    )
