"""County identity: today's county codes, the history of old codes, and name matching.

Bureau spreadsheets carry codes from before a reorganisation (长治 2018:
140402 城区 + 140411 郊区 → 140403 潞州区, 140421 长治县 → 140404 上党区 …;
济宁 2013: 370802 市中区 → 370811 任城区, 370882 兖州市 → 370812 兖州区) and
county names with or without their suffix (潞州 / 潞州区). This module turns
both into today's 6-digit code.

* Today's units are those of :func:`toolkit.geo.read_counties` (the shipped
  boundaries) plus any county-level code the code history lists as in use.
* The code history is yescallop/areacodes (CC0; compiled from MCA's annual code
  lists and change notices), read from the data directory like the census
  table (:mod:`toolkit.sources`). An old code whose successors are one current
  code is recoded; one that was split among several is reported, not guessed.

Example
-------
>>> from toolkit import adcodes
>>> adcodes.recode(["140421", "140404", "999999"])[["code", "adcode", "status"]].values.tolist()
[['140421', '140404', 'recoded'], ['140404', '140404', 'current'], ['999999', None, 'unknown']]
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import pandas as pd

#: What :func:`recode` says about each code.
STATUSES = {
    "current": ("现行代码", "current code"),
    "recoded": ("旧代码已改为现行代码", "old code recoded to today's code"),
    "split": ("旧代码对应多个现行区县，无法自动改码", "old code split among several counties"),
    "not_county": ("不是县级代码（省或地市代码）", "not a county-level code"),
    "unknown": ("不存在的行政区划代码", "no such administrative code"),
    "malformed": ("代码应为6位数字", "a code has 6 digits"),
}
_SUFFIX = re.compile(r"(自治县|自治旗|林区|特区|新区|县|区|市|旗)$")


@functools.cache
def counties() -> pd.DataFrame:
    """Today's county-level units: adcode, name, city_adcode, city, province_adcode, province.

    >>> counties().set_index("adcode").loc["140404", "name"]
    '上党区'
    """
    from .geo import read_counties

    frame = pd.DataFrame(read_counties(simplified="national").drop(columns="geometry"))
    return frame.reset_index(drop=True)


@functools.cache
def history() -> pd.DataFrame | None:
    """The code history (one row per code and period), or None when it is not available.

    Columns: ``code``, ``province``, ``city``, ``name``, ``level`` (省级/地级/县级),
    ``status`` (在用/弃用/变更), ``start``, ``end`` (years; in use from start
    to end, end exclusive) and ``successors`` (codes, ``;``-separated, each
    optionally followed by ``[year]``).
    """
    from . import sources

    try:
        path = sources.fetch("admin_codes")
    except sources.SourceError:
        return None
    raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    raw.columns = [
        "code",
        "province",
        "city",
        "name",
        "level",
        "status",
        "start",
        "end",
        "successors",
    ]
    raw["start"] = pd.to_numeric(raw["start"], errors="coerce").astype("Int64")
    raw["end"] = pd.to_numeric(raw["end"], errors="coerce").astype("Int64")
    return raw


@functools.cache
def _current() -> frozenset[str]:
    codes = set(counties()["adcode"])
    hist = history()
    if hist is not None:
        used = hist[(hist["status"] == "在用") & (hist["level"] == "县级")]
        codes |= set(used["code"])
    return frozenset(codes)


def _successors(text: str) -> list[str]:
    return [re.sub(r"\[\d+\]$", "", s) for s in text.split(";") if s]


def _resolve(code: str, hist: pd.DataFrame, depth: int = 0) -> tuple[set[str], pd.Series | None]:
    """Today's codes an old code leads to, and the history row it left by."""
    if code in _current():
        return {code}, None
    rows = hist[(hist["code"] == code) & (hist["status"] != "在用")]
    if rows.empty or depth > 12:
        return set(), None
    row = rows.sort_values("end", na_position="first").iloc[-1]  # the latest retirement
    out: set[str] = set()
    for nxt in _successors(row["successors"]):
        if nxt != code:
            out |= _resolve(nxt, hist, depth + 1)[0]
    return out, row


