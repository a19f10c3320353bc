"""Map builders: the colour scale of a share sits white exactly at its target."""

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
