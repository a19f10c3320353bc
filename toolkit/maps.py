"""Plotly maps from (GeoDataFrame, values). No I/O, no widgets.

Maps use ``go.Choropleth`` on a plotly *geo* subplot with the base map hidden,
so nothing is fetched from the web: no tiles, no CDN. plotly.js still asks for
its world topojson unless :data:`PLOT_CONFIG` points it at an empty one, so
always show figures with ``config=PLOT_CONFIG`` (or use :func:`to_html`).

Geometry goes into the figure once (``geojson``). To show other values, other
counties or another city, change ``locations``, ``z`` and ``customdata`` with
:func:`restyle_status` — the geometry is never rebuilt; the map zooms to the
counties shown (:mod:`toolkit.mapview`: the view is computed here, not by
plotly's ``fitbounds`` in the browser).

Example
-------
>>> from toolkit import geo, maps
>>> import pandas as pd
>>> g = geo.read_counties(city="长治")
>>> st = pd.DataFrame({"adcode": g.adcode, "name": g.name, "status": "达标"})
>>> fig = maps.status_map(g, st, title="长治")
>>> fig.data[0].locations[0]
'140403'
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .formats import format_int, format_percent, in_language
from .geo import to_feature_collection
from .indicators import STATUS_EN, STATUSES
from .mapview import (  # noqa: F401 (re-exported: maps.name_labels, maps.show_names …)
    COLORBAR_MARGIN,
    FONT,
    MAX_NAMED,
    fit_view,
    name_labels,
    set_view,
    show_area,
    show_names,
)

#: An empty topojson as a data: URL. plotly.js loads it instead of its world map
#: from the CDN, so geo maps render offline.
OFFLINE_TOPOJSON_URL = (
    "data:application/json,"
    + urllib.parse.quote('{"type":"Topology","objects":{},"arcs":[]}')
    + "#"
)
#: Config for every figure shown: offline base map, no plotly logo or cloud links.
PLOT_CONFIG = {
    "topojsonURL": OFFLINE_TOPOJSON_URL,
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}
#: Status colours: blue meets, orange falls short, grey not applicable, light for no data
#: (blue/orange stays distinguishable with red-green colour blindness).
STATUS_COLORS = {
    STATUSES[0]: "#1c7ed6",
    STATUSES[1]: "#f76707",
    STATUSES[2]: "#adb5bd",
    STATUSES[3]: "#f1f3f5",
}


def with_geometry(fig: go.Figure, gdf: gpd.GeoDataFrame, trace: int = 0) -> go.Figure:
    """Give trace ``trace`` of ``fig`` the counties of ``gdf`` as its ``geojson``; returns ``fig``.

    Set on the built figure, not passed to the trace: ``go.Figure(trace)``
    deep-copies every property, and all China's geometry is some 100,000
    coordinate pairs (0.8 s of copying against 0.05 s).

    >>> from toolkit import geo
    >>> fig = with_geometry(go.Figure(go.Choropleth()), geo.read_counties(city="长治"))
    >>> len(fig.data[0].geojson["features"])
    12
    """
    fig.data[trace].geojson = to_feature_collection(gdf)
    return fig


def status_codes(status: pd.Series) -> np.ndarray:
    """Map status labels to 0..3 for a discrete colour scale (unknown → 数据缺失)."""
    lookup = {s: i for i, s in enumerate(STATUSES)}
    return status.map(lookup).fillna(len(STATUSES) - 1).astype(int).to_numpy()


def _discrete_scale(colors: Sequence[str]) -> list[list]:
    n = len(colors)
    scale = []
    for i, c in enumerate(colors):
        scale += [[i / n, c], [(i + 1) / n, c]]
    return scale


#: Columns shown on hover, in order: (column, Chinese label, English label, formatter).
HOVER_FIELDS = (
    ("name", "", "", str),
    ("population", "常住人口", "Population", lambda v: format_int(v, "人")),
    ("special_schools", "特殊教育学校", "Special schools", lambda v: format_int(v, "所")),
    ("special_classes", "特教班", "Special classes", lambda v: format_int(v, "个")),
    ("status", "状态", "Status", str),
    ("lacks", "缺口", "Lacks", lambda v: v or "—"),
)


def hover_data(
    result: pd.DataFrame, fields=HOVER_FIELDS, lang: str = "zh"
) -> tuple[np.ndarray, str]:
    """``customdata`` rows and a matching ``hovertemplate`` for a result table.

    ``lang="en"`` gives English labels and translates statuses and shortfalls.

    >>> r = pd.DataFrame({"name": ["叶县"], "status": ["达标"]})
    >>> data, template = hover_data(r, lang="en")
    >>> data[0].tolist(), "Status" in template
    (['叶县', 'meets'], True)
    """
    cols, parts = [], []
    for i, (col, zh, en, fmt) in enumerate(fields):
        if col not in result.columns:
            continue
        cols.append(
            result[col].map(lambda v, f=fmt: in_language(f(v), lang) if not _isna(v) else "—")
        )
        label = en if lang == "en" else zh
        n = len(cols) - 1
        parts.append(f"<b>%{{customdata[{n}]}}</b>" if i == 0 else f"{label}：%{{customdata[{n}]}}")
    data = np.column_stack(cols) if cols else np.empty((len(result), 0))
    return data, "<br>".join(parts) + "<extra></extra>"


def _isna(v: object) -> bool:
    return v is None or (not isinstance(v, str) and pd.isna(v))


def status_map(
    gdf: gpd.GeoDataFrame,
    result: pd.DataFrame,
    *,
    title: str = "",
    label: str = "",
    height: int = 560,
    names: bool = True,
    lang: str = "zh",
) -> go.Figure:
    """A county map coloured by status (达标/未达标/不适用/数据缺失; English with ``lang="en"``).

    ``gdf`` holds the geometry of every county the map may ever show (it is
    sent once); ``result`` the rows to colour now, with ``adcode``, ``status``
    and the hover columns. ``label`` is printed on the map (e.g. the
    示例数据（模拟） notice). ``names`` writes each county's name on the map
    whenever it shows at most :data:`MAX_NAMED` counties.

    >>> from toolkit import geo
    >>> g = geo.read_counties(city="长治")
    >>> fig = status_map(g, pd.DataFrame({"adcode": ["140403"], "status": ["未达标"]}))
    >>> int(fig.data[0].z[0])
    1
    """
    colors = [STATUS_COLORS[s] for s in STATUSES]
    trace = go.Choropleth(
        featureidkey="properties.adcode",
        locations=[],
        z=[],
        zmin=-0.5,
        zmax=len(STATUSES) - 0.5,
        colorscale=_discrete_scale(colors),
        marker_line_color="#495057",
        marker_line_width=0.6,
        colorbar=dict(
            tickvals=list(range(len(STATUSES))),
            ticktext=list(STATUSES),
            title=dict(text="状态"),
            len=0.6,
            thickness=16,
        ),
        name="status",
    )
    fig = with_geometry(go.Figure(trace), gdf)
    fig.add_trace(name_labels(gdf, names=names))  # also the counties' boxes: the view
    fig.update_geos(visible=False, projection_type="mercator")
    fig.update_layout(
        title=dict(text=title, x=0.01),
        height=height,
        margin=dict(l=0, r=COLORBAR_MARGIN, t=48 if title else 8, b=0),
        font=dict(family=FONT),
        paper_bgcolor="white",
    )
    if label:
        fig.add_annotation(
            text=label,
            x=0.01,
            y=0.01,
            xref="paper",
            yref="paper",
            showarrow=False,
            font=dict(color="#c92a2a", size=13),
            bgcolor="rgba(255,255,255,0.8)",
        )
    restyle_status(fig, result, lang=lang)
    return fig


def restyle_status(
    fig: go.Figure, result: pd.DataFrame, *, lang: str = "zh", hover: tuple | None = None
) -> None:
    """Recolour a :func:`status_map` in place for new results (no new geometry).

    Works on a ``go.Figure`` and on a ``go.FigureWidget`` (one batched update);
    ``lang`` sets the legend's and the hover's language; ``hover`` is
    :func:`hover_data` of ``result`` when the caller has it already.
    """
    custom, template = hover if hover is not None else hover_data(result, lang=lang)
    ticks = [STATUS_EN[s] for s in STATUSES] if lang == "en" else list(STATUSES)
    trace = fig.data[0]
    adcodes = result["adcode"].astype(str).tolist()
    with fig.batch_update() if isinstance(fig, go.FigureWidget) else nullcontext():
        trace.locations = np.asarray(adcodes, dtype=object)  # an array: see restyle_share
        trace.z = status_codes(result["status"])
        trace.customdata = custom
        trace.hovertemplate = template
        if list(trace.colorbar.ticktext or ()) != ticks:
            trace.colorbar.ticktext = ticks
            trace.colorbar.title.text = "Status" if lang == "en" else "状态"
        show_area(fig, adcodes)


def value_map(
    gdf: gpd.GeoDataFrame,
    values: pd.Series,
    *,
    title: str = "",
    colorscale: str = "Blues",
    label: str = "",
    hover_name: pd.Series | None = None,
    height: int = 600,
) -> go.Figure:
    """A numeric county choropleth: ``values`` indexed by adcode.

    Used for the national map; hover text is the name and the value.

    >>> from toolkit import geo
    >>> g = geo.read_counties(city="长治")
    >>> fig = value_map(g, pd.Series(1.0, index=g.adcode))
    >>> len(fig.data[0].z)
    12
    """
    loc = values.index.astype(str)
    names = hover_name if hover_name is not None else gdf.set_index("adcode")["name"]
    fig = go.Figure(
        go.Choropleth(
            featureidkey="properties.adcode",
            locations=list(loc),
            z=values.to_numpy(),
            text=names.reindex(loc).fillna("").to_numpy(),
            colorscale=colorscale,
            marker_line_width=0.2,
            marker_line_color="#868e96",
            hovertemplate="%{text}：%{z:,}<extra></extra>",
        )
    )
    with_geometry(fig, gdf)
    shown = gdf[gdf["adcode"].astype(str).isin(loc)]
    set_view(fig, (shown if len(shown) else gdf).total_bounds)
    fig.update_geos(visible=False)
    fig.update_layout(
        title=dict(text=title, x=0.01), height=height, margin=dict(l=0, r=COLORBAR_MARGIN, t=40, b=0),
        font=dict(family=FONT),
    )  # fmt: skip
    if label:
        fig.add_annotation(text=label, x=0.01, y=0.01, xref="paper", yref="paper", showarrow=False)
    return fig


#: Diverging colours around a target: below it warm, above it cool.
DIVERGING = [
    [0.0, "#b2182b"],
    [0.25, "#ef8a62"],
    [0.5, "#f7f7f7"],
    [0.75, "#67a9cf"],
    [1.0, "#2166ac"],
]


def share_map(
    gdf: gpd.GeoDataFrame,
    result: pd.DataFrame,
    *,
    target: float | None,
    label: str = "",
    title: str = "",
    height: int = 560,
    span: float = 0.3,
) -> go.Figure:
    """A county map of a share (``result``: ``adcode``, ``name``, ``value``) around its target.

    The colour scale diverges at ``target`` (below warm, above cool) over
    ``target ± span``, narrowed to stay within [0, 1] and symmetric, so white is
    exactly the target (values beyond the range take the end colours); without a target it is a plain blue scale. The geometry of
    ``gdf`` is sent once; :func:`restyle_share` recolours in place.

    >>> from toolkit import geo
    >>> g = geo.read_counties(city="长治")
    >>> r = pd.DataFrame({"adcode": ["140403"], "name": ["潞州区"], "value": [0.55]})
    >>> fig = share_map(g, r, target=0.6)
    >>> fig.data[0].zmid, [float(z) for z in fig.data[0].z]
    (0.6, [0.55])
    """
    trace = go.Choropleth(
        featureidkey="properties.adcode", locations=[], z=[],
        marker_line_color="#495057", marker_line_width=0.6, name="share",
        colorbar=dict(tickformat=".0%", len=0.6, thickness=16, title=dict(text="")),
    )  # fmt: skip
    fig = with_geometry(go.Figure(trace), gdf)
    fig.add_trace(name_labels(gdf))
    fig.update_geos(visible=False, projection_type="mercator")
    fig.update_layout(
        title=dict(text=title, x=0.01), height=height, margin=dict(l=0, r=COLORBAR_MARGIN, t=48 if title else 8, b=0),
        font=dict(family=FONT), paper_bgcolor="white",
    )  # fmt: skip
    if label:
        fig.add_annotation(text=label, x=0.01, y=0.01, xref="paper", yref="paper", showarrow=False,
                           font=dict(color="#c92a2a", size=13), bgcolor="rgba(255,255,255,0.8)")  # fmt: skip
    restyle_share(fig, result, target=target, span=span)
    return fig


def restyle_share(
    fig: go.Figure,
    result: pd.DataFrame,
    *,
    target: float | None,
    span: float = 0.3,
    hover: Sequence[str] | None = None,
) -> None:
    """Recolour a :func:`share_map` for new values or a new target (no new geometry).

    ``hover`` is each county's hover text (default: its name and share).
    """
    trace = fig.data[0]
    adcodes = result["adcode"].astype(str).tolist()
    values = pd.to_numeric(result["value"], errors="coerce")
    if hover is None:
        hover = [
            f"{n}：{format_percent(v)}"
            for n, v in zip(result.get("name", adcodes), values, strict=True)
        ]
    with fig.batch_update() if isinstance(fig, go.FigureWidget) else nullcontext():
        # arrays, not lists: plotly checks a list item by item (all China: 10 ms a property)
        trace.locations = np.asarray(adcodes, dtype=object)
        trace.z = values.to_numpy()
        trace.text = np.asarray(hover, dtype=object)
        trace.hovertemplate = "%{text}<extra></extra>"
        # a colorscale (a list of lists) sent in a restyle is read per trace by plotly.js and
        # breaks the whole update in the browser: set it only when it really changes
        scale = "Blues" if target is None else DIVERGING
        if _scale_key(trace.colorscale) != _scale_key(scale):
            trace.colorscale = scale
        if target is None:
            trace.update(zmid=None, zmin=0, zmax=1, autocolorscale=False)
        else:
            # symmetric around the target, so its white sits exactly at the target
            half = max(min(span, target, 1.0 - target), 0.01)
            trace.update(zmid=float(target), zmin=target - half, zmax=target + half)
        show_area(fig, adcodes)


def _scale_key(scale) -> tuple:
    """A colorscale as comparable data (names are expanded by plotly into lists)."""
    if scale is None:
        return ()
    if isinstance(scale, str):
        from plotly.colors import get_colorscale

        scale = get_colorscale(scale)
    return tuple((round(float(a), 6), str(b)) for a, b in scale)


def to_html(fig: go.Figure, path: str | Path) -> Path:
    """Write a standalone, offline HTML file (plotly.js embedded, no CDN)."""
    path = Path(path)
    fig.write_html(path, include_plotlyjs=True, config=PLOT_CONFIG, full_html=True)
    return path
