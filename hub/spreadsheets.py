"""Every spreadsheet the project writes or reads passes through here (CSV and .xlsx).

Writing: a cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be
taken for a formula by Excel or WPS (``=cmd|' /C calc'!A0``, ``=HYPERLINK(...)``), and names and texts
come from people and from teachers' code. In .xlsx such a cell is written as a string cell with Excel's
quote prefix (the text is kept exactly, and stays text even when someone edits the cell); in CSV, which
has no types, it is written with a leading apostrophe, as OWASP advises. ``write_csv``, ``write_xlsx``
and ``frames_xlsx`` are the only writers; ``tests/unit/test_export_formulas.py`` fails when a module of
the project writes a spreadsheet any other way.

Reading: a workbook is a zip archive, so 1 MB can unpack to gigabytes and hold a million rows. Before
anything is parsed, ``open_workbook`` adds up the sizes the archive declares for its members (Python's
``zipfile`` never unpacks more than a member declares) and refuses a file over ``MAX_FILE_BYTES`` or
``MAX_UNPACKED_BYTES``, then counts every sheet's rows and cells in its raw XML as it unpacks (fast,
nothing kept) and refuses more than ``MAX_ROWS`` rows or ``MAX_COLUMNS`` cells in a row; only then
does openpyxl open it, in read-only mode, and ``sheet_rows`` streams the rows. ``csv_rows`` caps the rows
of a CSV file the same way. Each refusal is a ``TableRefused`` whose Chinese message names the limit.
Importers stop checking after ``MAX_PROBLEMS`` problems and say there are more.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_FILE_BYTES = 20 * 2**20
MAX_UNPACKED_BYTES = 100 * 2**20
MAX_ROWS = 100_000
MAX_COLUMNS = 1_000
MAX_PROBLEMS = 100

TEXTS = {
    "file_too_big": "文件过大：{size_mb:.1f} MB，上限为 {limit_mb} MB",
    "unpacked_too_big": "工作簿解压后约 {size_mb:.0f} MB，超过上限 {limit_mb} MB（文件可能已损坏或被构造），未读取",
    "too_many_rows": "工作表“{sheet}”超过 {limit} 行的上限，未读取；请拆分成几个文件",
    "too_many_columns": "工作表“{sheet}”第 {row} 行超过 {limit} 列的上限，未读取",
    "more_problems": "问题已超过 {limit} 处，只列出前 {limit} 处，其余未检查；请改正后重新导入",
}


class TableRefused(ValueError):
    """A file over one of the limits; ``message`` is Chinese and names the limit."""

    def __init__(self, key: str, **values):
        self.message = TEXTS[key].format(**values)
        super().__init__(self.message)


# --- writing ----------------------------------------------------------------------------------------

def formula_like(value) -> bool:
    """True for text that a spreadsheet program would read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_text(value):
    """The value as a CSV cell: formula-like text gets a leading apostrophe, anything else is unchanged."""
    return "'" + value if formula_like(value) else value


def from_csv_text(value: str) -> str:
    """Undo ``csv_text`` for the project's own files read back (e.g. a grade export being imported)."""
    return value[1:] if value.startswith("'") and formula_like(value[1:]) else value


def write_csv(handle: IO[str], header: Iterable, rows: Iterable[Iterable]) -> None:
    """Header and rows to a text handle (opened with ``newline=""``), every cell formula-safe."""
    writer = csv.writer(handle)
    writer.writerow([csv_text(v) for v in header])
    writer.writerows([csv_text(v) for v in row] for row in rows)


