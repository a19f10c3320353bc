"""Map builders: the colour scale of a share sits white exactly at its target."""

import json

import pandas as pd
import pytest

from toolkit import formats, geo, maps


@pytest.mark.parametrize(
    ("target", "low", "high"), [(0.8, 0.6, 1.0), (0.1, 0.0, 0.2), (0.6, 0.3, 0.9)]
)
def test_share_scale_is_symmetric_around_the_target(target, low, high):
    g = geo.read_counties(city="长治")
    r = pd.DataFrame({"adcode": ["140403"], "name": ["潞州区"], "value": [0.5]})
    t = maps.share_map(g, r, target=target).data[0]
    assert (t.zmin, t.zmax) == pytest.approx((low, high))
    assert (t.zmin + t.zmax) / 2 == pytest.approx(
        target
    )  # the scale's middle (white) is the target


def test_share_map_without_target_is_a_plain_scale():
    g = geo.read_counties(city="长治")
    r = pd.DataFrame({"adcode": ["140403"], "name": ["潞州区"], "value": [0.5]})
    t = maps.share_map(g, r, target=None).data[0]
    assert t.zmid is None and (t.zmin, t.zmax) == (0, 1)


def test_format_value_by_unit():
    assert formats.format_value(0.975, "share") == "97.5%"
    assert formats.format_value(7000, "元/生·年") == "7,000元/生·年"
    assert formats.format_value(None, "share") == "—"


def test_map_widget_module_is_small_and_plotly_travels_as_a_trait():
    # anywidget gives a model 2 s to import its module: plotly.js is not in it
    import hashlib

    from toolkit.widgets.mapwidget import BUNDLE_SHA256, MapWidget

    widget = MapWidget()
    assert len(widget._esm) < 20_000 and "export default { render }" in widget._esm
    assert "window.Plotly = Plotly" not in widget._esm
    assert hashlib.sha256(widget.plotly_js.encode("utf-8")).hexdigest() == BUNDLE_SHA256
    assert "plotly_js" in widget.keys  # synced to the page


def test_map_widget_leaves_plotly_to_a_page_that_loads_it_and_sends_it_when_asked(monkeypatch):
    import hashlib

    from toolkit.widgets.mapwidget import BUNDLE_SHA256, FROM_PAGE, MapWidget

    monkeypatch.setenv(FROM_PAGE, "1")  # as scripts/serve.sh sets it for Voila's kernels
    widget = MapWidget()
    assert widget.plotly_js == ""
    widget._handle_message(widget, {"event": "plotly"}, [])  # the page found no bundle
    assert hashlib.sha256(widget.plotly_js.encode("utf-8")).hexdigest() == BUNDLE_SHA256


def _padded(box, pad=0.05):
    west, south, east, north = box
    dx, dy = (east - west) * pad, (north - south) * pad
    return (west - dx, east + dx), (south - dy, north + dy)


def test_a_restyled_map_zooms_to_the_counties_it_shows():
    # the view is computed in Python from the counties' boxes (no fitbounds in the browser)
    shanxi = geo.read_counties("山西")
    changzhi = geo.read_counties(city="长治")
    one = lambda g: pd.DataFrame({"adcode": g["adcode"], "status": "达标"})  # noqa: E731
    fig = maps.status_map(shanxi, one(shanxi))
    view = fig.layout.geo
    assert view.fitbounds is False
    lon, lat = _padded(shanxi.total_bounds)
    assert view.lonaxis.range == pytest.approx(lon, abs=2e-4)
    assert view.lataxis.range == pytest.approx(lat, abs=2e-4)
    assert list(fig.data[1].text) == []  # 117 counties: no names
    maps.restyle_status(fig, one(changzhi))
    lon, lat = _padded(changzhi.total_bounds)
    assert fig.layout.geo.lonaxis.range == pytest.approx(lon, abs=2e-4)
    assert fig.layout.geo.lataxis.range == pytest.approx(lat, abs=2e-4)
    assert sorted(fig.data[1].text) == sorted(changzhi["name"])  # 12 counties: named


def test_a_map_showing_unknown_counties_shows_all_it_has():
    g = geo.read_counties(city="长治")
    r = pd.DataFrame({"adcode": ["999999"], "name": ["?"], "value": [0.5]})
    fig = maps.share_map(g, r, target=0.6)
    lon, _ = _padded(g.total_bounds)
    assert fig.layout.geo.lonaxis.range == pytest.approx(lon, abs=2e-4)


