"""Spreadsheet-like tables in and out, safely: uploads (CSV/TXT/XLSX) for imports, streamed CSV/XLSX exports."""

from __future__ import annotations

import csv
import datetime
import io
import re
import shutil
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import PurePath
from typing import IO, Any

from django.utils.translation import gettext as _

# openpyxl is imported where a workbook is read or written, not here: every process imports
# this module (through the URLs), and openpyxl costs a fifth of a second to import.

MB = 1024 * 1024
# The control characters XML 1.0 forbids, as openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE has them
# (tests/bulk check the two agree): no cell of ours may hold one, in XLSX or CSV.
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
# An XLSX is a zip: these bound what openpyxl may inflate, whatever the upload size. A real
# workbook has a few dozen entries; the ratio limit is Apache POI's default (1%).
MAX_XLSX_ENTRIES = 1000
MAX_XLSX_UNCOMPRESSED = 100 * MB
MAX_RATIO = 100
# The import template has about 60 columns; the cap stops a cell at column XFD from making
# every row 16,384 cells wide (cheap to write, costly to read).
MAX_COLUMNS = 500
# What Excel/LibreOffice treat as the start of a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SHEET_TITLE_MAX = 31  # Excel's limit; longer titles make Excel "repair" the file


class TableError(Exception):
    """The file as a whole is unusable; str(error) is the message to show the user."""


