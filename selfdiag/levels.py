"""How the four levels look: colours and the abbreviations printed beside them.

The one source for every picture of a level: the SVG charts (reports/svg.py), the Excel fills
(reports/deficits.py) and, through the same values in CSS, the pages and the PDF. portal.css
(`--level-*`, `.level-*`) and print-reports.css (`.level-*`) repeat these values because CSS
cannot read Python; tests/test_level_colours.py keeps them equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from selfdiag.methodology import BASE, BELOW_BASE, HIGH, LEVELS, MEDIUM

#: The background of a level: a cell of the map, a segment of a bar, a badge.
LEVEL_FILL: Mapping[str, str] = MappingProxyType(
    {BELOW_BASE: "#c93a3a", BASE: "#f0a330", MEDIUM: "#7dbb57", HIGH: "#2a7f4f"}
)
#: Text drawn on a level's colour, readable on it.
LEVEL_INK: Mapping[str, str] = MappingProxyType(
    {BELOW_BASE: "#ffffff", BASE: "#1b2430", MEDIUM: "#1b2430", HIGH: "#ffffff"}
)
#: The abbreviation a cell prints beside its colour, for grey-scale print and colour blindness.
LEVEL_SHORT: Mapping[str, str] = MappingProxyType(
    {BELOW_BASE: "НБ", BASE: "Б", MEDIUM: "С", HIGH: "В"}
)
#: (code, label, fill) in the order of the levels, for legends.
LEVEL_PALETTE: tuple[tuple[str, str, str], ...] = tuple(
    (code, label, LEVEL_FILL[code]) for code, label in LEVELS.items()
)
