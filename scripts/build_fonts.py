"""Build the report fonts: Noto Sans CJK SC cut into three small files per weight.

Why three files: WeasyPrint subsets each embedded font but keeps glyph ids, so every
embedded font carries a few bytes for each glyph id below the highest one used. One
GB2312-wide file (13,600 glyphs) cost about 40 KB per weight in every PDF before a single
glyph was drawn. Cut by how often a report needs them:

- ReportSans: Latin, punctuation and every character of our own texts (questionnaire,
  translations, templates), in every report;
- ReportSans2: the rest of GB2312 level 1 (the common characters), for names and notes;
- ReportSans3: the rest of GB2312 (level 2), rarer characters in names.

ReportSans2 and ReportSans3 also carry the spaces (see SPACES).

Within a file, glyphs are ordered by use and their CIDs renumbered 1, 2, 3..., so a report
touches low glyph ids only. report.css lists the files in that order; characters beyond
GB2312 fall back to a full CJK system font (fonts-noto-cjk). Vertical forms are left out:
the report is set horizontally.

Source: Debian's fonts-noto-cjk (SIL Open Font License 1.1). Run after changing texts:
    .venv/bin/python scripts/build_fonts.py
"""

import contextlib
import io
import re
import shutil
import tempfile
from collections import Counter
from functools import cache
from pathlib import Path

from fontTools import subset
from fontTools.pens.recordingPen import RecordingPen
from fontTools.ttLib import TTCollection, TTFont
from fontTools.ttLib.tables import otTables

ROOT = Path(__file__).resolve().parents[1]
SOURCE = Path("/usr/share/fonts/opentype/noto")
OUT = ROOT / "static" / "fonts"
WEIGHTS = ("Regular", "Bold")
# locl gives Chinese text its full-width dashes and quotes and English its Latin digits and
# ellipsis; vertical and width variants are left out: the report is set horizontally.
FEATURES = ["kern", "liga", "ccmp", "locl"]


def gb2312(rows: range) -> set[int]:
    chars = set()
    for high in rows:
        for low in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(ord(bytes([high, low]).decode("gb2312")))
    return chars


TEXTS = ("assessment/content/*.yaml", "locale/*/LC_MESSAGES/*.po", "templates/**/*.html")


@cache
def own_frequencies() -> Counter:
    """How often each character occurs in our own texts: questionnaire, translations, templates."""
    return Counter(ord(c) for pattern in TEXTS for path in ROOT.glob(pattern) for c in path.read_text(encoding="utf-8"))


def text_characters() -> set[int]:
    """Every character of our own texts."""
    return set(own_frequencies())


def own_texts() -> set[int]:
    chars = set(range(0x20, 0x7F)) | set(range(0xA0, 0x180))
    chars |= set(range(0x2010, 0x2070)) | {0x2190, 0x2192, 0x2713, 0x2714, 0x25CF, 0x25CB, 0x25A1, 0x2610}
    chars |= set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    chars |= gb2312(range(0xA1, 0xB0))  # symbols, full-width forms, kana rows: small
    return {c for c in chars | text_characters() if c >= 0x20}


# Pango never changes fonts for a space (nor for format characters, which HarfBuzz hides
# with the space glyph): a space typed after a character of ReportSans2 is drawn with
# ReportSans2, so every file needs one, or the space comes out as a missing glyph. Other
# spaces (thin, narrow no-break) HarfBuzz draws with U+0020; these the source has itself.
# Punctuation, digits and Latin need no copy: Pango picks them from the first file listed.
SPACES = {0x20, 0xA0, 0x2002, 0x2003, 0x3000}


def tiers() -> dict[str, set[int]]:
    first = own_texts()
    level1 = gb2312(range(0xB0, 0xD8)) - first
    level2 = gb2312(range(0xD8, 0xF8)) - first - level1
    return {"ReportSans": first, "ReportSans2": level1 | SPACES, "ReportSans3": level2 | SPACES}


def source_font(weight: str) -> TTFont:
    """The Simplified Chinese face of Debian's Noto Sans CJK collection."""
    collection = TTCollection(str(SOURCE / f"NotoSansCJK-{weight}.ttc"))
    return next(f for f in collection.fonts if f["name"].getDebugName(1) == "Noto Sans CJK SC")


def build(name: str, weight: str, unicodes: set[int], out: Path) -> Path:
    font = source_font(weight)
    options = subset.Options()
    options.layout_features = FEATURES
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False  # WeasyPrint drops hints when it embeds the font anyway
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    font = sequential_cids(font, frequent_first(font, own_frequencies()))
    path = out / f"{name}-{weight}.otf"
    font.recalcTimestamp = False  # the same texts give the same files
    font.save(str(path))
    check_outlines(TTFont(str(path)), weight, unicodes)
    return path


