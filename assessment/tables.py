"""Spreadsheet-like tables in and out, safely (interim version; see tests/test_tables.py)."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO

from django.utils.translation import gettext as _

MAX_XLSX_ENTRIES = 1000
MAX_XLSX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_RATIO = 100
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class TableError(Exception):
    pass


def decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:  # e.g. an odd number of bytes
            raise TableError(_("The file could not be read as text: save it as CSV UTF-8 or GBK.")) from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError(_("The file could not be read as text: save it as CSV UTF-8 or GBK."))


def read_table(data: bytes, filename: str, *, max_bytes: int, max_rows: int) -> list[list[str]]:
    if len(data) > max_bytes:
        raise TableError(_("The file is larger than %(size)d MB.") % {"size": max_bytes // (1024 * 1024)})
    name = filename.lower()
    if name.endswith((".csv", ".txt")):
        text = decode_text(data)
        first = text.split("\n", 1)[0]
        delimiter = "\t" if "\t" in first and "," not in first else ","
        rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    elif name.endswith(".xlsx"):
        rows = _read_xlsx(data)
    else:
        raise TableError(_("Upload a CSV or XLSX file."))
    while rows and not any(rows[-1]):
        rows.pop()
    if len(rows) - 1 > max_rows:
        raise TableError(_("The file has more than %(rows)d rows: split it.") % {"rows": max_rows})
    return rows


def _read_xlsx(data: bytes) -> list[list[str]]:
    import openpyxl
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:
        raise RuntimeError("defusedxml must be installed to read XLSX files safely")
    unreadable = TableError(_("The XLSX file could not be read: save it again from Excel, or as CSV."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            total = sum(e.file_size for e in entries)
            if len(entries) > MAX_XLSX_ENTRIES or total > MAX_XLSX_UNCOMPRESSED:
                raise unreadable
            if any(e.compress_size and e.file_size / e.compress_size > MAX_RATIO for e in entries):
                raise unreadable
    except zipfile.BadZipFile:
        raise unreadable from None
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        finally:
            book.close()
    except Exception:
        raise unreadable from None


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value).strip()


def neutralise(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(rows: Iterable[Sequence[object]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow([neutralise(v) for v in row])


def xlsx_write(target: str | IO[bytes], sheets: Iterable[tuple[str, Iterable[Sequence[object]]]]) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    for title, rows in sheets:
        sheet = book.create_sheet(title=title[:31])
        for row in rows:
            sheet.append([neutralise(v) for v in row])
    book.save(target)