def decode_text(data: bytes) -> str:
    """The text of an uploaded CSV, decoded by a fixed rule (never guessed per file).

    UTF-16 only with a BOM (Excel's "Unicode text"); else UTF-8 (BOM optional); else GB18030,
    a superset of GBK, which is what Excel writes for "CSV" on Chinese Windows.
    """
    unreadable = _("The file could not be read as text: save it as CSV UTF-8 or GBK.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)  # the codec reads the BOM for the byte order
    else:
        data = data.removeprefix(b"\xef\xbb\xbf")
        encodings = ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:  # e.g. UTF-16 with an odd number of bytes
            continue
        # Text never holds NUL: this is a binary file, UTF-16 without BOM, or UTF-32.
        if "\x00" in text:
            raise TableError(unreadable)
        return text.removeprefix("\ufeff")  # GB18030 has a BOM too
    raise TableError(unreadable)


def read_table(data: bytes, filename: str, *, max_bytes: int, max_rows: int) -> list[list[str]]:
    """The rows of the first sheet as stripped strings, row 0 being the header; TableError if unusable.

    Rows end at their last cell, as in CSV. Empty rows at the end are dropped (Excel keeps
    formatted ones); those in between stay, as [], so row numbers match the user's sheet.
    """
    if len(data) > max_bytes:  # first, before any decoding or unzipping work
        raise TableError(_("The file is larger than %(size)d MB.") % {"size": max_bytes // MB})
    extension = PurePath(filename.strip()).suffix.lower()  # "" for "csv", unlike split(".")
    if extension in (".csv", ".txt"):
        text = decode_text(data)
        first_line = text.partition("\n")[0].partition("\r")[0]
        delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
        # newline="" lets the csv module handle \r\n, lone \r and line breaks inside quotes.
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            return _collect(reader, max_rows)
        except csv.Error:  # e.g. a field over csv.field_size_limit()
            raise TableError(
                _("The CSV file could not be read near line %(line)d: save it again from Excel.")
                % {"line": reader.line_num}
            ) from None
    if extension == ".xlsx":
        return _read_xlsx(data, max_rows)
    raise TableError(_("Upload a CSV or XLSX file."))


def _collect(rows: Iterable[Sequence[object]], max_rows: int) -> list[list[str]]:
    """Rows converted to strings, stopping as soon as the row limit is passed (bounded memory)."""
    table: list[list[str]] = []
    pending = 0  # empty rows not yet kept: they are dropped if no non-empty row follows
    for raw in rows:
        if len(raw) > MAX_COLUMNS:
            tail = raw[MAX_COLUMNS:]
            # Counting is done in C: a padded tail of empty cells costs almost nothing.
            if tail.count(None) + tail.count("") != len(tail):
                raise TableError(_("The file has more than %(columns)d columns.") % {"columns": MAX_COLUMNS})
            raw = raw[:MAX_COLUMNS]
        cells = [_cell_text(value) for value in raw]
        if not any(cells):
            pending += 1
            continue
        if len(table) + pending > max_rows:  # rows after the header, once this one is added
            raise TableError(_("The file has more than %(rows)d rows: split it.") % {"rows": max_rows})
        table.extend([] for _ in range(pending))
        pending = 0
        table.append(cells)
    return table


def _cell_text(value: object) -> str:
    """A cell as the user sees it: 3 not 3.0, dates in ISO format, empty for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Percent):
        return _cell_text(float(format(value, ".13g"))) + "%"  # 0.3 * 100 is 30.000000000000004
    if isinstance(value, float):
        # 15 significant digits is what Excel shows, so 0.1 + 0.2 reads back as 0.3.
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date().isoformat()  # Excel has no date type: a date is a midnight datetime
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value).strip()


class Percent(float):
    """A number cell shown as a percentage: Excel stores 30% as 0.3, the user typed 30."""


# Parts of a number format that are shown as they are: quoted text ("%" shows a literal sign),
# an escaped character (\%) and bracketed codes such as LibreOffice's locale tag [$-804] or [Red].
FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def is_percent_format(code: str) -> bool:
    """Whether a number format multiplies by 100 and shows %: 0%, 0.00%, LibreOffice's [$-804]0%."""
    return "%" in FORMAT_LITERALS.sub("", code)


def _xlsx_value(cell: Any) -> object:
    value = cell.value
    if (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and is_percent_format(getattr(cell, "number_format", "") or "")
    ):
        return Percent(value * 100)
    return value


def _read_xlsx(data: bytes, max_rows: int) -> list[list[str]]:
    import openpyxl
    import openpyxl.xml.functions

    # Without defusedxml openpyxl parses with the standard library (entity expansion allowed).
    if not openpyxl.xml.DEFUSEDXML or not openpyxl.xml.functions.iterparse.__module__.startswith("defusedxml"):
        raise RuntimeError("defusedxml must be installed (see requirements.txt) to read XLSX files safely")
    unreadable = _("The XLSX file could not be read: save it again from Excel, or as CSV.")
    # Zip-bomb checks on the central directory, before anything is inflated.
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception:  # BadZipFile and the odd ValueError/OSError from a mangled archive
        raise TableError(unreadable) from None
    with archive:
        entries = [e for e in archive.infolist() if not e.is_dir()]
        if (
            len(entries) > MAX_XLSX_ENTRIES
            or sum(e.file_size for e in entries) > MAX_XLSX_UNCOMPRESSED
            or any(e.file_size > MAX_RATIO * max(e.compress_size, 1) for e in entries)
            # bzip2/LZMA are inflated without an output bound; Excel only uses these two.
            or any(e.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for e in entries)
        ):
            raise TableError(unreadable)
        # The sizes above can be forged: zipfile then stops at the declared size, but only
        # after inflating a whole read() (openpyxl reads most parts at once). Copying in small
        # chunks into an uncompressed archive bounds that work, and openpyxl reads only the copy.
        clean = io.BytesIO()
        try:
            with zipfile.ZipFile(clean, "w", zipfile.ZIP_STORED) as copy:
                for entry in entries:
                    with archive.open(entry) as source, copy.open(entry.filename, "w") as target:
                        shutil.copyfileobj(source, target, 64 * 1024)
        except Exception:  # a bad CRC, an encrypted entry, a truncated stream
            raise TableError(unreadable) from None
    try:
        book = openpyxl.load_workbook(clean, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types (KeyError, ValueError, defusedxml's, ...)
        raise TableError(unreadable) from None
    try:
        sheet = book.worksheets[0]
        # The <dimension> element is written by the sender: trusting it could make openpyxl
        # yield a million padded empty rows. Without it, rows are only as long as their cells.
        sheet.reset_dimensions()
        return _collect((tuple(_xlsx_value(cell) for cell in row) for row in sheet.iter_rows()), max_rows)
    except TableError:
        raise
    except Exception:  # cells are parsed lazily, so a bad sheet only fails here
        raise TableError(unreadable) from None
    finally:
        book.close()  # read-only mode keeps the archive open until closed


def neutralise(value: object) -> object:
    """A cell safe to export: text a spreadsheet would run as a formula gets a leading '.

    Control characters are removed first and the check made after, so a value such as
    "\x01=WEBSERVICE(...)" cannot shed its first character later and become a formula.
    Numbers are returned as they are, so they stay numeric cells; None becomes "", anything else text.
    """
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)):  # bool included: never a formula
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return "'" + text if text.startswith(FORMULA_START) else text


def safe_row(row: Iterable[object]) -> list[object]:
    """Every cell of an exported row neutralised: what CSV exports and manifests write."""
    return [neutralise(value) for value in row]


class _Echo:
    """A file-like object whose write() returns the line: csv.writer then yields, not stores."""

    def write(self, value: str) -> str:
        return value


def csv_stream(rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """CSV text for StreamingHttpResponse, one chunk per row, pulling rows only as needed."""
    writer = csv.writer(_Echo())
    yield "\ufeff"  # without a BOM, Excel reads UTF-8 as the local code page (GBK in China)
    for row in rows:
        yield writer.writerow(safe_row(row))


def xlsx_write(path_or_file: str | IO[bytes], sheets: Iterable[tuple[str, Iterable[Sequence[object]]]]) -> None:
    """An XLSX with one sheet per (title, rows), streamed in openpyxl's constant-memory mode."""
    import openpyxl
    from openpyxl.cell.cell import WriteOnlyCell

    book = openpyxl.Workbook(write_only=True)
    used: set[str] = set()
    for title, rows in sheets:
        sheet = book.create_sheet(title=_sheet_title(title, used))
        for row in rows:
            sheet.append([_xlsx_cell(WriteOnlyCell, sheet, value) for value in row])
    if not used:
        book.create_sheet(title="Sheet")  # a workbook without sheets does not open in Excel
    book.save(path_or_file)


def _xlsx_cell(cell_class: Any, sheet: Any, value: object) -> object:
    if value is None:
        return None  # a truly empty cell, not an empty string (which COUNTA would count)
    value = neutralise(value)
    if not isinstance(value, str):
        return value
    # Always a string cell: openpyxl would otherwise write any text that starts with "=" as a
    # formula. Excel caps a cell at 32,767 characters.
    cell = cell_class(sheet, value[:32767])
    cell.data_type = "s"
    return cell


def _sheet_title(title: str, used: set[str]) -> str:
    """A title Excel accepts: no []:*?/\\, no leading/trailing ', at most 31 characters, unique."""
    clean = "".join("_" if c in "[]:*?/\\" else c for c in str(title)).strip("' ") or "Sheet"
    candidate, number = clean[:SHEET_TITLE_MAX], 1
    while candidate.lower() in used:  # Excel compares titles case-insensitively
        number += 1
        candidate = f"{clean[: SHEET_TITLE_MAX - len(str(number)) - 3]} ({number})"
    used.add(candidate.lower())
    return candidate
