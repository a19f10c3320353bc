"""What a county map shows: the view (the lon/lat box it zooms to) and the county names.

A map built once holds the geometry of every county it may show; each restyle
shows some of them (a city inside its province, a province inside China).
:func:`show_area` zooms the map to those counties and writes their names when
few are shown. The zoom is computed here, from each county's bounding box,
instead of plotly's ``fitbounds="locations"``, which makes plotly.js measure the
geometry of every shown county again at each redraw (all China: about 0.1 s of
every repaint in the browser).

The positions of the names and the boxes of the counties are kept in the names
trace's ``meta`` (Python only: :class:`toolkit.widgets.mapwidget.MapWidget`
does not send them to the page).

Example
-------
>>> import plotly.graph_objects as go
>>> from toolkit import geo
>>> g = geo.read_counties(city="长治")
>>> fig = go.Figure([go.Choropleth(), name_labels(g)])
>>> show_area(fig, ["140403", "140404"])
>>> list(fig.data[1].text)
['潞州区', '上党区']
>>> fig.layout.geo.fitbounds, [round(v, 2) for v in fig.layout.geo.lonaxis.range]
(False, [112.95, 113.22])
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import plotly.graph_objects as go
import shapely

#: A map writes county names when it shows at most this many counties.
MAX_NAMED = 15
#: The margin around the shown counties, as a share of their extent on each side
#: (as plotly pads a fitted view).
PAD = 0.05
#: The maps' right margin (pixels), room for their colour bar (≈75-100 px wide with its labels).
#: plotly.js widens a smaller margin to fit the bar, but only after a first drawing, and then
#: draws the whole map again (all China: ≈0.07 s of the first map).
COLORBAR_MARGIN = 120
FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


def county_bounds(gdf: gpd.GeoDataFrame) -> dict[str, list[float]]:
    """Each county's box ``[west, south, east, north]`` (degrees, 4 decimals), by adcode.

    >>> from toolkit import geo
    >>> county_bounds(geo.read_counties(city="长治"))["140403"]
    [112.9875, 36.1234, 113.2056, 36.438]
    """
    boxes = np.round(shapely.bounds(gdf.geometry.values), 4).tolist()
    return dict(zip(gdf["adcode"].astype(str), boxes, strict=True))


def set_view(fig: go.Figure, box: Sequence[float], pad: float = PAD) -> None:
    """Zoom ``fig``'s geo subplot to ``box`` (west, south, east, north) plus ``pad`` of margin.

    >>> fig = go.Figure(go.Choropleth())
    >>> set_view(fig, (110.0, 30.0, 112.0, 31.0))
    >>> fig.layout.geo.lonaxis.range, fig.layout.geo.lataxis.range
    ((109.9, 112.1), (29.95, 31.05))
    """
    west, south, east, north = (float(v) for v in box)
    dx = max(east - west, 0.01) * pad
    dy = max(north - south, 0.01) * pad
    fig.update_geos(
        fitbounds=False,
        lonaxis_range=[round(west - dx, 4), round(east + dx, 4)],
        lataxis_range=[round(south - dy, 4), round(north + dy, 4)],
    )


def fit_view(fig: go.Figure, adcodes: Sequence[str]) -> None:
    """Zoom ``fig`` to the counties ``adcodes`` (all its counties if none of them is known).

    Needs the boxes :func:`name_labels` keeps; a figure without them keeps its view.
    """
    boxes = _meta(fig).get("bounds")
    if not boxes:
        return
    shown = [boxes[a] for a in adcodes if a in boxes] or list(boxes.values())
    arr = np.asarray(shown, dtype=float)
    set_view(fig, (arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max()))


def show_names(fig: go.Figure, adcodes: Sequence[str]) -> None:
    """Write the names of ``adcodes`` on the map's names trace (none when more than MAX_NAMED)."""
    pos = _meta(fig).get("positions")
    if pos is None:
        return
    shown = [pos[a] for a in adcodes if a in pos]
    shown = shown if len(shown) <= MAX_NAMED else []
    fig.data[1].lon = [p[0] for p in shown]
    fig.data[1].lat = [p[1] for p in shown]
    fig.data[1].text = [p[2] for p in shown]


def show_area(fig: go.Figure, adcodes: Sequence[str]) -> None:
    """Zoom to ``adcodes`` and write their names when few (:func:`fit_view`, :func:`show_names`)."""
    fit_view(fig, adcodes)
    show_names(fig, adcodes)


def name_labels(gdf: gpd.GeoDataFrame, *, names: bool = True) -> go.Scattergeo:
    """County names at a point inside each county, shown by :func:`show_area`.

    Its ``meta`` keeps each county's name position and box (by adcode) for
    :func:`show_names` and :func:`fit_view`; the trace must be the figure's second.
    ``names=False`` keeps the boxes only: the map zooms but writes no names.
    """
    positions = {}
    if names:
        pts = gdf.geometry.representative_point()
        positions = {
            a: [round(p.x, 4), round(p.y, 4), n]
            for a, p, n in zip(gdf["adcode"].astype(str), pts, gdf["name"], strict=True)
        }
    return go.Scattergeo(
        lon=[], lat=[], text=[], mode="text", name="names",
        meta={"positions": positions, "bounds": county_bounds(gdf)},
        textfont=dict(size=11, color="#212529", family=FONT), hoverinfo="skip", showlegend=False,
    )  # fmt: skip


def _meta(fig: go.Figure) -> dict:
    """The names trace's ``meta`` ({} for a figure without one)."""
    if len(fig.data) < 2 or fig.data[1].name != "names" or not isinstance(fig.data[1].meta, dict):
        return {}
    return fig.data[1].meta
