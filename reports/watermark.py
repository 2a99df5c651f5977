"""The «ПРОЕКТ» mark drawn across every page of a plan that is not approved yet.

It is drawn as outlines (SVG paths made from the bundled bold font with fontTools), not as text:
a PDF reader's text layer, copy-and-paste and a screen reader must not meet stray letters of it
between the rows of the table.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.ttLib import TTFont

WATERMARK_TEXT = "ПРОЕКТ"
FONT_FILE = "LiberationSerif-Bold.ttf"
LETTER_SPACING = 0.15  # of the em
# WeasyPrint does not apply the page's CSS inside an inline SVG: the colour is set on the SVG.
COLOUR = "#be0000"
OPACITY = "0.12"


def outline_svg(text: str = WATERMARK_TEXT) -> SafeString:
    """An inline <svg> whose paths spell `text` in the bundled bold serif, one em high."""
    return _outline_svg(Path(settings.BASE_DIR) / "static" / "fonts" / FONT_FILE, text)


@lru_cache(maxsize=4)
def _outline_svg(font_path: Path, text: str) -> SafeString:
    font = TTFont(font_path)
    glyph_set = font.getGlyphSet()
    cmap = font.getBestCmap()
    units = font["head"].unitsPerEm
    ascent, descent = font["hhea"].ascent, font["hhea"].descent
    paths, x = [], 0
    for char in text:
        name = cmap.get(ord(char))
        if name is None:
            raise ValueError(f"{FONT_FILE} has no glyph for {char!r}")
        pen = SVGPathPen(glyph_set)
        glyph_set[name].draw(pen)
        # Font units grow upwards; SVG's y grows downwards: flip around the baseline.
        paths.append(
            f'<path transform="translate({x} {ascent}) scale(1 -1)" d="{pen.getCommands()}"/>'
        )
        x += glyph_set[name].width + round(units * LETTER_SPACING)
    width = x - round(units * LETTER_SPACING)
    height = ascent - descent
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'fill="{COLOUR}" fill-opacity="{OPACITY}" aria-hidden="true">{"".join(paths)}</svg>'
    )
