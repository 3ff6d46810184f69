"""Make bot/fonts/PartnerbotSansCJKsc-Regular.otf, the font charts draw names with.

A subset of Noto Sans CJK SC Regular 2.004 (SIL Open Font License 1.1, bot/fonts/OFL.txt):
Latin, general punctuation, CJK symbols and punctuation, kana, bopomofo, full-width forms
and every CJK Unified Ideograph of the basic block (U+4E00-U+9FFF), without the vertical
metrics and layout tables that matplotlib does not use; renamed, as the licence asks of a
modified version. The source is Debian's fonts-noto-cjk (NotoSansCJK-Regular.ttc, face 2):

    apt-get download fonts-noto-cjk && dpkg-deb -x fonts-noto-cjk_*.deb noto
    python tools/subset_cjk_font.py noto/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

FAMILY = "Partnerbot Sans CJK SC"
POSTSCRIPT = "PartnerbotSansCJKsc-Regular"
OUT = Path(__file__).resolve().parent.parent / "bot" / "fonts" / f"{POSTSCRIPT}.otf"
SC_FACE = 2  # the face of Noto Sans CJK SC in the collection
RANGES = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1
    (0x2000, 0x206F),  # general punctuation: “ ” — …
    (0x3000, 0x30FF),  # CJK symbols and punctuation, hiragana, katakana
    (0x3100, 0x312F),  # bopomofo
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xFF00, 0xFFEF),  # full-width and half-width forms
)


def main(source: str) -> None:
    """Subset face SC_FACE of the collection at source into OUT."""
    font = TTCollection(source).fonts[SC_FACE]
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.drop_tables += ["vhea", "vmtx", "VORG", "BASE", "GDEF", "GPOS", "GSUB"]
    options.name_IDs = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[cp for low, high in RANGES for cp in range(low, high + 1)])
    subsetter.subset(font)
    names = font["name"]
    for name_id, value in ((1, FAMILY), (3, f"2.004;{POSTSCRIPT}"), (4, FAMILY), (6, POSTSCRIPT)):
        names.setName(value, name_id, 3, 1, 0x409)
        names.setName(value, name_id, 1, 0, 0)
    for name_id in (16, 17, 21, 22):  # typographic family names would keep "Noto Sans CJK SC"
        names.removeNames(nameID=name_id)
    cff = font["CFF "].cff
    cff.fontNames = [POSTSCRIPT]
    top = cff.topDictIndex[0]
    for key, value in (("FullName", FAMILY), ("FamilyName", FAMILY)):
        if hasattr(top, key):
            setattr(top, key, value)
    font.save(OUT)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(font.getGlyphOrder())} glyphs)")


if __name__ == "__main__":
    main(sys.argv[1])
