"""Coordinate conversion between GCJ-02 (AMap, "Mars coordinates") and WGS-84.

AMap outlines are GCJ-02 ("Mars coordinates": WGS-84 shifted by 100-700 m). Everything
returned here is converted to real WGS-84 (EPSG:4326):

* ``wgs84_to_gcj02`` is the widely published formula (Krasovsky a = 6378245.0,
  ee = 0.00669342162296594323, transformLat/transformLon polynomials, as in eviltransform,
  coordtransform, gcoord); it reproduces their test vectors to 1e-12°.
* ``gcj02_to_wgs84`` inverts it by fixed-point iteration ``w <- g - delta(w)``, each point
  until its own step is < 1e-9° (4-5 steps): round trip error < 1e-11°, and a vertex's
  result never depends on other vertices, so shared borders stay shared. The remaining
  error is the published formula versus the official one: about 1 m or better, as
  reported by the eviltransform authors.
* Outside the rough box lon 72.004-137.8347, lat 0.8293-55.8271 both return the input
  unchanged, like the published code. All counties lie inside and are converted: AMap's
  Hong Kong and Macau outlines share borders vertex for vertex with 深圳/珠海, so they are
  GCJ-02 too. Whether AMap's Taiwan outline is GCJ-02 is undocumented; we convert it too.

Example::

    >>> from toolkit import coords
    >>> lon, lat = coords.gcj02_to_wgs84(121.531541859215, 31.17530398364597)
    >>> round(lon, 7), round(lat, 7)
    (121.5272106, 31.1774276)
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

_A, _EE = 6378245.0, 0.00669342162296594323  # Krasovsky 1940, as in the published formula
_BOX = (72.004, 137.8347, 0.8293, 55.8271)  # lon min, lon max, lat min, lat max


def _out_of_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (lon < _BOX[0]) | (lon > _BOX[1]) | (lat < _BOX[2]) | (lat > _BOX[3])


def _delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 minus WGS-84 (degrees) at WGS-84 (lon, lat); no box check."""
    x, y = lon - 105.0, lat - 35.0
    xpi, ypi, sqrt_x = x * np.pi, y * np.pi, np.sqrt(np.abs(x))
    common = (20.0 * np.sin(6.0 * xpi) + 20.0 * np.sin(2.0 * xpi)) * 2.0 / 3.0
    t_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_x + common
    t_lat += (20.0 * np.sin(ypi) + 40.0 * np.sin(ypi / 3.0)) * 2.0 / 3.0
    t_lat += (160.0 * np.sin(ypi / 12.0) + 320.0 * np.sin(ypi / 30.0)) * 2.0 / 3.0
    t_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_x + common
    t_lon += (20.0 * np.sin(xpi) + 40.0 * np.sin(xpi / 3.0)) * 2.0 / 3.0
    t_lon += (150.0 * np.sin(xpi / 12.0) + 300.0 * np.sin(xpi / 30.0)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    d_lat = (t_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * np.sqrt(magic)) * np.pi)
    d_lon = (t_lon * 180.0) / (_A / np.sqrt(magic) * np.cos(rad_lat) * np.pi)
    return d_lon, d_lat


def _as_arrays(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray, bool]:
    scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
    lon_a, lat_a = np.broadcast_arrays(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return lon_a, lat_a, scalar


def wgs84_to_gcj02(lon: Any, lat: Any) -> tuple[Any, Any]:
    """WGS-84 lon/lat (scalars or arrays) to GCJ-02 (AMap, Tencent, Google China).

    Example::

        >>> lon, lat = wgs84_to_gcj02(121.5272106, 31.1774276)  # Shanghai
        >>> round(lon, 9), round(lat, 9)
        (121.531541859, 31.175303984)
    """
    lon_a, lat_a, scalar = _as_arrays(lon, lat)
    d_lon, d_lat = _delta(lon_a, lat_a)
    keep = _out_of_china(lon_a, lat_a)
    out = np.where(keep, lon_a, lon_a + d_lon), np.where(keep, lat_a, lat_a + d_lat)
    return (float(out[0]), float(out[1])) if scalar else out


def gcj02_to_wgs84(lon: Any, lat: Any, *, tol: float = 1e-9) -> tuple[Any, Any]:
    """GCJ-02 lon/lat (e.g. from AMap; scalars or arrays) to WGS-84, iterated to ``tol``°.

    Example::

        >>> lon, lat = gcj02_to_wgs84(121.531541859215, 31.17530398364597)
        >>> round(lon, 7), round(lat, 7)
        (121.5272106, 31.1774276)
    """
    g_lon, g_lat, scalar = _as_arrays(lon, lat)
    shape = g_lon.shape
    g_lon, g_lat = g_lon.ravel(), g_lat.ravel()
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    active = np.flatnonzero(~_out_of_china(g_lon, g_lat))
    for _ in range(10):  # each point stops on its own step, independent of the others
        d_lon, d_lat = _delta(w_lon[active], w_lat[active])
        n_lon, n_lat = g_lon[active] - d_lon, g_lat[active] - d_lat
        step = np.maximum(np.abs(n_lon - w_lon[active]), np.abs(n_lat - w_lat[active]))
        w_lon[active], w_lat[active] = n_lon, n_lat
        active = active[step >= tol]
        if active.size == 0:
            break
    out_lon, out_lat = w_lon.reshape(shape), w_lat.reshape(shape)
    return (float(out_lon[()]), float(out_lat[()])) if scalar else (out_lon, out_lat)


def _transform(geoms: Any, func: Any) -> Any:
    def convert(coords: np.ndarray) -> np.ndarray:
        return np.column_stack(func(coords[:, 0], coords[:, 1]))

    def apply(coords: np.ndarray) -> np.ndarray:
        workers = min(os.cpu_count() or 1, 8)
        if len(coords) < 200_000 or workers < 2:
            return convert(coords)
        with ThreadPoolExecutor(workers) as pool:  # numpy's sin/cos release the GIL
            return np.concatenate(list(pool.map(convert, np.array_split(coords, workers))))

    if isinstance(geoms, gpd.GeoSeries):
        return gpd.GeoSeries(shapely.transform(geoms.values, apply), index=geoms.index, crs=4326)
    return shapely.transform(geoms, apply)


def to_wgs84(geoms: Any) -> Any:
    """Convert shapely geometries (one, an array, or a GeoSeries) from GCJ-02 to WGS-84.

    Example::

        >>> round(to_wgs84(shapely.Point(116.3974, 39.9093)).x, 6)  # 天安门 on AMap
        116.391159
    """
    return _transform(geoms, gcj02_to_wgs84)


def to_gcj02(geoms: Any) -> Any:
    """Convert shapely geometries from WGS-84 to GCJ-02, e.g. to overlay AMap tiles.

    Example::

        >>> round(to_gcj02(to_wgs84(shapely.Point(116.3974, 39.9093))).x, 9)
        116.3974
    """
    return _transform(geoms, wgs84_to_gcj02)
