"""The 20万人口 line across China: which counties have 200,000 people or more.

The action plan (教基〔2023〕4号) asks every county of 200,000 people or more
(“20万人口以上”: 200,000 itself included) to run a special-education school.
:func:`population_line` draws that line through a census table (normally
:func:`toolkit.data.census_population`, the 2020 census) and summarises it by
province or city. It is pure: every table is passed in, nothing is read.

Census and boundaries do not list the same units: codes changed after 2020
(沙县 → 沙县区, 孟津县 + 吉利区 → 孟津区 …), the map has 香港、澳门、台湾 and
the census has NBS development zones (开发区, 新区) counted apart from their
host county. No unit is dropped: every county on the map is a row (without a
census population it is ``no_census``), and every census unit not on the map
is a row too (``not_on_map`` or ``zone``). :func:`census_recoding` reads the
code history (:mod:`toolkit.adcodes`) to tell :func:`population_line` which
old census codes are today's counties.

Example
-------
>>> import pandas as pd
>>> census = pd.DataFrame({"adcode": ["1", "2", "3"], "name": ["甲县", "乙县", "丙县"],
...                        "province": "子省", "population": [200_000, 199_999, 450_000]})
>>> line = population_line(census)
>>> line.counties["above"].tolist()  # 以上 includes the threshold itself
[True, False, True]
>>> line.summary[["province", "counties", "above", "share"]].values.tolist()[0]
['子省', 3, 2, 0.6666666666666666]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

#: What ``match`` says about each row of :attr:`PopulationLine.counties`.
MATCHES = {
    "matched": ("地图与普查代码一致", "same code on the map and in the census"),
    "recoded": ("普查后改码或合并，按代码沿革计入", "code changed after the census: matched through the code history"),
    "by_name": ("代码不同，按名称匹配", "codes differ: matched by name within the province"),
    "no_census": ("地图上有，普查中无此单位", "on the map, not in the census"),
    "not_on_map": ("普查中有，地图上无此单位", "in the census, not on the map"),
    "zone": ("普查单列的开发区（非行政区），人口未计入所在区县", "census development zone, counted apart from its host county"),
}  # fmt: skip
#: Rows of the map (the ``counties`` table) — the units counted in the summary.
ON_MAP = ("matched", "recoded", "by_name", "no_census")
#: Chinese headers for :attr:`PopulationLine.summary`.
SUMMARY_ZH = {
    "province": "省份", "city": "城市", "counties": "区县数", "with_population": "有人口数据",
    "above": "达到人口线", "share": "占比", "no_census": "无普查人口", "not_on_map": "普查有、地图无",
}  # fmt: skip
TOTAL = "合计"
_COLUMNS = ["adcode", "name", "city", "province", "population", "above", "band", "match",
            "census_codes", "note"]  # fmt: skip
Recoding = Mapping[str, str | Sequence[str]]


@dataclass(frozen=True, eq=False)
class PopulationLine:
    """What :func:`population_line` found.

    ``counties``: one row per county on the map, then one per census unit not on
    it — ``adcode``, ``name``, ``city``, ``province``, ``population``, ``above``
    (NA without a population), ``band`` (one of :attr:`bands`), ``match`` (a key
    of :data:`MATCHES`), ``census_codes`` (the census rows used) and ``note``.
    ``summary``: per province (or city) and a 合计 row — ``counties`` on the
    map, ``with_population``, ``above``, ``share`` (above ÷ with_population),
    ``no_census`` and ``not_on_map``.
    """

    counties: pd.DataFrame
    summary: pd.DataFrame
    threshold: float
    by: str

    @property
    def bands(self) -> tuple[str, str, str]:
        """Labels of ``band``: at or above the line, below it, no census population."""
        return band_labels(self.threshold)

    @property
    def unmatched(self) -> pd.DataFrame:
        """Rows on the map without a census population, and census units not on the map."""
        return self.counties[~self.counties["match"].isin(ON_MAP[:3])].reset_index(drop=True)


def band_labels(threshold: float) -> tuple[str, str, str]:
    """Chinese labels for the three bands of a population line.

    >>> band_labels(200_000)
    ('20万人及以上', '不足20万人', '无普查人口')
    """
    wan = f"{threshold / 10_000:g}万人"
    return f"{wan}及以上", f"不足{wan}", "无普查人口"


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[column].astype(object).where(frame[column].notna(), "").astype(str)


def _census_rows(census: pd.DataFrame, on_map: set[str]) -> pd.DataFrame:
    """Census rows that are counties, zones, or on the map (东莞: a city without districts)."""
    missing = [c for c in ("adcode", "population") if c not in census.columns]
    if missing:
        raise ValueError(
            f"census 缺少列 {missing}（需要 adcode、population）；可用 toolkit.data.census_population()。 / "
            f"census lacks {missing} (needs adcode, population): see toolkit.data.census_population()."
        )
    out = pd.DataFrame({"adcode": census["adcode"].astype(str).str.strip()})
    for col in ("name", "city", "province", "level"):
        out[col] = _text(census, col)
    out["population"] = pd.to_numeric(census["population"], errors="coerce")
    if "level" in census.columns:
        out = out[out["level"].isin(["county", "zone"]) | out["adcode"].isin(on_map)]
    return out.drop_duplicates("adcode").reset_index(drop=True)


def _label(code: str, name: str) -> str:
    return f"{name}（{code}）" if name else code


_PREFECTURE = "普查中列为地级单位（不设区的市） / a prefecture in the census"


def _match(units: pd.DataFrame, cen: pd.DataFrame, recode: Recoding) -> tuple[dict, ...]:
    """Which census rows feed each map unit (by code, through ``recode``, then by name).

    Returns ``feeds`` (unit → census codes), ``how`` (unit → match), ``notes``
    (unit → notes) and ``split_note`` (old census code → why it is listed).
    """
    codes, cen_codes = set(units["adcode"]), set(cen["adcode"])
    names = dict(zip(cen["adcode"], cen["name"], strict=True))
    feeds = {a: [a] for a in units["adcode"] if a in cen_codes}
    how = dict.fromkeys(feeds, "matched")
    notes: dict[str, list[str]] = {a: [] for a in codes}
    split_note: dict[str, str] = {}
    for old, new in recode.items():
        if old not in cen_codes or old in codes:
            continue
        label = _label(old, names[old])
        if isinstance(new, str) and new in codes:
            feeds.setdefault(new, []).append(old)
            how[new] = "recoded"
            notes[new].append(f"含2020年后并入的{label} / incl. {old}, merged after 2020")
        elif not isinstance(new, str) and (targets := [t for t in new if t in codes]):
            split_note[old] = (
                f"2020年后拆分至 {'、'.join(targets)}，人口无法分配 / split after 2020 among "
                f"{', '.join(targets)}: its population cannot be divided"
            )
            for t in targets:
                notes[t].append(f"部分区域来自拆分的{label}，其人口未计入 / part of {old} "
                                "joined after 2020, not in this population")  # fmt: skip
    used = {c for cs in feeds.values() for c in cs}
    left = cen[~cen["adcode"].isin(used) & (cen["level"] != "zone")]
    left = left[~left.duplicated(["province", "name"], keep=False)]
    spare = left.set_index(["province", "name"])["adcode"].to_dict()
    unique = ~units.duplicated("name", keep=False) & units["name"].ne("")
    for a, p, n in units.loc[
        unique & ~units["adcode"].isin(feeds), ["adcode", "province", "name"]
    ].values:
        if (code := spare.pop((p, n), None)) is not None:
            feeds[a], how[a] = [code], "by_name"
            notes[a].append(f"按名称对应普查代码 {code} / matched by name to census code {code}")
    return feeds, how, notes, split_note


def population_line(
    census: pd.DataFrame,
    counties: pd.DataFrame | None = None,
    threshold: float = 200_000,
    by: str = "province",
    *,
    recode: Recoding | None = None,
) -> PopulationLine:
    """Counties at or above ``threshold`` people (以上: ≥), per province or city.

    ``census`` has ``adcode`` and ``population`` (and ``name``, ``city``,
    ``province``, ``level`` where known: :func:`toolkit.data.census_population`).
    With a ``level`` column only counties, zones and units on the map are used
    (not provincial or prefectural totals). ``counties`` is the map
    (:func:`toolkit.geo.read_counties`: ``adcode``, ``name``, ``city``,
    ``province``); without it the census counties are the units. ``recode``
    maps old census codes to today's code (populations of codes merged into one
    county are added up) or to several codes (a split: the 2020 population
    cannot be divided, so the old unit is listed and its successors say so);
    :func:`census_recoding` builds it. A census row whose code is not on the
    map is then matched by its name within the same province, if unique.

    >>> census = pd.DataFrame({"adcode": ["11", "12", "13", "14"],
    ...     "name": ["甲县", "乙县", "丙县", "丁区"], "province": "子省",
    ...     "population": [150_000, 60_000, 250_000, 90_000]})
    >>> today = pd.DataFrame({"adcode": ["11", "21", "31"], "name": ["甲县", "乙区", "港区"],
    ...                       "province": ["子省", "子省", "丑省"]})
    >>> line = population_line(census, today, recode={"12": "21", "14": "11"})
    >>> line.counties[["name", "population", "above", "match"]].values.tolist()
    [['甲县', 240000, True, 'recoded'], ['乙区', 60000, False, 'recoded'], ['港区', <NA>, <NA>, 'no_census'], ['丙县', 250000, True, 'not_on_map']]
    >>> line.summary[["province", "counties", "above", "no_census", "not_on_map"]].values.tolist()
    [['子省', 2, 1, 0, 1], ['丑省', 1, 0, 1, 0], ['合计', 3, 1, 1, 1]]
    """
    if not threshold or threshold <= 0:
        raise ValueError(f"人口线应为正数，收到 {threshold!r} / threshold must be positive")
    if counties is not None and "adcode" not in counties.columns:
        raise ValueError("counties 需要 adcode 列 / counties needs an adcode column")
    on_map = set(counties["adcode"].astype(str)) if counties is not None else set()
    cen = _census_rows(census, on_map)
    if counties is None:
        units = cen[cen["level"] != "zone"][["adcode", "name", "city", "province"]]
    else:
        units = pd.DataFrame({"adcode": counties["adcode"].astype(str)})
        for col in ("name", "city", "province"):
            units[col] = _text(counties, col)
    units = units.drop_duplicates("adcode").reset_index(drop=True)
    if by not in ("province", "city") or (
        by not in census.columns and (counties is None or by not in counties.columns)
    ):
        raise ValueError(
            f"无法按“{by}”汇总：by 应为 province 或 city，且表中要有该列 / "
            f"cannot group by {by!r}: use province or city, with that column in the tables"
        )

    feeds, how, notes, split_note = _match(units, cen, recode or {})
    used = {c for cs in feeds.values() for c in cs}
    pops = dict(zip(cen["adcode"], cen["population"], strict=True))
    levels = dict(zip(cen["adcode"], cen["level"], strict=True))
    on = units.assign(
        population=[sum(pops[c] for c in feeds[a]) if a in feeds else None for a in units["adcode"]],
        match=[how.get(a, "no_census") for a in units["adcode"]],
        census_codes=["；".join(feeds.get(a, [])) for a in units["adcode"]],
        note=["；".join(notes.get(a, []) + [_PREFECTURE] * (levels.get(a) == "prefecture"))
              for a in units["adcode"]],
    )  # fmt: skip
    off = cen[~cen["adcode"].isin(used)].assign(
        match=lambda f: f["level"].map(lambda v: "zone" if v == "zone" else "not_on_map"),
        census_codes=lambda f: f["adcode"],
        note=lambda f: f["adcode"].map(lambda a: split_note.get(a, "")),
    )
    out = pd.concat([on, off], ignore_index=True).reindex(columns=_COLUMNS)
    out["population"] = pd.to_numeric(out["population"]).round().astype("Int64")
    out["above"] = (out["population"] >= threshold).astype("boolean")
    hi, lo, none = band_labels(threshold)
    out["band"] = out["above"].map({True: hi, False: lo}).fillna(none).astype(str)
    out["note"] = [
        n if m in ON_MAP[:3] else "；".join(filter(None, [f"{MATCHES[m][0]} / {MATCHES[m][1]}", n]))
        for m, n in zip(out["match"], out["note"], strict=True)
    ]
    return PopulationLine(out, _summary(out, by), float(threshold), by)


def _summary(rows: pd.DataFrame, by: str) -> pd.DataFrame:
    """Counts per ``by`` value, in order of first appearance, and a 合计 row."""
    mapped = rows["match"].isin(ON_MAP)
    frame = rows.assign(
        counties=mapped,
        with_population=mapped & rows["population"].notna(),
        above=mapped & rows["above"].fillna(False).astype(bool),
        no_census=rows["match"].eq("no_census"),
        not_on_map=~mapped,
    )
    cols = ["counties", "with_population", "above", "no_census", "not_on_map"]
    out = frame.groupby(by, sort=False)[cols].sum().reset_index()
    out = pd.concat([out, pd.DataFrame([{by: TOTAL, **out[cols].sum().to_dict()}])])
    out = out.astype(dict.fromkeys(cols, "int64")).reset_index(drop=True)
    out.insert(4, "share", out["above"] / out["with_population"].where(out["with_population"] > 0))
    return out


def census_recoding(
    census: pd.DataFrame, counties: pd.DataFrame
) -> dict[str, str | tuple[str, ...]]:
    """Old census codes → today's code(s) on the map, for :func:`population_line`'s ``recode``.

    Reads the code history from the data directory through
    :func:`toolkit.adcodes.recode`; without it the mapping is empty and those
    units stay listed as unmatched. A code retired into one county on the map
    maps to that code; a code split among several maps to a tuple of them.

    >>> from toolkit import data, geo
    >>> today = geo.read_counties("福建", simplified="national")
    >>> recoding = census_recoding(data.census_population(), today)
    >>> recoding["350427"], recoding["350681"]  # 沙县 → 沙县区; 龙海市 split in 2021
    ('350405', ('350603', '350604'))
    """
    from .. import adcodes

    codes = set(counties["adcode"].astype(str))
    cen = _census_rows(census, codes)
    old = cen.loc[(cen["level"] != "zone") & ~cen["adcode"].isin(codes), "adcode"]
    out: dict[str, str | tuple[str, ...]] = {}
    for code, new, status, successors in adcodes.recode(old.tolist())[
        ["code", "adcode", "status", "new_name"]
    ].values:
        if status == "recoded" and new in codes:
            out[code] = new
        elif status == "split" and (
            targets := tuple(t for t in successors.split("、") if t in codes)
        ):
            out[code] = targets
    return out
