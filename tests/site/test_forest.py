"""Forest plots: the SVG drawn from plain rows (one mark per row, at the right place on
the 0–100% axis, with its label), the same bytes every time, legible sizes, and the
plots on the built pages agreeing with the tables beside them."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from poemskb.sitenames import part_anchor
from poemskb.render.forest import PlotRow, forest_figure, forest_svg, legend

NS = {"svg": "http://www.w3.org/2000/svg"}


def _row(label, value, low=None, high=None, interval="none", n=10, group="Newly diagnosed", unverified=False):
    return PlotRow(label=label, value=value, low=low, high=high, interval=interval, n=n, design="Case series (level 4)",
                   line="newly diagnosed", follow_up="", group=group, unverified=unverified, value_text=f"{value}%")


ROWS = [
    _row("Study A · 5 years", 76.0, 64.0, 84.0, "reported", n=138),
    _row("Study B", 0.0, 0.0, 30.8, "computed", n=10),
    _row("Study C & <friends>", 100.0, None, None, "none", n=None, unverified=True),
    _row("Study D", 41.5, 20.1, 65.0, "computed", n=12, group="Relapsed or refractory"),
]


def _axis(svg: ET.Element) -> tuple[float, float]:
    """Where the axis puts 0% and 100%, read from its tick labels (not from our code)."""
    ticks = {int(t.get("data-percent")): float(t.get("x")) for t in svg.iter(f"{{{NS['svg']}}}text") if t.get("data-percent")}
    assert set(ticks) >= {0, 100}
    return ticks[0], ticks[100]


def marks(svg_text: str) -> list[dict]:
    """Each row's label, value, mark centre and interval line, parsed from the SVG."""
    svg = ET.fromstring(svg_text)
    x0, x100 = _axis(svg)
    out = []
    for g in svg.iter(f"{{{NS['svg']}}}g"):
        if "poems-forest__row" not in (g.get("class") or ""):
            continue
        rects = g.findall("svg:rect", NS)
        lines = g.findall("svg:line", NS)
        assert len(rects) == 1, "one mark per row"
        rect = rects[0]
        centre = float(rect.get("x")) + float(rect.get("width")) / 2
        out.append({"label": g.get("data-label"), "value": float(g.get("data-value")),
                    "percent": (centre - x0) / (x100 - x0) * 100, "texts": [t.text for t in g.findall("svg:text", NS)],
                    "line": [(float(l.get("x1")) - x0) / (x100 - x0) * 100 for l in lines[:1]] +
                            [(float(l.get("x2")) - x0) / (x100 - x0) * 100 for l in lines[:1]],
                    "dashed": bool(lines and lines[0].get("stroke-dasharray")),
                    "hollow": rect.get("fill") == "none"})
    return out


def test_one_mark_per_row_at_its_value_with_its_label_and_interval():
    found = marks(forest_svg(ROWS, "Overall survival", "forest-test"))
    assert [m["label"] for m in found] == [r.label for r in ROWS]
    for m, row in zip(found, ROWS):
        assert m["percent"] == pytest.approx(row.value, abs=0.05)
        assert any(row.label.split(" ·")[0] in (t or "") for t in m["texts"])
        if row.low is None:
            assert m["line"] == []
        else:
            assert m["line"] == [pytest.approx(row.low, abs=0.05), pytest.approx(row.high, abs=0.05)]
    # Computed intervals are drawn dashed, reported ones solid; unverified marks are hollow
    # and say so in words.
    assert [m["dashed"] for m in found[:2]] == [False, True]
    assert found[2]["hollow"] and any("unverified" in (t or "") for t in found[2]["texts"])


def test_rows_are_grouped_by_population_with_a_heading_per_group():
    svg = ET.fromstring(forest_svg(ROWS, "OS", "f"))
    groups = [t.text for t in svg.iter(f"{{{NS['svg']}}}text") if t.get("class") == "poems-forest__group"]
    assert groups == ["Newly diagnosed", "Relapsed or refractory"]


def test_the_plot_is_deterministic_small_themeable_and_legible():
    first, second = forest_svg(ROWS, "OS", "f"), forest_svg(list(ROWS), "OS", "f")
    assert first == second
    many = [_row(f"Study {i} · a fairly long arm label that will be shortened to fit", i % 101, n=i) for i in range(60)]
    big = forest_svg(many, "OS", "f")
    assert len(big.encode()) < 40_000  # tens of KB at most, even with 60 rows
    svg = ET.fromstring(first)
    # Colours come from the page (currentColor), so the plot follows the light and dark scheme.
    assert svg.get("fill") == "currentColor"
    assert not re.search(r'(fill|stroke)="#', first), "a fixed colour would vanish in one of the schemes"
    sizes = [float(t.get("font-size") or svg.get("font-size")) for t in svg.iter(f"{{{NS['svg']}}}text")]
    assert min(sizes) >= 12  # user units; 440 wide, so about 10 px on a 390 px phone
    assert "&lt;friends&gt;" in first  # labels are escaped


def test_the_figure_carries_a_table_and_says_what_it_leaves_out():
    html = forest_figure(ROWS, 3, "Overall survival", "forest-os", "generated/comparison.md")
    assert html.count("<tr>") == len(ROWS) + 1  # header + one per row
    assert "3 figures for this measure on another scale" in html
    assert 'href="../methods.html#forest-plots"' in legend("generated/comparison.md")


# The plots on the built site -------------------------------------------------------------------
def _plots(tree):
    for figure in tree.find_all("figure", class_="poems-forest"):
        yield figure


def _svg_source(html: str, ident: str) -> str:
    match = re.search(rf'<figure class="poems-forest" id="{re.escape(ident)}".*?(<svg.*?</svg>)', html, re.S)
    assert match, ident
    return match.group(1)


@pytest.mark.slow
def test_every_built_plot_matches_its_table(built, kb):
    pages = ["generated/forest-plots.html"] + [f"generated/regimens/{rid}.html" for rid in kb.regimens]
    checked = 0
    for url in pages:
        html = built.html(url)
        tree = built.page(url)
        for figure in _plots(tree):
            ident = figure.attrs["id"]
            found = marks(_svg_source(html, ident))
            table = tree.by_id(part_anchor(ident, "table"))
            rows = list(table.find("tbody").iter("tr"))
            assert len(found) == len(rows) > 0, (url, ident)
            for mark, row in zip(found, rows):
                assert mark["label"] == row.find("th").text().strip(), (url, ident)
                value = next(row.iter("td")).attrs["data-sort"]  # the table's own figure
                assert mark["percent"] == pytest.approx(float(value), abs=0.05), (url, ident, mark["label"])
            assert len(_svg_source(html, ident).encode()) < 60_000, (url, ident)
            checked += 1
    assert checked >= 8, "the key outcomes' plots page has a plot per key outcome with proportions"