def recode(codes: Iterable[object]) -> pd.DataFrame:
    """Today's county code for each code given, with what was done and why.

    Returns one row per input (same order): ``code`` (the input, cleaned),
    ``adcode`` (today's code, or None), ``status`` (a key of :data:`STATUSES`),
    ``old_name``, ``new_name``, ``changed`` (year of the change) and
    bilingual ``reason_zh`` / ``reason_en`` (empty for current codes).
    Without the code history (offline, not in the data directory) old codes
    are ``unknown`` and the reason says the history was unavailable.

    >>> r = recode(["140402", "370882"]).set_index("code")
    >>> r.loc["140402", "adcode"], r.loc["370882", "new_name"], int(r.loc["370882", "changed"])
    ('140403', '兖州区', 2013)
    """
    names = counties().set_index("adcode")["name"]
    hist = history()
    rows = []
    for raw in codes:
        code = "" if raw is None or (isinstance(raw, float) and pd.isna(raw)) else str(raw).strip()
        rec = {"code": code, "adcode": None, "status": "unknown", "old_name": "",
               "new_name": "", "changed": None}  # fmt: skip
        if not re.fullmatch(r"\d{6}", code):
            rec["status"] = "malformed"
        elif code in _current():
            rec.update(adcode=code, status="current", new_name=names.get(code, ""))
        elif hist is not None:
            found, left = _resolve(code, hist)
            if left is not None:
                rec["old_name"], rec["changed"] = left["name"], left["end"]
            if len(found) == 1:
                new = found.pop()
                rec.update(adcode=new, status="recoded", new_name=names.get(new, ""))
            elif len(found) > 1:
                rec.update(status="split", new_name="、".join(sorted(found)))
            elif code.endswith("00") or code[2:] == "0000":
                rec["status"] = "not_county" if (hist["code"] == code).any() else "unknown"
        rec["reason_zh"], rec["reason_en"] = _reason(rec, hist is not None)
        rows.append(rec)
    cols = ["code", "adcode", "status", "old_name", "new_name", "changed", "reason_zh", "reason_en"]
    out = pd.DataFrame(rows, columns=cols).astype({"changed": "Int64"})
    out["adcode"] = out["adcode"].astype(object).where(out["adcode"].notna(), None)
    return out


def _reason(rec: dict, have_history: bool) -> tuple[str, str]:
    status, code = rec["status"], rec["code"]
    if status == "current":
        return "", ""
    if status == "recoded":
        return (
            f"旧代码 {code}（{rec['old_name']}，{rec['changed']}年调整）已改为现行代码 "
            f"{rec['adcode']}（{rec['new_name']}）",
            f"old code {code} ({rec['old_name']}, changed {rec['changed']}) recoded to "
            f"{rec['adcode']} ({rec['new_name']})",
        )
    if status == "split":
        return (
            f"旧代码 {code}（{rec['old_name']}）已分入多个区县（{rec['new_name']}），"
            "请按现行区县填写代码",
            f"old code {code} ({rec['old_name']}) was split among {rec['new_name']}; "
            "enter today's county code",
        )
    zh, en = STATUSES[status]
    if status == "unknown" and not have_history:
        return (
            f"代码 {code} 不是现行县级代码（无代码历史数据，无法识别旧代码）",
            f"{code} is not a current county code (code history unavailable, old codes not recognised)",
        )
    return f"代码 {code!r}：{zh}", f"code {code!r}: {en}"


def short_name(name: str) -> str:
    """A county name without its suffix, for matching 潞州 with 潞州区.

    >>> short_name("潞州区"), short_name("鄂温克族自治旗"), short_name("沁县")
    ('潞州', '鄂温克族', '沁')
    """
    return _SUFFIX.sub("", str(name).strip())


def match_names(
    names: Iterable[object], province: str | None = None, city: str | None = None
) -> pd.DataFrame:
    """Today's county code for each county name, looked up within a province or city.

    A name matches with or without its suffix (县/区/市/旗 …). Returns ``name``,
    ``adcode`` (None when unknown or ambiguous), ``candidates`` (codes when
    the name is ambiguous, e.g. 城区 in several cities without a city given)
    and ``old_code``: a name retired by a reorganisation (长治县) is found in
    the code history and mapped to today's unit.

    >>> match_names(["潞州", "沁县", "长治县", "城区", "北京"], city="长治市")["adcode"].tolist()
    ['140403', '140430', '140404', '140403', None]
    """
    table = counties()
    if province is not None or city is not None:
        from .geo import read_counties

        keep = set(read_counties(province, city, simplified="national")["adcode"])
        table = table[table["adcode"].isin(keep)]
    full = table.groupby("name")["adcode"].apply(list).to_dict()
    short = table.assign(s=table["name"].map(short_name)).groupby("s")["adcode"].apply(list)
    # a retired name is looked for in the city when one is given (长治's 城区, not 大同's), else
    # in the province: the whole province would make 城区 or 郊区 ambiguous in every city
    scope = set(table["city"]) if city else set(table["province"]) if province else None
    rows = []
    for name in names:
        text = re.sub(r"\s+", "", str(name))
        hits, old = full.get(text) or short.get(short_name(text)) or [], ""
        if not hits:
            hits, old = _old_name(text, scope)
        rows.append(
            {
                "name": text,
                "adcode": hits[0] if len(hits) == 1 else None,
                "candidates": "、".join(hits) if len(hits) > 1 else "",
                "old_code": old,
            }  # fmt: skip
        )
    out = pd.DataFrame(rows, columns=["name", "adcode", "candidates", "old_code"])
    out["adcode"] = out["adcode"].astype(object).where(out["adcode"].notna(), None)
    return out


def _old_name(text: str, scope: set[str] | None) -> tuple[list[str], str]:
    """Today's codes for a retired county name (长治县 → 上党区), within the scope's names."""
    hist = history()
    if hist is None:
        return [], ""
    old = hist[(hist["level"] == "县级") & (hist["status"] != "在用")]
    old = old[(old["name"] == text) | (old["name"].map(short_name) == short_name(text))]
    if scope is not None:
        old = old[old["city"].isin(scope) | old["province"].isin(scope)]
    found = {c for code in old["code"].unique() for c in _resolve(code, hist)[0]}
    codes = "、".join(sorted(old["code"].unique()))
    return sorted(found), codes
