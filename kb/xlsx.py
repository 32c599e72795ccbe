"""Read the cell values of one worksheet of an .xlsx file, fast.

openpyxl parses a workbook's whole shared-string table through its object model, which made
the two BLS workbooks the slowest part of `kb build`; this reader streams the one sheet's XML and
the string table with the C XML parser and returns plain values (str, float, bool or None).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from kb.errors import SourceError

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_COLUMN = re.compile(r"[A-Z]+")


def _column_index(ref: str) -> int:
    letters = _COLUMN.match(ref)
    index = 0
    for char in letters.group(0) if letters else "A":
        index = index * 26 + (ord(char) - 64)
    return index - 1


def _text(element: ElementTree.Element) -> str:
    """The text of a shared or inline string: every <t> under it, rich-text runs joined."""
    return "".join(t.text or "" for t in element.iter(f"{_MAIN}t"))


def sheet_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as book:
        return [s.get("name", "") for s in _sheets(book)]


def _sheets(book: zipfile.ZipFile) -> list[ElementTree.Element]:
    root = ElementTree.fromstring(book.read("xl/workbook.xml"))
    return list(root.iter(f"{_MAIN}sheet"))


def _sheet_path(book: zipfile.ZipFile, sheet: str | None) -> str:
    sheets = _sheets(book)
    if not sheets:
        raise KeyError("the workbook has no sheets")
    chosen = (
        sheets[0] if sheet is None else next((s for s in sheets if s.get("name") == sheet), None)
    )
    if chosen is None:
        names = ", ".join(s.get("name", "") for s in sheets)
        raise KeyError(f"no sheet {sheet!r} (has {names})")
    rel_id = chosen.get(f"{_REL}id")
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iter(f"{_PKG_REL}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
    raise KeyError(f"sheet {chosen.get('name')!r} has no part in the workbook")


def _shared_strings(book: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in book.namelist():
        return []
    strings: list[str] = []
    with book.open("xl/sharedStrings.xml") as handle:
        for _, element in ElementTree.iterparse(handle):
            if element.tag == f"{_MAIN}si":
                strings.append(_text(element))
                element.clear()
    return strings


def read_sheet(path: Path, sheet: str | None = None) -> list[tuple[Any, ...]]:
    """Rows of one sheet (the first when sheet is None) as tuples of values, gaps as None.

    A file that is not a readable workbook, or has no such sheet, is a SourceError."""
    try:
        with zipfile.ZipFile(path) as book:
            part = _sheet_path(book, sheet)
            strings = _shared_strings(book)
            rows: list[tuple[Any, ...]] = []
            with book.open(part) as handle:
                for _, element in ElementTree.iterparse(handle):
                    if element.tag != f"{_MAIN}row":
                        continue
                    cells: dict[int, Any] = {}
                    for position, cell in enumerate(element.iter(f"{_MAIN}c")):
                        ref = cell.get("r")
                        column = _column_index(ref) if ref else position
                        cells[column] = _value(cell, strings)
                    row_number = int(element.get("r", len(rows) + 1))
                    while len(rows) < row_number - 1:
                        rows.append(())  # rows the sheet leaves out are empty
                    width = max(cells) + 1 if cells else 0
                    rows.append(tuple(cells.get(i) for i in range(width)))
                    element.clear()
            # Writers other than Excel leave trailing empty cells out: pad to the sheet's width.
            width = max((len(r) for r in rows), default=0)
            return [r + (None,) * (width - len(r)) for r in rows]
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, ValueError) as exc:
        raise SourceError(
            f"{path.name}: not a readable .xlsx workbook ({exc}).",
            "Restore the pinned upstream file (see data/sources.yml).",
        ) from exc


def _value(cell: ElementTree.Element, strings: list[str]) -> Any:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(f"{_MAIN}is")
        return _text(inline) if inline is not None else None
    raw = cell.findtext(f"{_MAIN}v")
    if raw is None:
        return None
    if kind == "s":
        return strings[int(raw)]
    if kind in ("str", "e"):
        return raw
    if kind == "b":
        return raw == "1"
    number = float(raw)
    return int(number) if number.is_integer() else number
