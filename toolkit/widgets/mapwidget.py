"""The dashboards' map widget: a plotly figure drawn by plotly.js's geo bundle, offline.

plotly's own ``FigureWidget`` sends its full 4.8 MB plotly.js with every page
and, with two on one Voila page, one of them intermittently stopped applying
updates. :class:`MapWidget` is a small `anywidget`_ that draws a figure built in
Python (``go.Figure``, e.g. :func:`toolkit.maps.status_map`) with the 1.4 MB
geo-only bundle vendored in ``toolkit/static`` (see its README): nothing is
fetched from the web, and the map's whole state is in the widget's traits, so
no update can be lost before the browser has drawn it. The bundle travels in
the ``plotly_js`` trait, except where the page loads it itself (the dashboards'
Voila template, :data:`FROM_PAGE`); a page without it asks the kernel for it.

The geometry is sent once, and packed: :meth:`MapWidget.show` moves each
trace's GeoJSON out of the figure (the marker ``"@geojson"`` stays in its
place) and sends it as binary arrays — the adcodes, the number of polygons,
rings and points, and the coordinates as 32-bit integers of 10⁻⁵ degrees
(:func:`pack_geometry`; about 8 bytes a point instead of some 18 as JSON text)
— which the page turns back into GeoJSON. A restyle (new ``locations``, ``z``,
hover text) then sends only the small trace data, and a figure that differs from the one
drawn only in its counties' values (another year) is repainted in place, without plotly.js's
full redraw (``repaintValues`` in ``mapwidget.js``). :meth:`MapWidget.export` gives the
figure back with its geometry (for the standalone HTML download). A click on a county calls
the ``on_click`` callbacks with its adcode.

The page reports each figure it has drawn and painted (``{"event": "drawn"}`` with the
figure's :attr:`~MapWidget.revision`); :meth:`MapWidget.after_drawn` runs a callback once
the figure last shown is on screen. The dashboards send their tables then: sent with
the map, they were applied while plotly.js was still drawing and delayed its paint.

.. _anywidget: https://anywidget.dev

Example
-------
>>> import pandas as pd
>>> from toolkit import geo, maps
>>> g = geo.read_counties(city="长治")
>>> fig = maps.status_map(g, pd.DataFrame({"adcode": ["140403"], "status": ["达标"]}))
>>> m = MapWidget(config=maps.PLOT_CONFIG)
>>> m.show(fig)
>>> m.traces[0]["geojson"], len(m.geojson["features"]), m.traces[0]["locations"]
('@geojson', 12, ['140403'])
>>> len(m.geo_ids), len(m.geo_coords) < len(str(m.geojson)) / 2
(12, True)
>>> len(m.export(fig).data[0].geojson["features"])
12
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import anywidget
import numpy as np
import plotly.graph_objects as go
import traitlets

STATIC = Path(__file__).resolve().parent.parent / "static"
BUNDLE = STATIC / "plotly-geo.min.js"
#: The vendored bundle's checksum (toolkit/static/README.md): a change must be deliberate.
BUNDLE_SHA256 = "3da0a26e92ce47dad2b18c6e7cf5018335a003f50f5fe41710f52508af579b7c"
GEOJSON = "@geojson"


#: Set (to "1") where the page loads plotly.js itself: scripts/serve.sh sets it for Voila's
#: kernels, whose kuoyou template loads the bundle from the server (plotly.html.j2).
FROM_PAGE = "KUOYOU_PLOTLY_FROM_PAGE"


@functools.cache
def _bundle() -> str:
    """The vendored plotly.js geo bundle (checked against :data:`BUNDLE_SHA256`)."""
    bundle = BUNDLE.read_text(encoding="utf-8")
    if hashlib.sha256(bundle.encode("utf-8")).hexdigest() != BUNDLE_SHA256:
        raise RuntimeError(f"{BUNDLE} is not the vendored plotly.js geo bundle (checksum differs)")
    return bundle


def _plain(value: object) -> object:
    """``value`` with numpy arrays and plotly's base64 typed arrays (``{"dtype", "bdata"}``)
    as plain lists, numpy scalars as Python numbers, and NaN as None (JSON has no NaN: a
    message holding one is refused by the kernel's serializer and sent again, loosely).

    The page then holds the same arrays as the Python figure (``gd.data[0].z``).

    >>> _plain({"z": {"dtype": "f8", "bdata": "AAAAAAAA8D8AAAAAAAAAQA=="}, "n": [1]})
    {'z': [1.0, 2.0], 'n': [1]}
    >>> _plain({"z": np.array([0.5, np.nan]), "text": ("a", None), "c": np.array([["x", 1]], object)})
    {'z': [0.5, None], 'text': ['a', None], 'c': [['x', 1]]}
    """
    if isinstance(value, np.ndarray):
        return _plain_list(value.tolist())
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, list | tuple):
        return _plain_list(value)
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
            if value.get("shape"):
                arr = arr.reshape([int(n) for n in str(value["shape"]).split(",")])
            return _plain_list(arr.tolist())
        return {k: _plain(v) for k, v in value.items()}
    return value


#: Values :func:`_plain` keeps as they are (floats are checked for NaN).
_KEPT = frozenset({str, int, bool, type(None)})


def _plain_list(items: list | tuple) -> list:
    """A new list of ``items`` through :func:`_plain`; a list of strings and integers (county
    codes, hover text) is copied at once (all China: 2,875 items, every repaint)."""
    if all(type(v) in _KEPT for v in items):
        return list(items)
    return [v if type(v) in _KEPT else _plain(v) for v in items]


#: Coordinates travel as integers of this many units per degree (10⁻⁵° ≈ 1 m).
SCALE = 100_000


def pack_geometry(geojson: dict) -> tuple[list[str], bytes, bytes]:
    """A FeatureCollection of (Multi)Polygons keyed by ``properties.adcode``, packed.

    Returns the adcodes, ``shape`` (int32: per feature its polygon count, per
    polygon its ring count, per ring its point count, in order) and ``coords``
    (int32 pairs, longitude and latitude × :data:`SCALE`). The page's
    ``unpack`` rebuilds the same features as MultiPolygons.

    >>> fc = {"features": [{"properties": {"adcode": "1"}, "geometry": {"type": "Polygon",
    ...       "coordinates": [[[110.0, 30.0], [111.0, 30.0], [110.5, 31.0], [110.0, 30.0]]]}}]}
    >>> ids, shape, coords = pack_geometry(fc)
    >>> ids, np.frombuffer(shape, "<i4").tolist(), np.frombuffer(coords, "<i4")[:4].tolist()
    (['1'], [1, 1, 4], [11000000, 3000000, 11100000, 3000000])
    """
    ids, shape, points = [], [], []
    for feature in geojson["features"]:
        ids.append(str(feature["properties"]["adcode"]))
        geom = feature["geometry"]
        polygons = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        shape.append(len(polygons))
        for rings in polygons:
            shape.append(len(rings))
            for ring in rings:
                shape.append(len(ring))
                points.extend(ring)
    coords = np.rint(np.asarray(points, dtype="float64").reshape(-1, 2) * SCALE)
    return ids, np.asarray(shape, "<i4").tobytes(), coords.astype("<i4").tobytes()


class MapWidget(anywidget.AnyWidget):
    """A plotly geo figure in the page; :meth:`show` a ``go.Figure`` to (re)draw it."""

    #: our module only: anywidget gives a model 2 s to import its module and initialise, and
    #: a 1.4 MB module parsed on a loaded machine missed that ("Failed to initialize model")
    _esm = Path(__file__).with_suffix(".js").read_text(encoding="utf-8")
    #: plotly.js, evaluated once per page by the module's ``render`` (which has no time limit);
    #: empty where the page loads it (:data:`FROM_PAGE`), sent when the page asks for it
    plotly_js = traitlets.Unicode().tag(sync=True)
    #: the geometry drawn now (in Python only: the page gets it packed, below)
    geojson = traitlets.Dict()
    geo_ids = traitlets.List().tag(sync=True)
    geo_shape = traitlets.Bytes().tag(sync=True)
    geo_coords = traitlets.Bytes().tag(sync=True)
    #: the figure's traces, plain (Python only: the page gets them as JSON text, below)
    traces = traitlets.List()
    #: :attr:`traces` as JSON text: ipywidgets looks for binary buffers in every list and dict of
    #: a trait it sends, and for 2,875 counties' hover rows that took 20-40 ms a repaint
    traces_json = traitlets.Unicode("[]").tag(sync=True)
    #: the figure's layout (``layout`` is the widget's own CSS box, as for every ipywidget)
    plot_layout = traitlets.Dict().tag(sync=True)
    config = traitlets.Dict().tag(sync=True)
    #: counts the figures shown; the page reports each one it has drawn (:meth:`after_drawn`)
    revision = traitlets.Int(0).tag(sync=True)

    #: seconds :meth:`after_drawn` waits for the page at most (a page closed, a hidden tab)
    DRAWN_WAIT = 1.0

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        if os.environ.get(FROM_PAGE) != "1":
            self.plotly_js = _bundle()
        self._click_callbacks: list[Callable[[str], None]] = []
        self._drawn: int | None = None  # the last revision a page reported drawn (None: no page)
        self._waiting: list[Callable[[], None]] = []
        self._first: list[Callable[[], None]] = []
        self.on_msg(self._handle_message)

    def show(self, figure: go.Figure) -> None:
        """Draw ``figure``: its geometry moves into :attr:`geojson` (sent only when new).

        Geometry, traces and layout travel in one message, so the page redraws once: sent
        one trait at a time, a new province's map was drawn four times (1.2 s instead of 0.5).
        """
        shown = (self.geojson, self.traces_json, self.plot_layout)  # what the page has now
        with self.hold_sync():  # one message: an unchanged trait is not sent again
            for trace in figure.data:
                geometry = getattr(trace, "geojson", None)
                if isinstance(geometry, dict):
                    figure._kuoyou_geojson = geometry  # kept with its figure: shown again later
                    figure._kuoyou_packed = pack_geometry(geometry)
                    trace.geojson = GEOJSON
                if getattr(trace, "geojson", None) == GEOJSON and self.geojson is not (
                    figure._kuoyou_geojson
                ):
                    self.geojson = figure._kuoyou_geojson
                    self.geo_ids, self.geo_shape, self.geo_coords = figure._kuoyou_packed
            # the figure's own dicts, converted into new plain ones by _plain: to_plotly_json()
            # deep-copies first and to_json() round-trips through text (0.3-0.5 s for all China).
            # The names trace keeps every county's label position and box in ``meta`` for
            # Python (toolkit.mapview): the page needs only the names it shows.
            data = [
                {k: v for k, v in trace.items() if k != "meta" or trace.get("name") != "names"}
                for trace in figure._data
            ]
            self.traces = _plain(data)
            self.traces_json = json.dumps(
                self.traces, ensure_ascii=False, allow_nan=False, separators=(",", ":")
            )
            self.plot_layout = _plain(figure._layout)
            if self.geojson is not shown[0] or (self.traces_json, self.plot_layout) != shown[1:]:
                self.revision += 1  # else the page has nothing new to draw

    def after_drawn(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` once the page has painted the figure last shown, or at once where
        no page has reported a drawing (no browser, as in a script or a test); at the latest
        after :attr:`DRAWN_WAIT` seconds.

        >>> m = MapWidget()
        >>> m.after_drawn(lambda: print("no page: now"))
        no page: now
        """
        if self._drawn is None or self._drawn >= self.revision:
            callback()
            return
        self._waiting.append(callback)
        try:
            asyncio.get_running_loop().call_later(self.DRAWN_WAIT, self._release)
        except RuntimeError:  # no event loop runs (not in a kernel): nothing would wait
            self._release()

    def when_page_draws(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` when a page next reports a figure drawn, or that it could not
        draw one, however long that takes: a preheated kernel waits for its page to open.

        >>> m = MapWidget()
        >>> m.when_page_draws(lambda: print("drawn"))
        >>> m._handle_message(m, {"event": "drawn", "revision": 0}, [])
        drawn
        """
        self._first.append(callback)

    def _release(self) -> None:
        waiting, self._waiting = self._waiting, []
        for callback in waiting:
            callback()

    def export(self, figure: go.Figure) -> go.Figure:
        """A copy of ``figure`` with its geometry back in place (for a standalone HTML file)."""
        out = go.Figure(figure)
        for trace in out.data:
            if getattr(trace, "geojson", None) == GEOJSON:
                trace.geojson = getattr(figure, "_kuoyou_geojson", self.geojson)
        return out

    def on_click(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(adcode)`` when a county on the map is clicked."""
        self._click_callbacks.append(callback)

    def _handle_message(self, _widget, content: dict, _buffers) -> None:
        if isinstance(content, dict) and content.get("event") == "plotly":  # the page has none
            self.plotly_js = _bundle()
        if isinstance(content, dict) and content.get("event") in ("drawn", "failed"):
            first, self._first = self._first, []
            for callback in first:
                callback()
        if isinstance(content, dict) and content.get("event") == "failed":  # nothing will draw
            self._release()
        if isinstance(content, dict) and content.get("event") == "drawn":
            self._drawn = max(self._drawn or 0, int(content.get("revision", 0)))
            if self._drawn >= self.revision:
                self._release()
        if isinstance(content, dict) and content.get("event") == "click":
            location = str(content.get("location", ""))
            for callback in self._click_callbacks:
                callback(location)