def test_value_map_zooms_to_the_counties_it_colours():
    g = geo.read_counties("山西")
    changzhi = g[g["city"] == "长治市"]
    fig = maps.value_map(g, pd.Series(1.0, index=changzhi["adcode"]))
    lon, lat = _padded(changzhi.total_bounds)
    assert fig.layout.geo.lonaxis.range == pytest.approx(lon, abs=2e-4)
    assert fig.layout.geo.lataxis.range == pytest.approx(lat, abs=2e-4)


class _Comm:
    """Stands in for a kernel comm: records the messages a widget sends."""

    kernel = True
    comm_id = "test"

    def __init__(self):
        self.sent = []

    def on_msg(self, callback):
        pass

    def close(self, *args, **kwargs):
        pass

    def send(self, data=None, metadata=None, buffers=None):
        self.sent.append((data, buffers))


def in_a_loop(coroutine):
    """Run ``coroutine`` as a kernel would, in an event loop (its own thread: the browser tests'
    Playwright keeps one running in this thread), and return its result or raise its error."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _keys(widget) -> set[str]:
    """The traits in the widget's last message (binary ones travel as buffers)."""
    msg = widget.comm.sent[-1][0]
    return set(msg["state"]) | {path[0] for path in msg["buffer_paths"]}


def test_map_widget_sends_a_new_geometry_with_its_traces_in_one_message():
    # one message, one redraw in the page (sent trait by trait, a province was drawn 4 times)
    from toolkit.widgets.mapwidget import MapWidget

    widget = MapWidget(config=maps.PLOT_CONFIG)
    widget.comm = _Comm()
    r = lambda g: pd.DataFrame({"adcode": g["adcode"], "status": "达标"})  # noqa: E731
    changzhi, pingdingshan = geo.read_counties(city="长治"), geo.read_counties(city="平顶山")
    widget.show(maps.status_map(changzhi, r(changzhi)))
    widget.show(maps.status_map(pingdingshan, r(pingdingshan)))
    assert len(widget.comm.sent) == 2
    state = widget.comm.sent[-1][0]["state"]
    assert {"geo_ids", "geo_shape", "geo_coords", "traces_json", "plot_layout"} <= _keys(widget)
    assert sorted(state["geo_ids"]) == sorted(pingdingshan["adcode"])
    assert "meta" not in json.loads(state["traces_json"])[1]  # boxes and name positions stay here
    widget.show(maps.status_map(pingdingshan, r(pingdingshan.head(3))))  # new figure, new geometry
    fig = maps.status_map(pingdingshan, r(pingdingshan))
    widget.show(fig)
    sent = len(widget.comm.sent)
    maps.restyle_status(fig, r(pingdingshan.head(2)))
    widget.show(fig)  # same geometry: only the traces and the view
    assert len(widget.comm.sent) == sent + 1
    assert not {"geo_ids", "geo_shape", "geo_coords"} & _keys(widget)


def test_after_drawn_waits_in_a_kernel_for_the_page_to_paint_the_figure_last_shown():
    import asyncio

    from toolkit.widgets.mapwidget import MapWidget

    async def scenario() -> list[str]:
        calls: list[str] = []
        widget = MapWidget(config=maps.PLOT_CONFIG)
        widget.comm = _Comm()
        g = geo.read_counties(city="长治")
        fig = maps.status_map(g, pd.DataFrame({"adcode": g["adcode"], "status": "达标"}))
        widget.show(fig)
        widget.after_drawn(lambda: calls.append("no page yet"))  # nothing would ever answer
        widget._handle_message(widget, {"event": "drawn", "revision": widget.revision}, [])
        status = lambda n: pd.DataFrame({"adcode": g["adcode"].head(n), "status": "达标"})  # noqa: E731
        widget.show(fig)
        assert len(widget.comm.sent) == 1  # the same figure again: nothing new to draw
        maps.restyle_status(fig, status(3))
        widget.show(fig)  # a new revision, not drawn yet
        assert widget.comm.sent[-1][0]["state"]["revision"] == widget.revision
        widget.after_drawn(lambda: calls.append("second"))
        widget._handle_message(widget, {"event": "drawn", "revision": widget.revision - 1}, [])
        calls.append("an older figure drawn")
        widget._handle_message(widget, {"event": "drawn", "revision": widget.revision}, [])
        widget.DRAWN_WAIT = 0.05
        maps.restyle_status(fig, status(2))
        widget.show(fig)
        widget.after_drawn(lambda: calls.append("page silent: after the wait"))
        calls.append("waiting")
        await asyncio.sleep(0.2)
        return calls

    assert in_a_loop(scenario()) == [
        "no page yet", "an older figure drawn", "second", "waiting", "page silent: after the wait",
    ]  # fmt: skip
