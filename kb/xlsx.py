"""Read the cell values of one worksheet of an .xlsx file.

python-calamine (a Rust reader) is used instead of openpyxl: on the two BLS workbooks it is
about 14x faster (0.03 s against 0.4 s for Table 1.7), and the xlsx files were the slowest part
of `kb build`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook, WorksheetNotFound

from kb.errors import SourceError

RESTORE_HINT = "Restore the pinned upstream file (see data/sources.yml)."


def read_sheet(path: Path, sheet: str | None = None) -> list[tuple[Any, ...]]:
    """Rows of one sheet (the first when sheet is None) as tuples of values, empty cells as None.

    A file that is not a readable workbook, or has no such sheet, is a SourceError."""
    book = _open(path)
    try:
        found = book.get_sheet_by_index(0) if sheet is None else book.get_sheet_by_name(sheet)
        rows = found.to_python(skip_empty_area=False)
    except WorksheetNotFound as exc:
        raise SourceError(
            f"{path.name}: no sheet '{sheet}' (it has {', '.join(book.sheet_names)}).", RESTORE_HINT
        ) from exc
    except CalamineError as exc:
        raise SourceError(
            f"{path.name}: not a readable .xlsx workbook ({exc}).", RESTORE_HINT
        ) from exc
    # Empty cells as None, whole numbers as int (employment '280' rather than 280.0); inline
    # because it runs once per cell (150,000 in O*NET's task statements).
    return [
        tuple(
            None
            if value == ""
            else int(value)
            if isinstance(value, float) and value.is_integer()
            else value
            for value in row
        )
        for row in rows
    ]


def _open(path: Path) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError) as exc:
        raise SourceError(
            f"{path.name}: not a readable .xlsx workbook ({exc}).", RESTORE_HINT
        ) from exc
