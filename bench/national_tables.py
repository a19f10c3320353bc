"""Arrow tables of the national benchmark (``bench/make_national.py``): schemas and builders.

Part of ``bench/make_national.py``. The columns are the toolkit's canonical ones
(``toolkit/schema.csv``) plus ``exchange_years`` on teachers; codes, levels,
ownership, sections and the teachers' ``school_id`` are Arrow dictionaries (pandas
reads them as categoricals, DuckDB as VARCHAR), counts are the smallest integer
type that holds them. Files are zstd-compressed; the sorted id strings are
delta-encoded (``DELTA_BYTE_ARRAY``), which halves the teacher files.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pyarrow as pa
from national_schools import LEVELS, STANDARD, CountySchools

OWNERSHIP = ("公办", "民办")
SECTIONS = ("小学", "初中")
COMPRESSION = {"compression": "zstd", "compression_level": 3}
ROW_GROUP = 1_000_000

SCHOOL_SCHEMA = pa.schema([
    ("school_id", pa.string()), ("name", pa.string()),
    ("adcode", pa.dictionary(pa.int16(), pa.string())), ("year", pa.int16()),
    ("level", pa.dictionary(pa.int8(), pa.string())),
    ("ownership", pa.dictionary(pa.int8(), pa.string())), ("inclusive", pa.bool_()),
    ("enrolment", pa.int32()), ("boarding", pa.bool_()), ("special_classes", pa.int8()),
    ("meets_standard", pa.bool_()),
])  # fmt: skip
TEACHER_SCHEMA = pa.schema([
    ("teacher_id", pa.string()), ("school_id", pa.dictionary(pa.int32(), pa.string())),
    ("adcode", pa.dictionary(pa.int16(), pa.string())), ("year", pa.int16()),
    ("years_at_school", pa.int8()), ("rotated", pa.bool_()), ("key_teacher", pa.bool_()),
    ("eligible", pa.bool_()), ("exchange_years", pa.int8()),
])  # fmt: skip
RESOURCE_SCHEMA = pa.schema([
    ("school_id", pa.string()), ("adcode", pa.dictionary(pa.int16(), pa.string())),
    ("year", pa.int16()), ("section", pa.dictionary(pa.int8(), pa.string())),
    ("enrolment", pa.int32()),
    *[(c, pa.float64() if c.endswith(("_area", "_value")) else pa.int32()) for c in STANDARD],
])  # fmt: skip
COUNTY_SCHEMA = pa.schema([
    ("adcode", pa.string()), ("name", pa.string()),
    ("city", pa.dictionary(pa.int16(), pa.string())), ("city_adcode", pa.string()),
    ("province", pa.dictionary(pa.int8(), pa.string())), ("province_adcode", pa.string()),
    ("population", pa.int64()), ("population_source", pa.dictionary(pa.int16(), pa.string())),
])  # fmt: skip


def writer_options(schema: pa.Schema, delta: tuple[str, ...] = ()) -> dict:
    """zstd; Parquet dictionaries for the dictionary-typed and year columns only; the
    sorted id strings (and names, sharing their county's prefix) delta-encoded."""
    dictionary = [f.name for f in schema if pa.types.is_dictionary(f.type) or f.name == "year"]
    return {**COMPRESSION, "use_dictionary": dictionary,
            "column_encoding": dict.fromkeys(delta, "DELTA_BYTE_ARRAY")}  # fmt: skip


def _dict_indices(indices: np.ndarray, dictionary: pa.Array, index_type) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array(indices, type=index_type), dictionary)


