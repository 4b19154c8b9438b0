"""Read an OPC package (the ZIP inside every .xlsx): parts, relationships, content types.

Part names are handled the way readers treat them in practice: case-insensitively,
percent-decoded, and with backslashes read as slashes (``issue_530.xlsx`` in the corpus
stores every entry as ``xl\\worksheets\\…``).  Relationship targets may be relative or
absolute (``table_with_absolute_paths.xlsx``).  Nothing here modifies the package.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import BinaryIO
from urllib.parse import quote, unquote

from defusedxml import ElementTree as SafeET

from .namespaces import CONTENT_TYPES, PACKAGE_RELS, rel_name
from .zipio import raw_chunks

ROOT = ""  # the package itself, source of _rels/.rels
#: What zipfile raises for a damaged, encrypted or oddly compressed entry.
_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    EOFError,
    RuntimeError,
    NotImplementedError,
)


class PackageError(ValueError):
    """The package is structurally broken (unreadable part, bad XML, missing workbook)."""


def normalise(name: str) -> str:
    """A zip entry name or part name in canonical form: slashes, no leading slash."""
    return name.replace("\\", "/").lstrip("/")


def part_key(name: str) -> str:
    """The case-insensitive identity of a part name."""
    return unquote(normalise(name)).lower()


def extension(part: str) -> str:
    """A part's extension as [Content_Types].xml matches it (``.rels`` → ``rels``)."""
    base = part.rpartition("/")[2]
    return base.rpartition(".")[2].lower() if "." in base else ""


def rels_part(part: str) -> str:
    """Where the relationships of ``part`` live (``xl/_rels/workbook.xml.rels``)."""
    folder, _, base = part.rpartition("/")
    return f"{folder + '/' if folder else ''}_rels/{base}.rels"


def resolve(source: str, target: str) -> str | None:
    """The part a relationship target of ``source`` points to, or None if it leaves the package."""
    target = target.split("#", 1)[0].replace("\\", "/")
    if not target:
        return None
    if target.startswith("/"):
        path = target[1:]
    else:
        path = posixpath.join(posixpath.dirname(source), target)
    path = posixpath.normpath(unquote(path))
    if path.startswith("..") or path in (".", ""):
        return None
    return path


def relative(source: str, target: str) -> str:
    """A relative relationship target from ``source`` to the part ``target``."""
    return quote(posixpath.relpath(target, posixpath.dirname(source) or "."), safe="/._-~")


@dataclass(frozen=True)
class Relationship:
    """One ``<Relationship>``; ``part`` is the resolved target (None when external)."""

    id: str
    type: str
    target: str
    external: bool
    part: str | None

    @property
    def name(self) -> str | None:
        """The type's short name (``'worksheet'``) in either dialect."""
        return rel_name(self.type)


@dataclass(frozen=True)
class ContentTypes:
    """The ``[Content_Types].xml`` lookup: overrides by part, defaults by extension."""

    defaults: dict[str, str]
    overrides: dict[str, str]

    def of(self, part: str) -> str | None:
        found = self.overrides.get(part_key(part))
        if found is None:
            found = self.defaults.get(extension(part))
        return found


