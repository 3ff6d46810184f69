"""The fonts charts write partners' names in: DejaVu Sans (matplotlib's own) for Latin and
most scripts, then a CJK font shipped here for Chinese, glyph by glyph.

The CJK font is a subset of Noto Sans CJK SC (SIL Open Font License 1.1, see OFL.txt
beside this file; tools/subset_cjk_font.py made it): Latin, punctuation, kana, bopomofo
and every CJK Unified Ideograph of the basic block, U+4E00 to U+9FFF.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.font_manager import FontProperties

CJK_FONT_FILE = Path(__file__).with_name("PartnerbotSansCJKsc-Regular.otf")
CJK_FAMILY = "Partnerbot Sans CJK SC"
# The order matplotlib tries fonts in for each character.
FAMILIES = ("DejaVu Sans", CJK_FAMILY)

_lock = threading.Lock()
_registered = False


def chart_font(size: float | None = None, families: tuple[str, ...] = FAMILIES) -> FontProperties:
    """Font properties for text that may hold a partner's name, in any thread."""
    from matplotlib.font_manager import FontProperties

    _register()
    return FontProperties(family=list(families), size=size)


def _register() -> None:
    """Make the shipped CJK font known to matplotlib, once per process."""
    global _registered
    with _lock:  # charts are drawn in worker threads, several at once
        if not _registered:
            from matplotlib.font_manager import fontManager

            fontManager.addfont(str(CJK_FONT_FILE))
            _registered = True
