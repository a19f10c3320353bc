"""The picture of a dashboard's first view (toolkit.widgets.preview), checked against known answers."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from toolkit import geo, maps
from toolkit.widgets import kindergartens_dashboard, preview, special_education_dashboard


def square(adcode: str, west: float, south: float, size: float) -> dict:
    ring = [[west, south], [west + size, south], [west + size, south + size], [west, south + size]]
    return {"type": "Feature", "properties": {"adcode": adcode},
            "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}}  # fmt: skip


def merc(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


GEO = {"type": "FeatureCollection", "features": [square("a", 0, 0, 1), square("b", 1, 0, 1)]}
VIEW = {"geo": {"lonaxis": {"range": [0, 2]}, "lataxis": {"range": [0, 1]}}}


def paths(svg: str) -> list[tuple[str, str]]:
    return re.findall(r'<path fill="([^"]+)" d="([^"]+)"/>', svg)


def test_counties_are_projected_as_plotly_does_mercator_fitted_to_the_view():
    trace = {"type": "choropleth", "locations": ["a", "b"], "z": [0, 1], "zmin": 0, "zmax": 1,
             "colorscale": [[0, "#000000"], [1, "#ffffff"]]}  # fmt: skip
    svg = preview.map_svg(GEO, [trace], VIEW)
    # 2° of longitude are 1000 units; 1° of latitude, in Mercator, a little more than 500
    height = round(merc(1) / math.radians(2) * 1000)
    assert height == 500 and f'viewBox="0 0 1000 {height}"' in svg
    (fill_a, d_a), (fill_b, d_b) = paths(svg)
    assert (fill_a, fill_b) == ("#000000", "#ffffff")
    assert d_a == f"M0 {height}l500 0 0 -{height} -500 0z"  # "z" draws the last side
    assert d_b == f"M500 {height}l500 0 0 -{height} -500 0z"


def test_colours_follow_the_colour_scale_and_counties_without_value_or_shape_are_handled():
    scale = [[0, "#000000"], [0.5, "rgb(255, 0, 0)"], [1, "#fff"]]
    assert preview.scale_color(0.25, scale, 0, 1) == "#800000"  # halfway from black to red
    assert preview.scale_color(0.75, scale, 0, 1) == "#ff8080"
    assert preview.scale_color(-5, scale, 0, 1) == "#000000"  # clipped, as plotly clips
    assert preview.scale_color(float("nan"), scale, 0, 1) == preview.NO_VALUE
    # a continuous scale is drawn in 256 steps: a colour moves at most 1/512 of the scale
    assert preview._step(0.5, 0, 1) == 0.5 and preview._step(None, 0, 1) is None
    assert 0 < abs(preview._step(0.123, 0, 1) - 0.123) <= 1 / 512
    # no zmin/zmax: the values' own range, 1 to 2
    trace = {"type": "choropleth", "locations": ["a", "gone", "b"], "z": [None, 1, 2],
             "colorscale": scale}  # fmt: skip
    fills = [f for f, _ in paths(preview.map_svg(GEO, [trace], VIEW))]
    assert fills == [preview.NO_VALUE, "#ffffff"]  # "gone" has no shape: not drawn


def test_the_status_scale_gives_each_status_its_colour():
    one = pd.DataFrame({"adcode": ["140403"], "status": ["达标"]})
    fig = maps.status_map(geo.read_counties(city="长治"), one)
    trace = fig.data[0]
    for code, status in enumerate(maps.STATUSES):
        got = preview.scale_color(code, trace.colorscale, trace.zmin, trace.zmax)
        assert got == maps.STATUS_COLORS[status]


@pytest.mark.parametrize("make", [special_education_dashboard, kindergartens_dashboard])
def test_a_dashboards_picture_shows_its_banner_heading_and_every_county_of_the_first_view(make):
    page = make()
    html = page.preview()
    assert "示例数据（模拟）" in html and page.heading.value in html
    trace, geometry = page.map.traces[0], page.map.geojson
    assert len(trace["locations"]) == 33
    # each county's rings, in the path of its colour (one path per colour)
    svg = preview.map_svg(geometry, [trace], page.map.plot_layout)
    assert svg in html
    x0, y1, k = _frame(page.map.plot_layout)
    shapes = {f["properties"]["adcode"]: f["geometry"] for f in geometry["features"]}
    rings: dict[str, int] = {}
    for adcode, z in zip(trace["locations"], trace["z"], strict=True):
        step = preview._step(z, trace["zmin"], trace["zmax"])
        fill = preview.scale_color(step, trace["colorscale"], trace["zmin"], trace["zmax"])
        d = preview._path(preview._rings(shapes[adcode]), x0, y1, k)
        assert d in dict(paths(svg))[fill]
        rings[fill] = rings.get(fill, 0) + d.count("M")
    assert {fill: d.count("M") for fill, d in paths(svg)} == rings
    assert len(rings) > 1


def _frame(layout: dict) -> tuple[float, float, float]:
    """The left edge, the top and the units per radian of the picture of ``layout``'s view."""
    (west, east), (_, north) = layout["geo"]["lonaxis"]["range"], layout["geo"]["lataxis"]["range"]
    return math.radians(west), merc(north), preview.UNITS / math.radians(east - west)


def test_the_picture_is_displayed_in_voila_only(monkeypatch):
    import IPython.display

    page = special_education_dashboard()
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: shown.append(obj))
    monkeypatch.delenv("VOILA_KERNEL_ID", raising=False)
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    page._ipython_display_()
    assert shown == [page.view]  # JupyterLab: the widgets only
    shown.clear()
    monkeypatch.setenv("VOILA_KERNEL_ID", "k")
    page._ipython_display_()
    assert shown[1] is page.view and set(shown[0]) == {preview.MIME, "text/plain"}
    assert 'id="kuoyou-preview"' in shown[0][preview.MIME]


# --- in Voila, the first view's tables follow its map --------------------------------------------
@pytest.fixture
def in_voila(monkeypatch):
    monkeypatch.setenv("VOILA_KERNEL_ID", "k")


def first_tables(page) -> dict[str, str]:
    return page.panels_html(page.result)


@pytest.mark.parametrize("event", ["drawn", "failed"])
def test_the_first_tables_are_sent_once_the_page_has_drawn_the_map_or_failed_to(in_voila, event):
    page = kindergartens_dashboard()
    expected = first_tables(page)
    assert len(expected) >= 3 and all(expected.values())
    assert all(getattr(page, name).value == "" for name in expected)  # not in the first state
    assert "kuoyou-loading" in page.loading.value
    page.map._handle_message(page.map, {"event": event, "revision": page.map.revision}, [])
    assert {name: getattr(page, name).value for name in expected} == expected
    assert page.loading.value == ""


def test_a_control_changed_before_the_map_is_drawn_sends_the_first_tables_then_its_own(in_voila):
    page = special_education_dashboard()
    expected = first_tables(page)
    assert page.summary.value == page.table.value == ""
    page._safe(page._on_click)("140403")  # a county clicked: the detail panel, not the tables
    assert (page.summary.value, page.table.value) == (expected["summary"], expected["table"])
    assert "潞州区" in page.detail.value


def test_outside_voila_the_tables_come_with_the_first_state(monkeypatch):
    monkeypatch.delenv("VOILA_KERNEL_ID", raising=False)
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    page = special_education_dashboard()
    assert page.summary.value == first_tables(page)["summary"] and page.loading.value == ""