def _xlsx_cell(sheet, value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if not formula_like(value):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"  # openpyxl made it a formula ("f") because of the leading "="
    cell.quotePrefix = True  # Excel keeps it text when the cell is edited
    return cell


def write_xlsx(target: str | Path | IO[bytes], sheets: dict[str, tuple[Iterable, Iterable[Iterable]]]) -> None:
    """A workbook with one sheet per ``{name: (header, rows)}``, streamed (write-only), every cell
    formula-safe; ``target`` is a path or a binary handle."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for name, (header, rows) in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append([_xlsx_cell(sheet, v) for v in header])
        for row in rows:
            sheet.append([_xlsx_cell(sheet, v) for v in row])
    book.save(target)


def frames_xlsx(target: str | Path | IO[bytes], frames: dict) -> None:
    """``write_xlsx`` for pandas DataFrames ``{sheet name: frame}`` (column titles as the header)."""
    write_xlsx(target, {name: ([str(c) for c in frame.columns],
                               (list(row) for row in frame.itertuples(index=False, name=None)))
                        for name, frame in frames.items()})  # fmt: skip


def xlsx_bytes(sheets: dict[str, tuple[Iterable, Iterable[Iterable]]]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets)
    return buffer.getvalue()


def docx_table(document, rows: Iterable[Iterable], style: str = "Table Grid"):
    """A table in a python-docx ``document`` (the guardian's copy, ``hub.guardian_copy``): every cell plain text
    (``cell.text`` writes a text run, never a field code such as a HYPERLINK field), so a cell that begins
    with ``=`` stays what it says. Returns the table."""
    rows = [[str(value) for value in row] for row in rows]
    table = document.add_table(rows=0, cols=max((len(row) for row in rows), default=1))
    table.style = style
    for row in rows:
        for cell, value in zip(table.add_row().cells, row, strict=False):
            cell.text = value
    return table


# --- reading ----------------------------------------------------------------------------------------

def check_file_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise TableRefused("file_too_big", size_mb=size / 2**20, limit_mb=MAX_FILE_BYTES // 2**20)


def open_workbook(source: str | Path, data: bytes | None = None):
    """A read-only openpyxl workbook of ``source`` (or of the uploaded ``data``), after the checks.

    Raises ``TableRefused`` over a limit; anything that is not a workbook raises what ``zipfile`` or
    openpyxl raise (``zipfile.BadZipFile``, ``KeyError``, ...), which callers report as unreadable. The
    sheets are counted before openpyxl opens the file: without a ``<dimension>`` element openpyxl parses
    every row of every sheet just to open the workbook."""
    from openpyxl import load_workbook

    handle = io.BytesIO(bytes(data)) if data is not None else Path(source).open("rb")
    try:
        check_file_size(handle.seek(0, io.SEEK_END))
        handle.seek(0)
        with zipfile.ZipFile(handle) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
            if unpacked > MAX_UNPACKED_BYTES:
                raise TableRefused("unpacked_too_big", size_mb=unpacked / 2**20,
                                   limit_mb=MAX_UNPACKED_BYTES // 2**20)  # fmt: skip
            for title, member in _sheet_members(archive):
                _count_sheet(archive, member, title)
        handle.seek(0)
        book = load_workbook(handle, read_only=True, data_only=True)
    except BaseException:
        handle.close()
        raise
    book._mentorhub_handle = handle  # kept open for the sheets' streaming reads; closed by close_workbook
    return book


def close_workbook(book) -> None:
    book.close()
    handle = getattr(book, "_mentorhub_handle", None)
    if handle is not None:
        handle.close()


_NS = {"main": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "pkg": "http://schemas.openxmlformats.org/package/2006/relationships"}  # fmt: skip
_SMALL_PART = 2**20  # a workbook.xml or its relationships are a few kilobytes


def _sheet_members(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet title, archive member) of every worksheet, from xl/workbook.xml and its relationships; when
    those cannot be read, every member of the archive (titled by its file name) is counted instead."""
    import xml.etree.ElementTree as ET

    sizes = {member.filename: member.file_size for member in archive.infolist()}
    everything = [(posixpath.basename(name), name) for name in sizes]
    workbook, rels = "xl/workbook.xml", "xl/_rels/workbook.xml.rels"
    if sizes.get(workbook, _SMALL_PART + 1) > _SMALL_PART or sizes.get(rels, _SMALL_PART + 1) > _SMALL_PART:
        return everything
    try:
        targets = {rel.get("Id"): rel.get("Target", "")
                   for rel in ET.fromstring(archive.read(rels)).iter(f"{{{_NS['pkg']}}}Relationship")}  # fmt: skip
        found = []
        for sheet in ET.fromstring(archive.read(workbook)).iter(f"{{{_NS['main']}}}sheet"):
            target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            found.append((sheet.get("name", path), path))
    except ET.ParseError:
        return everything
    return found if found and all(path in sizes for _, path in found) else everything


_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,30}:)?row[\s/>]")
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,30}:)?c[\s/>]")


def _count_sheet(archive: zipfile.ZipFile, member: str, title: str) -> None:
    """Count rows and cells per row in a sheet's XML as it unpacks (1 MB at a time, nothing kept);
    refuse past the limits."""
    rows = cells = 0
    carry = b""
    with archive.open(member) as stream:
        while True:
            chunk = stream.read(2**20)
            text = carry + chunk
            cut = text.rfind(b"<", max(len(text) - 64, 0)) if chunk else -1  # no tag is split between rounds
            cut = len(text) if cut < 0 else cut
            text, carry = text[:cut], text[cut:]
            first, *starts = _ROW.split(text)
            cells += len(_CELL.findall(first))
            for part in starts:
                rows, cells = rows + 1, len(_CELL.findall(part))
                if rows > MAX_ROWS:
                    raise TableRefused("too_many_rows", sheet=title, limit=MAX_ROWS)
                if cells > MAX_COLUMNS:
                    raise TableRefused("too_many_columns", sheet=title, row=rows, limit=MAX_COLUMNS)
            if cells > MAX_COLUMNS:
                raise TableRefused("too_many_columns", sheet=title, row=rows, limit=MAX_COLUMNS)
            if not chunk:
                return


def sheet_rows(book, sheet) -> Iterator[tuple]:
    """The sheet's rows as tuples of raw values, streamed; ``TableRefused`` past the row or cell limits
    (already counted by ``open_workbook``; counted again here, as openpyxl reads them)."""
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > MAX_ROWS:
            raise TableRefused("too_many_rows", sheet=sheet.title, limit=MAX_ROWS)
        if len(row) > MAX_COLUMNS:
            raise TableRefused("too_many_columns", sheet=sheet.title, row=number, limit=MAX_COLUMNS)
        yield row


def cell_text(value) -> str:
    """A cell as the text a person typed: whole numbers without ``.0``, dates as ``2012-09-01``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    return str(value).strip()


def csv_rows(text: str, name: str) -> Iterator[list[str]]:
    """Rows of CSV ``text`` (``name`` for messages), refused past ``MAX_ROWS`` rows or ``MAX_COLUMNS`` cells."""
    for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        if number > MAX_ROWS:
            raise TableRefused("too_many_rows", sheet=name, limit=MAX_ROWS)
        if len(row) > MAX_COLUMNS:
            raise TableRefused("too_many_columns", sheet=name, row=number, limit=MAX_COLUMNS)
        yield row


def more_problems_text() -> str:
    return TEXTS["more_problems"].format(limit=MAX_PROBLEMS)
