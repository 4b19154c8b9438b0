"""Round-trip fidelity of the write-back engine over real workbooks (calamine's test data).

For every .xlsx/.xlsm in ../shared/corpus/calamine: graft generated tabs, then check
that every part we do not own is byte-identical (even its compressed bytes), that only
the five editable parts changed, that the package is complete (relationships resolve,
every part has a content type), that python-calamine and openpyxl read the seller's tabs
unchanged plus ours, and that a second graft changes nothing at all.
"""

from __future__ import annotations

import shutil
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
import python_calamine
from test_package_support import CORPUS, integrity, make_rendered, parts, raw_entry

from sheetcrm.errors import NotAWorkbook, WorkbookEncrypted
from sheetcrm.package import generated_sheets, write_generated_sheets
from sheetcrm.package.opc import ROOT, Package, part_key, rels_part

KEYS = ["customers", "summary"]
#: Files that must be refused, and why.
REFUSED = {
    "pass_protected.xlsx": WorkbookEncrypted,  # an encrypted (CFB) package
    "issue252.xlsx": NotAWorkbook,  # workbook.xml.rels fails its CRC: the zip is damaged
}
FILES = sorted(p.name for p in CORPUS.glob("*.xls[xm]")) if CORPUS.is_dir() else []
FIGURES = {"files": 0, "parts identical": 0, "parts edited": 0, "parts added": 0, "refused": 0}


def _need_corpus() -> None:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus not found")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_rendered(tmp_path_factory.mktemp("rendered") / "rendered.xlsx")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory, rendered: Path) -> dict[str, Path]:
    """The first graft of each file, made once and shared by the tests of this module."""
    folder = tmp_path_factory.mktemp("corpus-out")
    made: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in made:
            source = folder / name
            shutil.copy(CORPUS / name, source)
            out = folder / f"out-{name}"
            write_generated_sheets(source, rendered, KEYS, out=out)
            made[name] = out
        return made[name]

    return get  # type: ignore[return-value]


def _editable(path: Path) -> set[str]:
    """Keys of the seller parts the engine may change."""
    with open(path, "rb") as f:
        package = Package(f)
        wb = package.workbook_part
        allowed = {part_key("[Content_Types].xml"), part_key(wb), part_key(rels_part(wb))}
        for source, name in ((wb, "styles"), (ROOT, "extended-properties")):
            rel = package.related(source, name)
            if rel is not None and rel.part is not None:
                allowed.add(part_key(rel.part))
        return allowed


def _calamine_sheets(path: Path) -> dict[str, list | None]:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    found: dict[str, list | None] = {}
    for name in book.sheet_names:
        try:
            found[name] = book.get_sheet_by_name(name).to_python()
        except Exception:  # a sheet calamine cannot read in the original either
            found[name] = None
    return found


@pytest.mark.parametrize("name", FILES or ["<corpus missing>"])
def test_corpus_file_keeps_every_seller_part(
    name: str, rendered: Path, outputs, tmp_path: Path
) -> None:
    _need_corpus()
    original = CORPUS / name
    if name in REFUSED:
        source = tmp_path / name
        shutil.copy(original, source)
        with pytest.raises(REFUSED[name]):
            write_generated_sheets(source, rendered, KEYS)
        with pytest.raises(REFUSED[name]):
            write_generated_sheets(source, rendered, KEYS, out=tmp_path / "out.xlsx")
        assert source.read_bytes() == original.read_bytes()
        assert not (tmp_path / "out.xlsx").exists()
        FIGURES["refused"] += 1
        return

    out = outputs(name)
    before, after = parts(original), parts(out)
    editable = _editable(original)
    # Seller entries keep their order; ours come after them.
    with zipfile.ZipFile(original) as z0, zipfile.ZipFile(out) as z1:
        names0 = [i.filename for i in z0.infolist()]
        names1 = [i.filename for i in z1.infolist()]
    assert names1[: len(names0)] == names0
    for entry, data in before.items():
        if part_key(entry) in editable:
            FIGURES["parts edited"] += data != after[entry]
            continue
        assert after[entry] == data, f"{entry} changed"
        assert raw_entry(out, entry) == raw_entry(original, entry), f"{entry} recompressed"
        FIGURES["parts identical"] += 1
    FIGURES["parts added"] += len(after) - len(before)

    dangling0, untyped0 = integrity(original)
    dangling1, untyped1 = integrity(out)
    assert dangling1 <= dangling0, f"new dangling relationships {dangling1 - dangling0}"
    assert untyped1 <= untyped0, f"parts without content type {untyped1 - untyped0}"

    titles = list(generated_sheets(out))
    assert sorted(generated_sheets(out).values()) == sorted(KEYS)
    sheets0, sheets1 = _calamine_sheets(original), _calamine_sheets(out)
    assert list(sheets1) == [*sheets0, *titles]
    for sheet, rows in sheets0.items():
        assert sheets1[sheet] == rows, f"seller tab {sheet!r} reads differently"
    customers = sheets1[titles[0]]
    assert customers[0] == ["顧客", "Amount", "Days"]
    assert [r[0] for r in customers[1:]] == ["青木 花子", "Bob", "Chloé", "大和"]
    assert customers[1][1] == 12000

    # Idempotence: grafting the same rendering again, in place, changes no part at all.
    again = tmp_path / f"again{original.suffix}"
    shutil.copy(out, again)
    result = write_generated_sheets(again, rendered, KEYS, backup=False)
    assert [r.key for r in result.replaced] == KEYS and not result.added
    assert parts(again) == after
    with zipfile.ZipFile(again) as z2:
        assert [i.filename for i in z2.infolist()] == names1
    FIGURES["files"] += 1


@pytest.mark.parametrize("name", [n for n in FILES if n not in REFUSED] or ["<corpus missing>"])
def test_corpus_file_opens_in_openpyxl(name: str, outputs) -> None:
    _need_corpus()
    warnings.simplefilter("ignore")
    try:
        before = openpyxl.load_workbook(CORPUS / name)
    except Exception as error:
        pytest.skip(f"openpyxl cannot open the original either: {type(error).__name__}: {error}")
    if not before.sheetnames:
        pytest.skip("openpyxl sees no sheets in the original (Strict OOXML)")
    after = openpyxl.load_workbook(outputs(name))
    ours = list(generated_sheets(outputs(name)))
    assert after.sheetnames == before.sheetnames + ours
    assert after[ours[0]]["A2"].value == "青木 花子"
    assert after[ours[0]]["B2"].number_format == "¥#,##0"
    assert after[ours[0]].freeze_panes == "A2"


def test_corpus_figures() -> None:
    """Print what the corpus run checked (visible with ``pytest -s``)."""
    _need_corpus()
    if not FIGURES["files"]:
        pytest.skip("run together with the corpus tests to get figures")
    print(
        f"\ncorpus: {len(FILES)} .xlsx/.xlsm files; "
        + ", ".join(f"{k}: {v}" for k, v in FIGURES.items())
    )
    assert FIGURES["files"] + FIGURES["refused"] == len(FILES)
