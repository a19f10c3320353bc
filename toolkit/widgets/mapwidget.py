"""The dashboards' map widget: a plotly figure drawn by plotly.js's geo bundle, offline.

plotly's own ``FigureWidget`` sends its full 4.8 MB plotly.js with every page
and, with two on one Voila page, one of them intermittently stopped applying
updates. :class:`MapWidget` is a small `anywidget`_ that draws a figure built in
Python (``go.Figure``, e.g. :func:`toolkit.maps.status_map`) with the 1.4 MB
geo-only bundle vendored in ``toolkit/static`` (see its README): nothing is
fetched from the web, and the map's whole state is in the widget's traits, so
no update can be lost before the browser has drawn it.

The geometry is sent once: :meth:`MapWidget.show` moves each trace's GeoJSON
into the ``geojson`` trait and leaves the marker ``"@geojson"`` in the figure,
so a restyle (new ``locations``, ``z``, hover text) sends only the small trace
data. :meth:`MapWidget.export` gives the figure back with its geometry (for the
standalone HTML download). A click on a county calls the ``on_click`` callbacks
with its adcode.

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
>>> len(m.export(fig).data[0].geojson["features"])
12
"""

from __future__ import annotations

import base64
import hashlib
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


def _module() -> str:
    """The widget's ES module: the plotly.js geo bundle (it sets ``window.Plotly``), then ours."""
    bundle = BUNDLE.read_text(encoding="utf-8")
    if hashlib.sha256(bundle.encode("utf-8")).hexdigest() != BUNDLE_SHA256:
        raise RuntimeError(f"{BUNDLE} is not the vendored plotly.js geo bundle (checksum differs)")
    return bundle + "\n" + (Path(__file__).with_suffix(".js")).read_text(encoding="utf-8")


def _plain(value: object) -> object:
    """``value`` with numpy arrays and plotly's base64 typed arrays (``{"dtype", "bdata"}``)
    as plain lists, numpy scalars as Python numbers.

    The page then holds the same arrays as the Python figure (``gd.data[0].z``).

    >>> _plain({"z": {"dtype": "f8", "bdata": "AAAAAAAA8D8AAAAAAAAAQA=="}, "n": [1]})
    {'z': [1.0, 2.0], 'n': [1]}
    """
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
            if value.get("shape"):
                arr = arr.reshape([int(n) for n in str(value["shape"]).split(",")])
            return arr.tolist()
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class MapWidget(anywidget.AnyWidget):
    """A plotly geo figure in the page; :meth:`show` a ``go.Figure`` to (re)draw it."""

    _esm = _module()
    geojson = traitlets.Dict().tag(sync=True)
    traces = traitlets.List().tag(sync=True)
    #: the figure's layout (``layout`` is the widget's own CSS box, as for every ipywidget)
    plot_layout = traitlets.Dict().tag(sync=True)
    config = traitlets.Dict().tag(sync=True)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._click_callbacks: list[Callable[[str], None]] = []
        self.on_msg(self._handle_message)

    def show(self, figure: go.Figure) -> None:
        """Draw ``figure``: its geometry moves into :attr:`geojson` (sent only when new)."""
        for trace in figure.data:
            geometry = getattr(trace, "geojson", None)
            if isinstance(geometry, dict):
                figure._kuoyou_geojson = geometry  # kept with its figure: it may be shown again
                trace.geojson = GEOJSON
            if getattr(trace, "geojson", None) == GEOJSON:
                self.geojson = figure._kuoyou_geojson  # the same object: nothing is sent again
        # the figure's own dicts, converted into new plain ones by _plain: to_plotly_json()
        # deep-copies first and to_json() round-trips through text (0.3-0.5 s for all China)
        spec = _plain({"data": figure._data, "layout": figure._layout})
        for trace in spec.get("data", []):
            # the names trace keeps every county's label position in ``meta`` for Python
            # (maps.show_names): the page needs only the names it shows
            if trace.get("name") == "names":
                trace.pop("meta", None)
        with self.hold_sync():  # one message: an unchanged trait is not sent again
            self.traces = spec.get("data", [])
            self.plot_layout = spec.get("layout", {})

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
        if isinstance(content, dict) and content.get("event") == "click":
            location = str(content.get("location", ""))
            for callback in self._click_callbacks:
                callback(location)
