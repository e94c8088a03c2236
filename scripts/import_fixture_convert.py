"""Has LibreOffice Calc make the import fixtures from their sources (tests/bulk/fixtures/README.md).

Each source (UTF-8, tab-separated) is opened as a person opens a text file in Calc: Chinese
language, "quoted field as text", "detect special numbers" (30% becomes a percent cell holding
0.3, 1,200 the number 1200). Cells typed with thousands separators then get the #,##0 format, and
whole percentages 0%, which is what Calc and Excel give a cell typed that way. The sheet is then
saved as the fixture: XLSX, CSV in code page 936 (Excel's "CSV (逗号分隔)" on Chinese Windows),
or UTF-16 text with tabs (Excel's "Unicode 文本"), cells as shown.

LibreOffice on Linux ends CSV lines with LF; Excel on Windows writes CRLF between rows and LF
inside a quoted cell, so line ends outside quotes are made CRLF afterwards.

Run with a Python that has LibreOffice's uno module (Debian: python3-uno, /usr/bin/python3):
    /usr/bin/python3 scripts/import_fixture_convert.py
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "bulk" / "fixtures"
SOURCE = FIXTURES / "source"

CSV_FILTER = "Text - txt - csv (StarCalc)"
XLSX_FILTER = "Calc MS Excel 2007 XML"
ZH_CN = 2052  # language of the import: what number formats the cells are read with
# Import: tab, ", UTF-8 (76), from line 1, no column types, zh-CN, quoted field as text, detect special numbers.
OPEN_OPTIONS = f"9,34,76,1,,{ZH_CN},true,true"
# Export: separator, ", character set, -, -, zh-CN, quote only where needed, -, save cell contents as shown.
MS_936, UCS2 = 61, 65535
GBK_CSV = f"44,34,{MS_936},1,,{ZH_CN},false,false,true"
UNICODE_TEXT = f"9,34,{UCS2},1,,{ZH_CN},false,false,true"

# (source, fixture, filter, options, encoding of the text written, or None for XLSX)
JOBS = [
    ("members-excel.tsv", "members-excel-gbk.csv", CSV_FILTER, GBK_CSV, "gbk"),
    ("members-calc.tsv", "members-libreoffice.xlsx", XLSX_FILTER, "", None),
    ("members-unicode.tsv", "members-unicode.txt", CSV_FILTER, UNICODE_TEXT, "utf-16"),
    ("errors.tsv", "errors-excel-gbk.csv", CSV_FILTER, GBK_CSV, "gbk"),
    ("errors.tsv", "errors-libreoffice.xlsx", XLSX_FILTER, "", None),
]

THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.(\d+))?")
WHOLE_PERCENT = re.compile(r"\d+%")


def props(**values: object) -> tuple:
    found = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name, prop.Value = name, value
        found.append(prop)
    return tuple(found)


def source_fields(path: Path) -> list[list[tuple[str, bool]]]:
    """The source's cells as (text, was quoted), read the way Calc's text import reads them."""
    rows: list[list[tuple[str, bool]]] = []
    text = path.read_text(encoding="utf-8")
    row: list[tuple[str, bool]] = []
    i = 0
    while i < len(text):
        if text[i] == '"':
            j, value = i + 1, []
            while True:
                if text[j] == '"' and text[j + 1 : j + 2] == '"':
                    value.append('"')
                    j += 2
                elif text[j] == '"':
                    break
                else:
                    value.append(text[j])
                    j += 1
            row.append(("".join(value), True))
            i = j + 1
        else:
            end = min((k for k in (text.find("\t", i), text.find("\n", i)) if k != -1), default=len(text))
            row.append((text[i:end], False))
            i = end
        if i < len(text) and text[i] == "\t":
            i += 1
        elif i < len(text) and text[i] == "\n":
            rows.append(row)
            row = []
            i += 1
    if row:
        rows.append(row)
    return rows


def format_typed_numbers(doc, fields: list[list[tuple[str, bool]]]) -> int:
    """#,##0 for numbers typed with thousands separators, 0% for whole percentages; how many cells."""
    formats, locale = doc.NumberFormats, uno.createUnoStruct("com.sun.star.lang.Locale")
    locale.Language, locale.Country = "zh", "CN"

    def key(code: str) -> int:
        found = formats.queryKey(code, locale, False)
        return found if found != -1 else formats.addNew(code, locale)

    sheet, changed = doc.Sheets.getByIndex(0), 0
    for r, row in enumerate(fields):
        for c, (text, quoted) in enumerate(row):
            if quoted:
                continue
            thousands = THOUSANDS.fullmatch(text)
            code = None
            if thousands:
                code = "#,##0" + ("." + "0" * len(thousands.group(3)) if thousands.group(3) else "")
            elif WHOLE_PERCENT.fullmatch(text):
                code = "0%"
            if code is None:
                continue
            cell = sheet.getCellByPosition(c, r)
            if cell.getType().value != "VALUE":
                raise SystemExit(f"{text!r} at row {r + 1}, column {c + 1} was not read as a number")
            cell.NumberFormat = key(code)
            changed += 1
    return changed


def excel_line_ends(path: Path, encoding: str) -> None:
    """CRLF between rows, LF kept inside quoted cells, as Excel writes them."""
    raw = path.read_bytes()
    bom = raw.startswith(b"\xff\xfe")
    text = raw.decode("utf-16" if bom else encoding)
    out, quoted = [], False
    for char in text:
        if char == '"':
            quoted = not quoted
        out.append("\r\n" if char == "\n" and not quoted else char)
    data = "".join(out).encode("utf-16-le" if bom else encoding)
    path.write_bytes((b"\xff\xfe" if bom else b"") + data)


def connect(pipe: str):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(150):
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:  # NoConnectException until soffice listens
            time.sleep(0.2)
    raise SystemExit("LibreOffice did not start")


def main() -> None:
    soffice = shutil.which("soffice") or sys.exit("soffice not found: apt-get install libreoffice-calc-nogui")
    with tempfile.TemporaryDirectory() as profile:
        pipe = f"import_fixtures_{Path(profile).name}"
        office = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                soffice,
                "--headless",
                "--invisible",
                "--norestore",
                "--nologo",
                "--nodefault",
                f"-env:UserInstallation={Path(profile).as_uri()}",
                f"--accept=pipe,name={pipe};urp;",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            context = connect(pipe)
            desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
            for source, fixture, filter_name, options, encoding in JOBS:
                url = uno.systemPathToFileUrl(str(SOURCE / source))
                doc = desktop.loadComponentFromURL(
                    url, "_blank", 0, props(FilterName=CSV_FILTER, FilterOptions=OPEN_OPTIONS, Hidden=True)
                )
                try:
                    formatted = format_typed_numbers(doc, source_fields(SOURCE / source))
                    target = FIXTURES / fixture
                    store = {"FilterName": filter_name, **({"FilterOptions": options} if options else {})}
                    doc.storeToURL(uno.systemPathToFileUrl(str(target)), props(**store))
                finally:
                    doc.close(True)
                if encoding:
                    excel_line_ends(target, encoding)
                print(f"{fixture}: from source/{source}, {formatted} cells given #,##0 or 0%")
            # The office may drop the connection while it quits.
            with contextlib.suppress(Exception):
                desktop.terminate()
        finally:
            try:
                office.wait(timeout=60)
            except subprocess.TimeoutExpired:
                office.kill()
                office.wait()


if __name__ == "__main__":
    main()
