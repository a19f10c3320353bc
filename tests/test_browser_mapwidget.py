"""The map widget's page side (mapwidget.js) in Chromium, with no server: a figure whose only
change is its counties' values is repainted without plotly.js's full redraw, and paints what
that redraw would have (``Plotly.newPlot`` of the same figure is the known answer); any other
change is redrawn by ``Plotly.react``.

The module is imported into a blank page with the vendored plotly.js bundle, and rendered
with a stand-in for the widget's model holding the traits :class:`MapWidget` sends.
"""

from __future__ import annotations

import base64

import pandas as pd
import pytest

from toolkit import geo, maps
from toolkit.testing import MAP_FILLS, hover_text
from toolkit.widgets.mapwidget import BUNDLE, MapWidget

pytestmark = pytest.mark.browser

#: imports the module, renders it with a stand-in model (``window.setTraits`` changes traits as
#: the kernel would); every Plotly.react is counted in ``window.reacts``
RENDER = """async ([esm, traits]) => {
  const mod = await import('data:text/javascript;base64,' + esm);
  const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const handlers = {};
  window.sent = [];
  window.reacts = 0;
  const react = Plotly.react;
  Plotly.react = function (...a) { window.reacts++; return react.apply(this, a); };
  window.traits = { ...traits, geo_shape: new DataView(bytes(traits.geo_shape).buffer),
                    geo_coords: new DataView(bytes(traits.geo_coords).buffer) };
  window.setTraits = (changed) => {
    Object.assign(window.traits, changed);
    for (const k of Object.keys(changed)) for (const f of handlers['change:' + k] ?? []) f();
  };
  const model = { get: (k) => window.traits[k], off: () => {}, send: (m) => window.sent.push(m),
                  on: (e, f) => (handlers[e] ??= []).push(f) };
  await mod.default.render({ model, el: document.getElementById('el') });
}"""

ALL = ["revision", "traces_json", "plot_layout", "config", "geo_ids", "geo_shape", "geo_coords"]


def traits(widget: MapWidget, names: list[str]) -> dict:
    out = {n: getattr(widget, n) for n in names}
    for n in ("geo_shape", "geo_coords"):
        if n in out:
            out[n] = base64.b64encode(out[n]).decode()
    return out


def shown(page, widget: MapWidget, names=("revision", "traces_json", "plot_layout")) -> None:
    """Send the widget's traits to the page; wait until it reports the figure drawn."""
    page.evaluate("t => window.setTraits(t)", traits(widget, list(names)))
    page.wait_for_function(
        "r => window.sent.some((m) => m.event === 'drawn' && m.revision === r)",
        arg=widget.revision, timeout=30_000,
    )  # fmt: skip


@pytest.fixture
def blank(page):
    page.set_content('<div id="el" style="width: 900px"></div>')
    page.add_script_tag(path=str(BUNDLE))
    return page


def test_new_values_are_repainted_in_place_and_anything_else_redrawn(blank):
    page = blank
    g = geo.read_counties(city="长治")
    rows = g[["adcode", "name"]].reset_index(drop=True)
    a = rows.assign(value=[0.30 + 0.05 * i for i in range(len(rows))])
    b = rows.assign(value=[0.85 - 0.05 * i for i in range(len(rows))])
    fig = maps.share_map(g, a, target=0.6, title="公办园占比（2024年）")
    widget = MapWidget(config=maps.PLOT_CONFIG)
    widget.show(fig)
    esm = base64.b64encode(widget._esm.encode()).decode()
    page.evaluate(RENDER, [esm, traits(widget, ALL)])
    page.wait_for_function("() => window.sent.some((m) => m.event === 'drawn')", timeout=30_000)
    assert page.evaluate("window.reacts") == 1
    before, _ = page.evaluate(MAP_FILLS)[:2]
    first = rows["adcode"][0]
    assert f"{rows['name'][0]}：30.0%" in hover_text(page, first)

    # another year: new values and hover text, a new title; the same counties and colour range
    maps.restyle_share(fig, b, target=0.6)
    fig.layout.title.text = "公办园占比（2023年）"
    widget.show(fig)
    shown(page, widget)
    assert page.evaluate("window.reacts") == 1  # no full redraw
    fills, redrawn = page.evaluate(MAP_FILLS)[:2]
    assert len(fills) == 12 and fills == redrawn and fills != before
    assert page.locator(".gtitle", has_text="2023年").count() == 1
    assert f"{rows['name'][0]}：85.0%" in hover_text(page, first)
    assert page.evaluate("document.querySelector('.js-plotly-plot').data[0].z[0]") == 0.85

    # a county's value missing: plotly.js leaves its path empty (no location), so it redraws
    maps.restyle_share(fig, b.assign(value=[None] + b["value"].tolist()[1:]), target=0.6)
    widget.show(fig)
    shown(page, widget)
    assert page.evaluate("window.reacts") == 2
    fills, redrawn = page.evaluate(MAP_FILLS)[:2]
    assert first not in fills and len(set(fills) - {"null"}) == 11 and fills == redrawn

    # another colour range (a new target) is redrawn; then values again are repainted in place
    maps.restyle_share(fig, b, target=0.8)
    widget.show(fig)
    shown(page, widget)
    assert page.evaluate("window.reacts") == 3
    maps.restyle_share(fig, a, target=0.8)
    widget.show(fig)
    shown(page, widget)
    assert page.evaluate("window.reacts") == 3
    fills, redrawn = page.evaluate(MAP_FILLS)[:2]
    assert len(fills) == 12 and fills == redrawn


def test_a_status_map_repaints_its_statuses_and_hover_rows_in_place(blank):
    page = blank
    g = geo.read_counties(city="长治")
    rows = g[["adcode", "name"]].reset_index(drop=True)
    a = rows.assign(status=["达标"] * 6 + ["未达标"] * 6)
    b = a.assign(status=["未达标"] * 6 + ["达标"] * 6)
    fig = maps.status_map(g, a)
    widget = MapWidget(config=maps.PLOT_CONFIG)
    widget.show(fig)
    esm = base64.b64encode(widget._esm.encode()).decode()
    page.evaluate(RENDER, [esm, traits(widget, ALL)])
    page.wait_for_function("() => window.sent.some((m) => m.event === 'drawn')", timeout=30_000)
    first = rows["adcode"][0]
    assert "状态：达标" in hover_text(page, first)
    maps.restyle_status(fig, b)
    widget.show(fig)
    shown(page, widget)
    assert page.evaluate("window.reacts") == 1
    fills, redrawn = page.evaluate(MAP_FILLS)[:2]
    assert fills == redrawn
    orange = maps.STATUS_COLORS["未达标"]  # plotly.js writes it as rgb(…)
    assert fills[first] == "rgb({}, {}, {})".format(*bytes.fromhex(orange[1:]))
    assert "状态：未达标" in hover_text(page, first)
    assert pd.Series(fills).nunique() == 2
