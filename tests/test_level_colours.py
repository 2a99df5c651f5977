"""The levels' colours are defined once, in selfdiag/levels.py: the SVG charts and the Excel fills
read them from there, and the stylesheets of the pages and the PDF repeat the same values."""

import re
from pathlib import Path

import pytest

from reports import deficits, svg
from selfdiag.levels import LEVEL_FILL, LEVEL_INK, LEVEL_PALETTE, LEVEL_SHORT
from selfdiag.methodology import LEVELS

CSS = Path(__file__).resolve().parent.parent / "static" / "css"
_VARIABLE = re.compile(r"(--[\w-]+)\s*:\s*([^;]+);")
_RULE = re.compile(r"(?m)^\s*\.level-(\w+)\s*\{([^}]*)\}")


def _hex(value: str) -> str:
    """«#fff» and «#FFFFFF» as «#ffffff»."""
    value = value.strip().lower()
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        value = "#" + "".join(digit * 2 for digit in value[1:])
    return value


def level_colours(text: str) -> dict[str, tuple[str, str]]:
    """{level code: (background, color)} from the `.level-<code>` rules of a stylesheet, with
    var(--x) resolved from its custom properties."""
    variables = dict(_VARIABLE.findall(text))

    def resolve(value: str) -> str:
        found = re.fullmatch(r"\s*var\((--[\w-]+)\)\s*", value)
        return _hex(variables[found.group(1)] if found else value)

    colours = {}
    for code, body in _RULE.findall(text):
        if code not in LEVELS:
            continue
        declarations = {
            key.strip(): value for key, value in re.findall(r"([\w-]+)\s*:\s*([^;]+)", body)
        }
        colours[code] = (resolve(declarations["background"]), resolve(declarations["color"]))
    return colours


def test_every_level_has_a_fill_an_ink_and_a_short_name():
    assert list(LEVEL_FILL) == list(LEVEL_INK) == list(LEVEL_SHORT) == list(LEVELS)
    assert [code for code, _, _ in LEVEL_PALETTE] == list(LEVELS)


@pytest.mark.parametrize("stylesheet", ["portal.css", "print-reports.css"])
def test_stylesheet_colours_the_levels_as_python_does(stylesheet):
    expected = {code: (_hex(LEVEL_FILL[code]), _hex(LEVEL_INK[code])) for code in LEVELS}
    assert level_colours((CSS / stylesheet).read_text(encoding="utf-8")) == expected


def test_the_reader_sees_a_colour_changed_in_a_variable_or_a_rule():
    text = (CSS / "portal.css").read_text(encoding="utf-8")
    assert level_colours(text)["base"] == ("#f0a330", "#1b2430")
    changed = text.replace("--level-base: #f0a330;", "--level-base: #FA0;")
    assert level_colours(changed)["base"] == ("#ffaa00", "#1b2430")
    changed = text.replace(".level-high { background: var(--level-high); color: #fff; }", "")
    assert "high" not in level_colours(changed)


def test_svg_and_excel_take_their_colours_from_the_levels():
    assert svg.LEVEL_PALETTE is LEVEL_PALETTE
    for code in LEVELS:
        assert deficits.LEVEL_FILLS[code].fgColor.rgb.endswith(LEVEL_FILL[code][1:].upper())
        assert deficits.LEVEL_FONTS[code].color.rgb.endswith(LEVEL_INK[code][1:].upper())
