"""A static picture of a dashboard's first view, painted before its widgets exist.

A Voila page shows nothing of its widgets until its JavaScript has started, the
kernel's widget state has arrived and plotly.js has drawn the map: on all of
China about 3.4 s on our machine (``bench/RESULTS.md``). The picture made here —
the banner, the heading and the first map as plain SVG, in the colours plotly
will use — travels in the HTML Voila serves and is painted with it (about 1 s);
the interactive page replaces it once its map is drawn
(``toolkit/widgets/mapwidget.js``). The page's template
(``toolkit/voila/templates/kuoyou``) writes it into the page as HTML; elsewhere
(JupyterLab) it is not shown at all.

The map is projected as plotly.js projects it (Mercator, the view's lon/lat box
fitted and centred in the map's area); coordinates are rounded to the picture's
own units (1/1000 of its width), and points that round to the same one dropped,
which keeps all of China's 2,875 counties to a few hundred kilobytes.

Example
-------
>>> svg = map_svg({"type": "FeatureCollection", "features": [{"type": "Feature",
...     "properties": {"adcode": "1"}, "geometry": {"type": "Polygon",
...     "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}}]},
...     [{"type": "choropleth", "locations": ["1"], "z": [0.5], "zmin": 0, "zmax": 1,
...       "colorscale": [[0, "#000000"], [1, "#ffffff"]]}],
...     {"geo": {"lonaxis": {"range": [0, 1]}, "lataxis": {"range": [0, 1]}}})
>>> 'fill="#808080"' in svg, 'd="M0 1000l1000 0 0 -1000z"' in svg
(True, True)
"""

from __future__ import annotations

import html
import math
import os

import numpy as np

from ..mapview import COLORBAR_MARGIN, FONT

#: The output's MIME type: the Voila template writes it into the page, JupyterLab ignores it.
MIME = "application/vnd.kuoyou.preview+html"
#: The picture's width in its own units (coordinates are whole units).
UNITS = 1000
NO_VALUE = "#e9ecef"
#: A continuous colour scale is drawn in this many steps (a path per colour).
STEPS = 256
#: Pixels the dashboard's controls take above its map (the picture leaves them blank).
CONTROLS = 100


def _rgb(color: str) -> tuple[float, ...]:
    """``#rrggbb``, ``#rgb`` or ``rgb(r, g, b)`` as three numbers 0-255."""
    color = color.strip()
    if color.startswith("#"):
        h = color[1:]
        h = "".join(c * 2 for c in h) if len(h) == 3 else h[:6]
        return tuple(float(int(h[i : i + 2], 16)) for i in (0, 2, 4))
    inside = color[color.index("(") + 1 : color.index(")")]
    return tuple(float(v) for v in inside.split(",")[:3])


def _hex(rgb) -> str:
    """Three numbers 0-255 as ``#rrggbb``."""
    return "#" + "".join(f"{round(v):02x}" for v in rgb)


def scale_color(value: float | None, scale: list, zmin: float, zmax: float) -> str:
    """The colour plotly gives ``value`` on ``scale`` (``[[position, colour], …]``) between
    ``zmin`` and ``zmax``: linear in RGB between the two stops around it.

    >>> scale_color(0.25, [[0, "#000000"], [1, "#ffffff"]], 0, 1)
    '#404040'
    >>> scale_color(None, [[0, "#000000"], [1, "#ffffff"]], 0, 1)
    '#e9ecef'
    """
    if value is None or not math.isfinite(value):
        return NO_VALUE
    t = 0.0 if zmax == zmin else min(max((value - zmin) / (zmax - zmin), 0.0), 1.0)
    stops = [(float(p), _rgb(c)) for p, c in scale]
    for (p0, c0), (p1, c1) in zip(stops, stops[1:], strict=False):
        if t <= p1:
            f = 0.0 if p1 == p0 else (t - p0) / (p1 - p0)
            return _hex([a + (b - a) * f for a, b in zip(c0, c1, strict=True)])
    return _hex(stops[-1][1])


def _step(value: float | None, zmin: float, zmax: float) -> float | None:
    """``value`` moved to the nearest of :data:`STEPS` + 1 even steps from ``zmin`` to ``zmax``
    (at most a 1/512 of the scale away: no eye tells the colours apart)."""
    if value is None or not math.isfinite(value) or zmax == zmin:
        return value
    return zmin + round((value - zmin) / (zmax - zmin) * STEPS) / STEPS * (zmax - zmin)


def _mercator(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lat = np.clip(lat, -85.0, 85.0)
    return np.radians(lon), np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))


def _rings(geometry: dict) -> list:
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    return [ring for polygon in geometry["coordinates"] for ring in polygon]


