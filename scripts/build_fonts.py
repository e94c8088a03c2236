"""Build the report fonts: Noto Sans CJK SC subset to GB2312 plus punctuation and Latin.

A pre-subset font keeps PDFs small and fast (WeasyPrint then subsets a 3 MB font, not a
20 MB collection). Rare characters outside the subset (some names) fall back to a full
CJK system font when one is installed.

Source: Debian's fonts-noto-cjk (SIL Open Font License 1.1). Run:
    .venv/bin/python scripts/build_fonts.py
"""

import contextlib
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parents[1]
SOURCE = Path("/usr/share/fonts/opentype/noto")
OUT = ROOT / "static" / "fonts"


def gb2312() -> set[int]:
    chars = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(ord(bytes([high, low]).decode("gb2312")))
    return chars


def wanted() -> set[int]:
    chars = gb2312()
    chars |= set(range(0x20, 0x7F)) | set(range(0xA0, 0x180))
    chars |= set(range(0x2010, 0x2070)) | {0x2190, 0x2192, 0x2713, 0x2714, 0x25CF, 0x25CB, 0x2610}
    chars |= set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    # Every character our own texts use, so the subset never misses one of them.
    for pattern in ("assessment/content/*.yaml", "locale/*/LC_MESSAGES/*.po", "templates/**/*.html"):
        for path in ROOT.glob(pattern):
            chars |= {ord(c) for c in path.read_text(encoding="utf-8")}
    return {c for c in chars if c >= 0x20}


def build(weight: str) -> Path:
    collection = TTCollection(str(SOURCE / f"NotoSansCJK-{weight}.ttc"))
    font = next(f for f in collection.fonts if f["name"].getDebugName(1) == "Noto Sans CJK SC")
    options = subset.Options()
    options.layout_features = ["kern", "liga", "locl", "vert", "palt", "halt"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted())
    subsetter.subset(font)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"NotoSansSC-GB-{weight}.otf"
    font.save(str(path))
    return path


if __name__ == "__main__":
    for weight in ("Regular", "Bold"):
        path = build(weight)
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size / 1024:.0f} KB")