def frequent_first(font: TTFont, counts: Counter) -> list[str]:
    """Glyph order with what our texts use most first: a report then uses low glyph ids
    only, and the embedded font's per-id overhead stops at the highest one used.

    A character's glyph ranks by the character's count in our texts (plus one, so every
    character comes before glyphs no text reaches); a glyph substituted for others (a
    Simplified Chinese or Latin local form, a ligature) ranks like what it replaces. Forms
    for Japanese, Korean and Traditional Chinese text rank last.
    """
    rank: dict[str, int] = {}
    for code, name in font.getBestCmap().items():
        rank[name] = max(rank.get(name, 0), counts[code] + 1)
    lookups = lookups_applied(font)
    for _ in range(3):  # substitutions of substitutions
        for sources, target in substitutions(lookups):
            rank[target] = max(rank.get(target, 0), min(rank.get(name, 0) for name in sources))
    order = font.getGlyphOrder()
    return [order[0], *sorted(order[1:], key=lambda name: -rank.get(name, 0))]


def lookups_applied(font: TTFont) -> list:
    """GSUB lookups HarfBuzz applies to our text: default language systems, and ZHS."""
    gsub = font["GSUB"].table
    indices: set[int] = set()
    for record in gsub.ScriptList.ScriptRecord:
        systems = [record.Script.DefaultLangSys]
        systems += [lang.LangSys for lang in record.Script.LangSysRecord if lang.LangSysTag == "ZHS "]
        for system in filter(None, systems):
            for index in system.FeatureIndex:
                indices.update(gsub.FeatureList.FeatureRecord[index].Feature.LookupListIndex)
    return [gsub.LookupList.Lookup[index] for index in sorted(indices)]


def substitutions(lookups: list):
    """(glyphs replaced, glyph drawn instead) for single, multiple and ligature lookups."""
    for lookup in lookups:
        for table in lookup.SubTable:
            table = getattr(table, "ExtSubTable", table)
            if isinstance(table, otTables.SingleSubst):
                yield from (((source,), target) for source, target in table.mapping.items())
            elif isinstance(table, otTables.MultipleSubst):
                for source, targets in table.mapping.items():
                    yield from (((source,), target) for target in targets)
            elif isinstance(table, otTables.LigatureSubst):
                for first, ligatures in table.ligatures.items():
                    yield from (((first, *lig.Component), lig.LigGlyph) for lig in ligatures)


def sequential_cids(font: TTFont, order: list[str]) -> TTFont:
    """Put the glyphs in `order` and renumber their CIDs 1, 2, 3... (they keep the source
    font's CIDs, up to 65,000). WeasyPrint's embedded subset keeps a charset entry per glyph
    id; with sequential CIDs that is one range instead of two bytes per glyph id."""
    font.reorderGlyphs(order)
    mapping = {name: f"cid{gid:05d}" for gid, name in enumerate(font.getGlyphOrder()) if name.startswith("cid")}
    # The XML carries each glyph's font dict index, so the FDSelect is rebuilt in the new order.
    xml = io.StringIO()
    font.saveXML(xml)
    renamed = TTFont()
    renamed.importXML(io.StringIO(re.sub(r"\bcid\d{5}\b", lambda m: mapping[m.group(0)], xml.getvalue())))
    return renamed


def check_outlines(font: TTFont, weight: str, unicodes: set[int]) -> None:
    """Every character draws exactly as in the source font, with the same advance."""
    source = source_font(weight)
    src_cmap, new_cmap = source.getBestCmap(), font.getBestCmap()
    src_glyphs, new_glyphs = source.getGlyphSet(), font.getGlyphSet()
    for code in sorted(unicodes & src_cmap.keys()):
        old, new = RecordingPen(), RecordingPen()
        src_glyphs[src_cmap[code]].draw(old)
        new_glyphs[new_cmap[code]].draw(new)
        assert old.value == new.value, f"U+{code:04X} draws differently"
        assert source["hmtx"][src_cmap[code]][0] == font["hmtx"][new_cmap[code]][0], f"U+{code:04X} width"


if __name__ == "__main__":
    # Built aside and swapped in at the end: a failed check leaves the shipped fonts alone.
    with tempfile.TemporaryDirectory(dir=OUT) as scratch:
        built = [build(name, weight, chars, Path(scratch)) for name, chars in tiers().items() for weight in WEIGHTS]
        for old in OUT.glob("*.otf"):
            old.unlink()
        for path in built:
            print(f"static/fonts/{path.name}: {path.stat().st_size / 1024:.0f} KB")
            shutil.move(path, OUT / path.name)