def _path(rings: list, x0: float, y1: float, k: float) -> str:
    """SVG path data of ``rings``: absolute first point, then relative steps in whole units."""
    parts = []
    for ring in rings:
        xy = np.asarray(ring, dtype="float64")
        x, y = _mercator(xy[:, 0], xy[:, 1])
        pts = np.rint(np.column_stack([(x - x0) * k, (y1 - y) * k])).astype(np.int64)
        keep = np.ones(len(pts), bool)
        keep[1:] = np.any(pts[1:] != pts[:-1], axis=1)
        pts = pts[keep]
        if len(pts) < 3:
            continue
        steps = np.diff(pts, axis=0)
        body = " ".join(f"{dx} {dy}" for dx, dy in steps[:-1].tolist())  # the ring closes itself
        first = f"M{pts[0, 0]} {pts[0, 1]}"
        parts.append(f"{first}l{body}z" if body else f"{first}z")
    return "".join(parts)


def map_svg(geojson: dict, traces: list[dict], layout: dict) -> str:
    """The choropleth traces of a figure (plain dicts, as :class:`MapWidget` keeps them) as an
    SVG element that fills its box's width, ``layout``'s lon/lat box fitted in it."""
    geo = layout.get("geo", {})
    west, east = geo["lonaxis"]["range"]
    south, north = geo["lataxis"]["range"]
    (x0, x1), (y0, y1) = _mercator(np.array([west, east]), np.array([south, north]))
    k = UNITS / (x1 - x0)
    height = max(round((y1 - y0) * k), 1)
    shapes = {f["properties"]["adcode"]: f["geometry"] for f in geojson.get("features", [])}
    groups = []
    for trace in traces:
        if trace.get("type") != "choropleth":
            continue
        z = trace.get("z") or []
        scale, zmin, zmax = trace.get("colorscale") or [], trace.get("zmin"), trace.get("zmax")
        if zmin is None or zmax is None:
            finite = [v for v in z if v is not None and math.isfinite(v)] or [0.0]
            zmin, zmax = min(finite), max(finite)
        by_fill: dict[str, list[str]] = {}  # one path per colour: far fewer elements to lay out
        for location, value in zip(trace.get("locations") or [], z, strict=False):
            shape = shapes.get(location)
            d = "" if shape is None else _path(_rings(shape), x0, y1, k)
            if d:
                fill = (
                    scale_color(_step(value, zmin, zmax), scale, zmin, zmax) if scale else NO_VALUE
                )
                by_fill.setdefault(fill, []).append(d)
        line = (trace.get("marker") or {}).get("line") or {}
        groups.append(
            f'<g stroke="{line.get("color", "#444")}" stroke-width="{line.get("width", 0.5)}">'
        )
        groups += [f'<path fill="{fill}" d="{"".join(ds)}"/>' for fill, ds in by_fill.items()]
        groups.append("</g>")
    return (
        f'<svg class="kuoyou-map" viewBox="0 0 {UNITS} {height}" preserveAspectRatio="xMidYMid '
        'meet" xmlns="http://www.w3.org/2000/svg" width="100%" height="100%"><style>.kuoyou-map '
        f"path{{vector-effect:non-scaling-stroke}}</style>{''.join(groups)}</svg>"
    )


def in_voila() -> bool:
    """Whether this kernel runs a Voila page (Voila sets ``VOILA_KERNEL_ID`` in its kernels)."""
    return "VOILA_KERNEL_ID" in os.environ or os.environ.get("VOILA_PREHEAT") == "True"


def page_html(banner: str, heading: str, svg: str, layout: dict, note: str) -> str:
    """The picture of the first view: banner, heading, a loading note, then the map with its
    title and label where the dashboard puts them (55% of the width, as ``shell`` lays out)."""
    margin = layout.get("margin", {})
    title = html.escape(str((layout.get("title") or {}).get("text") or ""))
    label = "".join(
        f'<div style="position:absolute;left:1%;bottom:1%;color:#c92a2a;font-size:13px;'
        f'background:rgba(255,255,255,.8)">{html.escape(str(a.get("text", "")))}</div>'
        for a in layout.get("annotations") or []
    )
    top, bottom, right = margin.get("t", 40), margin.get("b", 0), margin.get("r") or COLORBAR_MARGIN
    box = layout.get("height", 560) - top - bottom
    painted = (
        "<script>requestAnimationFrame(() => setTimeout(() => "
        "{ window.kuoyouPreviewPainted = performance.now(); }));</script>"
    )
    return (
        '<div id="kuoyou-preview" aria-busy="true" style="position:fixed;inset:0;z-index:1000;'
        "background:white;overflow:hidden;padding:26px 16px 8px;box-sizing:border-box;"
        f'font-family:{FONT}">'
        f'{banner}{heading}<div class="kuoyou-loading" style="margin:8px 0;height:{CONTROLS}px">{html.escape(note)}</div>'
        f'<div style="width:55%;position:relative;height:{layout.get("height", 560)}px">'
        f'<div style="height:{top}px;font-size:17px;line-height:{top}px;padding-left:1%">{title}'
        f'</div><div style="height:{box}px;padding-right:{right}px">{svg}</div>{label}</div>'
        f"</div>{painted}"
    )