def teacher_ids(prefix: np.ndarray, number: np.ndarray) -> pa.Array:
    """``adcode-Tnnnnnnn`` strings built in one buffer (``prefix``: n × 8 bytes)."""
    n = len(number)
    if n and int(number.max()) >= 10_000_000:
        raise ValueError("more than 9,999,999 teacher ids in one county")
    data = np.concatenate([prefix, _DIGITS3[number // 10_000], _DIGITS4[number % 10_000]], axis=1)
    offsets = np.arange(0, 15 * n + 1, 15, dtype=np.int32)
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(offsets.tobytes()), pa.py_buffer(data.tobytes())
    )


def _digit_table(width: int) -> np.ndarray:
    """Row i: the ASCII digits of i, zero-padded to ``width``."""
    return np.frombuffer("".join(f"{i:0{width}d}" for i in range(10**width)).encode(), np.uint8)


_DIGITS3 = _digit_table(3).reshape(-1, 3)
_DIGITS4 = _digit_table(4).reshape(-1, 4)


class Chunk:
    """The counties of one province: their schools, teachers and resources as Arrow tables."""

    def __init__(self, counties: list[CountySchools], teachers: list, resources: list) -> None:
        self.counties, self.teachers, self.resources = counties, teachers, resources
        codes = [s.adcode for s in counties]
        self.adcodes = pa.array(codes, pa.string())
        self.register = pa.array([i for s in counties for i in s.school_id], pa.string())
        sizes = [len(s.level) for s in counties]
        self.offset = np.concatenate([[0], np.cumsum(sizes)])[:-1]
        self.prefix = np.frombuffer("".join(f"{a}-T" for a in codes).encode(), np.uint8)
        self.prefix = self.prefix.reshape(len(codes), 8)

    def schools(self, j: int, year: int) -> pa.Table:
        cols: dict[str, list] = defaultdict(list)
        for k, s in enumerate(self.counties):
            m = s.open[:, j]
            idx = np.flatnonzero(m)
            cols["school_id"] += [s.school_id[i] for i in idx]
            cols["name"] += [s.name[i] for i in idx]
            cols["adcode"].append(np.full(len(idx), k, np.int16))
            cols["level"].append(s.level[m])
            cols["ownership"].append(s.private[m].astype(np.int8))
            kg = s.level[m] == 0
            cols["inclusive"].append(pa.array(s.inclusive[m, j], mask=~kg))
            cols["enrolment"].append(s.enrolment[m, j].astype(np.int32))
            cols["boarding"].append(s.boarding[m])
            cols["special_classes"].append(s.special_classes[m])
            cols["meets_standard"].append(s.meets[m, j])
        cat = np.concatenate
        n = len(cols["school_id"])
        arrays = [
            pa.array(cols["school_id"], pa.string()), pa.array(cols["name"], pa.string()),
            _dict_indices(cat(cols["adcode"]), self.adcodes, pa.int16()),
            pa.array(np.full(n, year, np.int16)),
            _dict_indices(cat(cols["level"]), pa.array(LEVELS), pa.int8()),
            _dict_indices(cat(cols["ownership"]), pa.array(OWNERSHIP), pa.int8()),
            pa.concat_arrays(cols["inclusive"]) if n else pa.array([], pa.bool_()),
            pa.array(cat(cols["enrolment"])), pa.array(cat(cols["boarding"])),
            pa.array(cat(cols["special_classes"])), pa.array(cat(cols["meets_standard"])),
        ]  # fmt: skip
        return pa.Table.from_arrays(arrays, schema=SCHOOL_SCHEMA)

    def teacher_table(self, j: int, year: int) -> pa.Table:
        parts = [t[j] for t in self.teachers]
        county = np.concatenate([np.full(len(p["number"]), k, np.int16)
                                 for k, p in enumerate(parts)])  # fmt: skip
        number = np.concatenate([p["number"] for p in parts])
        school = np.concatenate([p["school"] + self.offset[k] for k, p in enumerate(parts)])
        col = {k: np.concatenate([p[k] for p in parts])
               for k in ("years_at_school", "rotated", "key_teacher", "eligible", "exchange_years")}  # fmt: skip
        period = col["exchange_years"]
        arrays = [
            teacher_ids(self.prefix[county], number),
            _dict_indices(school.astype(np.int32), self.register, pa.int32()),
            _dict_indices(county, self.adcodes, pa.int16()),
            pa.array(np.full(len(number), year, np.int16)),
            pa.array(col["years_at_school"]), pa.array(col["rotated"]),
            pa.array(col["key_teacher"]), pa.array(col["eligible"]),
            pa.array(period, mask=period < 0),
        ]  # fmt: skip
        return pa.Table.from_arrays(arrays, schema=TEACHER_SCHEMA)

    def resource_table(self, j: int, year: int) -> pa.Table:
        ids, county, rows = [], [], defaultdict(list)
        for k, (s, r) in enumerate(zip(self.counties, self.resources, strict=True)):
            if not r:
                continue
            m = r["year_index"] == j
            ids += [s.school_id[i] for i in r["school"][m]]
            county.append(np.full(int(m.sum()), k, np.int16))
            for c in ("junior", "enrolment", *STANDARD):
                rows[c].append(r[c][m])
        if not ids:
            return RESOURCE_SCHEMA.empty_table()
        arrays = [
            pa.array(ids, pa.string()),
            _dict_indices(np.concatenate(county), self.adcodes, pa.int16()),
            pa.array(np.full(len(ids), year, np.int16)),
            _dict_indices(
                np.concatenate(rows["junior"]).astype(np.int8), pa.array(SECTIONS), pa.int8()
            ),  # fmt: skip
            *[
                pa.array(np.concatenate(rows[c])).cast(RESOURCE_SCHEMA.field(c).type)
                for c in ("enrolment", *STANDARD)
            ],
        ]
        return pa.Table.from_arrays(arrays, schema=RESOURCE_SCHEMA)
