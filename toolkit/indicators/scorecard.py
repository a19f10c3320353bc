"""The scorecard: every rule of a profile that the data supports, county by county.

:func:`check` runs each rule of the profile through its indicator and returns
one tidy table, county × rule. A rule whose indicator the toolkit cannot yet
compute, or whose input table is missing, is listed for every county with
status 数据缺失 and the reason — never skipped silently.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from ..targets import Profile, get_profile
from .common import MISSING
from .kindergartens import inclusive_kindergarten_coverage, public_kindergarten_share
from .special_education import special_education
from .teachers import BENCHMARKS, teacher_rotation

SCORECARD_COLUMNS = [
    "adcode", "name", "indicator", "rule", "title", "value", "target", "gap", "status",
    "deadline", "level", "note", "source",
]  # fmt: skip


def _tables(data: Any) -> dict[str, pd.DataFrame]:
    if isinstance(data, dict):
        return {k: v for k, v in data.items() if v is not None}
    return {
        k: getattr(data, k)
        for k in ("counties", "schools", "teachers")
        if getattr(data, k, None) is not None
    }


def _special(t: dict, prof: Profile, by: str) -> pd.DataFrame:
    r = special_education(t["counties"], t["schools"], prof)
    lacks = r["lacks"].fillna("")
    return r.assign(
        indicator="special_education",
        value=r["special_schools"].astype("float"),
        target=float("nan"),
        gap=float("nan"),
        note=[
            "；".join(x for x in (req, lack, note) if isinstance(x, str) and x)
            for req, lack, note in zip(r["requirement"], lacks, r["note"], strict=True)
        ],
    )


def _share(fn: Callable) -> Callable:
    def run(t: dict, prof: Profile, by: str) -> pd.DataFrame:
        return fn(t["schools"], t["counties"], prof, by=by).assign(indicator=fn.__name__)

    return run


def _rotation(t: dict, prof: Profile, by: str) -> pd.DataFrame:
    return teacher_rotation(t["teachers"], t["counties"], prof, by=by)


#: indicator → (tables it needs, function returning that indicator's rows).
RUNNERS: dict[str, tuple[tuple[str, ...], Callable]] = {
    "special_education": (("counties", "schools"), _special),
    "public_kindergarten_share": (("counties", "schools"), _share(public_kindergarten_share)),
    "inclusive_kindergarten_coverage": (
        ("counties", "schools"),
        _share(inclusive_kindergarten_coverage),
    ),
    **{name: (("counties", "teachers"), _rotation) for name in BENCHMARKS},
}


def check(data: Any, profile: str | Profile = "national", *, by: str = "county") -> pd.DataFrame:
    """Check every rule of ``profile`` against ``data``; one row per county and rule.

    ``data`` is anything with ``.counties``, ``.schools`` and ``.teachers``
    (such as :func:`toolkit.data.load_demo`'s result) or a dict of those tables.

    >>> from toolkit import data
    >>> card = check(data.load_demo(), "济宁")
    >>> card.groupby("indicator").size().to_dict()["public_kindergarten_share"]
    33
    """
    prof = get_profile(profile)
    tables = _tables(data)
    counties = tables.get("counties")
    if counties is None:
        raise ValueError("data 需要 counties 表 / data needs a counties table")
    frames, done = [], set()
    wanted = {r.indicator for r in prof.rules}
    for rule in prof.rules:
        if rule.indicator not in RUNNERS:
            frames.append(_unsupported(counties, rule, "本工具尚不能计算此指标 / not computed yet"))
            continue
        needs, run = RUNNERS[rule.indicator]
        lacking = [n for n in needs if n not in tables]
        if lacking:
            frames.append(_unsupported(counties, rule, f"缺少数据表 {lacking} / missing tables"))
            continue
        if run in done:  # one indicator function covers several rules (special education)
            continue
        done.add(run)
        out = run(tables, prof, by)
        frames.append(out[out["indicator"].isin(wanted)])
    card = pd.concat(frames, ignore_index=True)
    titles = {f"{r.profile}:{r.id}": (r.title_zh, r.level) for r in _all_rules(prof)}
    card["title"] = card["rule"].map(lambda x: titles.get(x, ("", ""))[0])
    card["level"] = card["rule"].map(lambda x: titles.get(x, ("", ""))[1])
    return card.reindex(columns=SCORECARD_COLUMNS).reset_index(drop=True)


def _all_rules(prof: Profile):
    yield from prof.rules
    for name in set(BENCHMARKS.values()):
        yield from get_profile(name).rules


def _unsupported(counties: pd.DataFrame, rule, reason: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "adcode": counties["adcode"].astype(str),
            "name": counties["name"],
            "indicator": rule.indicator,
            "rule": f"{rule.profile}:{rule.id}",
            "status": MISSING,
            "deadline": rule.deadline,
            "note": reason,
            "source": rule.source.citation,
        }
    )