class Package:
    """A read-only view of an .xlsx package opened from a binary file object."""

    def __init__(self, fp: BinaryIO) -> None:
        self.fp = fp
        try:
            self.zip = zipfile.ZipFile(fp)
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            raise PackageError(f"not a zip archive: {error}") from error
        self.infos = self.zip.infolist()
        self._by_key = {part_key(i.filename): i for i in self.infos if not i.is_dir()}
        if len(self._by_key) != sum(not i.is_dir() for i in self.infos):
            raise PackageError("the archive holds two entries for the same part")
        self._rels: dict[str, list[Relationship]] = {}

    @property
    def part_names(self) -> list[str]:
        """Normalised names of all parts (directory entries excluded), in archive order."""
        return [normalise(i.filename) for i in self.infos if not i.is_dir()]

    def info(self, part: str) -> zipfile.ZipInfo | None:
        return self._by_key.get(part_key(part))

    def has(self, part: str) -> bool:
        return part_key(part) in self._by_key

    def read(self, part: str) -> bytes:
        """The uncompressed bytes of a part (CRC-checked)."""
        info = self.info(part)
        if info is None:
            raise PackageError(f"missing part {part}")
        try:
            return self.zip.read(info)
        except _READ_ERRORS as error:
            raise PackageError(f"cannot read {part}: {error}") from error

    def chunks(self, part: str, size: int = 1 << 20) -> Iterator[bytes]:
        """Stream a part's uncompressed bytes."""
        info = self.info(part)
        if info is None:
            raise PackageError(f"missing part {part}")
        try:
            with self.zip.open(info) as stream:
                while data := stream.read(size):
                    yield data
        except _READ_ERRORS as error:
            raise PackageError(f"cannot read {part}: {error}") from error

    def raw(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """An entry's compressed bytes as stored."""
        return raw_chunks(self.fp, info)

    def relationships(self, source: str) -> list[Relationship]:
        """The relationships of ``source`` (``ROOT`` for the package); [] when it has none."""
        key = part_key(source)
        if key not in self._rels:
            self._rels[key] = self._read_relationships(source)
        return self._rels[key]

    def _read_relationships(self, source: str) -> list[Relationship]:
        name = rels_part(source)
        if not self.has(name):
            return []
        root = _safe_parse(self.read(name), name)
        found = []
        for el in root.iter(f"{{{PACKAGE_RELS}}}Relationship"):
            target = el.get("Target", "")
            external = el.get("TargetMode", "Internal") == "External"
            found.append(
                Relationship(
                    id=el.get("Id", ""),
                    type=el.get("Type", ""),
                    target=target,
                    external=external,
                    part=None if external else resolve(source, target),
                )
            )
        return found

    @cached_property
    def content_types(self) -> ContentTypes:
        root = _safe_parse(self.read("[Content_Types].xml"), "[Content_Types].xml")
        defaults = {
            el.get("Extension", "").lower(): el.get("ContentType", "")
            for el in root.iter(f"{{{CONTENT_TYPES}}}Default")
        }
        overrides = {
            part_key(el.get("PartName", "")): el.get("ContentType", "")
            for el in root.iter(f"{{{CONTENT_TYPES}}}Override")
        }
        return ContentTypes(defaults, overrides)

    @cached_property
    def workbook_part(self) -> str:
        """The main workbook part, found through the package relationships."""
        for rel in self.relationships(ROOT):
            if rel.name == "officeDocument" and rel.part and self.has(rel.part):
                return self.canonical(rel.part)
        if self.has("xl/workbook.xml"):
            return self.canonical("xl/workbook.xml")
        raise PackageError("no workbook part")

    def canonical(self, part: str) -> str:
        """The part name as spelled in this archive (normalised)."""
        info = self.info(part)
        return normalise(info.filename) if info is not None else part

    def related(self, source: str, name: str) -> Relationship | None:
        """The first relationship of ``source`` with this short type name."""
        return next((r for r in self.relationships(source) if r.name == name), None)

    def reachable(
        self, sources: Iterable[str], *, skip: frozenset[tuple[str, str]] = frozenset()
    ) -> set[str]:
        """Keys of every existing part reachable from ``sources`` by internal relationships.

        ``skip`` holds (source part key, relationship id) edges not to follow.
        """
        seen: set[str] = set()
        todo = list(sources)
        while todo:
            source = todo.pop()
            for rel in self.relationships(source):
                if rel.part is None or (part_key(source), rel.id) in skip:
                    continue
                key = part_key(rel.part)
                if key in seen or key not in self._by_key:
                    continue
                seen.add(key)
                todo.append(self.canonical(rel.part))
        return seen


def _safe_parse(data: bytes, name: str):
    try:
        return SafeET.fromstring(data)
    except Exception as error:
        raise PackageError(f"{name} is not valid XML: {error}") from error
