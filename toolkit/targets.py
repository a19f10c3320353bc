"""Target profiles: the policy rules the toolkit checks, each with its source.

A profile is a TOML file (``toolkit/profiles/*.toml``) holding one jurisdiction's
quantified targets. Every rule names the document, the line and a short quote it
comes from (``source.ref``: its row in ``research/policy_targets.csv``). A city
profile ``extends`` the national one and overrides rules that share an ``id``;
the 2021 reform-zone plans stand alone. Numbers that no policy text gives are
*parameters*; a rule marks them ``user_chosen = true`` and the UI labels them.

A bureau can write its own profile file and load it with :func:`load_profile`
without touching code.

Example
-------
>>> from toolkit import targets
>>> p = targets.get_profile("长治")
>>> p.rule("sped_school_200k").requires
'standard_special_school'
"""

from __future__ import annotations

import operator
import tomllib
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import pandas as pd

PROFILE_DIR = Path(__file__).parent / "profiles"

#: Comparators a rule may use, as written in profile files.
COMPARATORS = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
}

#: The unit a text sets a rule for. ``jurisdiction`` rules apply to a whole city or
#: country: per county they are a benchmark, and the UI says so.
LEVELS = {"county": "县级", "jurisdiction": "全域（逐县比较为参照）", "school": "每所学校",
          "township": "每个乡镇"}  # fmt: skip


class ProfileError(ValueError):
    """A profile is missing or malformed. The message is bilingual."""


@dataclass(frozen=True)
class Source:
    """Where a rule comes from: policy file, line and a short exact quote."""

    file: str
    line: int
    quote: str
    ref: str = ""

    @property
    def place(self) -> str:
        """File and line, e.g. ``003_….txt 第7行``."""
        return f"{self.file} 第{self.line}行"

    @property
    def citation(self) -> str:
        """File, line and quote, as every result's ``source`` column shows it."""
        return f"{self.place}：“{self.quote}”"


@dataclass(frozen=True)
class Condition:
    """A population condition such as ``>= 200000`` (以上 counts the number itself)."""

    comparator: str
    value: float

    @classmethod
    def parse(cls, text: str) -> Condition:
        """Parse ``">= 200000"``.

        >>> Condition.parse(">= 200000")
        Condition(comparator='>=', value=200000.0)
        """
        parts = text.split()
        if len(parts) != 2 or parts[0] not in COMPARATORS:
            raise ProfileError(
                f"条件格式应为“>= 200000”，实际为“{text}”。 / "
                f"A condition looks like '>= 200000'; got '{text}'."
            )
        return cls(parts[0], float(parts[1]))

    def holds(self, x: float) -> bool:
        """Whether ``x`` satisfies the condition."""
        return bool(COMPARATORS[self.comparator](x, self.value))

    def with_value(self, value: float) -> Condition:
        """The same comparator with another threshold (a user-chosen parameter)."""
        return replace(self, value=float(value))


@dataclass(frozen=True)
class Rule:
    """One quantified target from a policy text.

    ``comparator``/``threshold`` are what a computation checks (shares as fractions);
    a direction or a structure has none. ``target_text`` is the requirement as read
    (“≥ 60%（力争）”, “五级”); ``deadline_text`` a deadline that is no plain year
    (“2025 (前)”, “3–5 yrs”); ``modal`` the text's hedge (力争, 原则上 …) or empty.
    """

    id: str
    indicator: str
    title_zh: str
    title_en: str
    source: Source
    level: str = "county"
    requires: str = ""
    population: Condition | None = None
    comparator: str = ""
    threshold: float | None = None
    unit: str = ""
    deadline: int | None = None
    modal: str = ""
    user_chosen: bool = False
    note_zh: str = ""
    note_en: str = ""
    profile: str = ""
    deadline_text: str = ""
    target_text: str = ""

    @property
    def is_benchmark(self) -> bool:
        """True when the text sets the target for a whole jurisdiction, not per county."""
        return self.level == "jurisdiction"


@dataclass(frozen=True)
class Profile:
    """A set of rules for one jurisdiction, with the document they come from."""

    id: str
    name_zh: str
    name_en: str
    jurisdiction: str
    document: str
    source_file: str
    rules: tuple[Rule, ...]
    aliases: tuple[str, ...] = ()
    extends: str = ""
    issued: str = ""
    horizon: int | None = None
    version: str = ""
    path: str = field(default="", compare=False)

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id (raises a bilingual error listing the ids)."""
        for r in self.rules:
            if r.id == rule_id:
                return r
        ids = "、".join(r.id for r in self.rules)
        raise ProfileError(
            f"配置“{self.id}”中没有规则“{rule_id}”，可用：{ids} / "
            f"Profile '{self.id}' has no rule '{rule_id}'; available: {ids}"
        )

    def rules_for(self, indicator: str) -> tuple[Rule, ...]:
        """All rules of one indicator, in file order."""
        return tuple(r for r in self.rules if r.indicator == indicator)

    @property
    def own_rules(self) -> tuple[Rule, ...]:
        """The rules this profile's own file sets (not those inherited via ``extends``).

        >>> p = get_profile("济宁")
        >>> len(p.own_rules) < len(p.rules) and p.own_rules[0].profile
        'jining'
        """
        return tuple(r for r in self.rules if r.profile == self.id)

    def to_frame(self) -> pd.DataFrame:
        """The profile as a readable table, one row per rule.

        >>> t = get_profile("national").to_frame()
        >>> t.columns[:4].tolist()
        ['规则 rule', '指标 indicator', '要求 target', '目标 target text']
        >>> t.set_index("规则 rule").loc["pub_kg_share", ["目标 target text", "阈值 threshold"]].tolist()
        ['≥ 60%（力争）', '≥ 60%']
        """
        rows = []
        for r in self.rules:
            rows.append(
                {
                    "规则 rule": r.id,
                    "指标 indicator": r.indicator,
                    "要求 target": r.title_zh,
                    "目标 target text": r.target_text,
                    "阈值 threshold": _threshold_text(r),
                    "期限 deadline": r.deadline_text or r.deadline or "",
                    "措辞 modal": r.modal,
                    "层级 level": LEVELS.get(r.level, r.level),
                    "用户设定 user-chosen": "是" if r.user_chosen else "",
                    "出处 source": r.source.place,
                    "原文 quote": r.source.quote,
                    "来自配置 from": r.profile,
                }
            )
        return pd.DataFrame(rows)


REQUIRED_RULE_FIELDS = ("id", "indicator", "title_zh", "source")
REQUIRED_SOURCE_FIELDS = ("file", "line", "quote")


def _threshold_text(rule: Rule) -> str:
    """The number a computation checks: ``≥ 60%``, ``≥ 7,000 元/生·年``, ``人口 ≥ 200,000``.

    >>> _threshold_text(get_profile("三明").rule("compulsory_retention"))
    '≥ 99.3%'
    """
    sign = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}
    if rule.threshold is not None:
        if rule.unit == "share":
            value = f"{rule.threshold * 100:.1f}".rstrip("0").rstrip(".") + "%"
        else:
            unit = "" if rule.unit in ("", "coefficient") else f" {rule.unit}"
            value = f"{rule.threshold:,g}{unit}"
        return f"{sign.get(rule.comparator or '>=', rule.comparator)} {value}"
    if rule.population is not None:
        return f"人口 {sign[rule.population.comparator]} {rule.population.value:,.0f}"
    return "—" if rule.target_text else "—（原文无数值）"


def _number(x: object, kind: type | tuple = (int, float)) -> bool:
    return isinstance(x, kind) and not isinstance(x, bool)


def _read_rule(raw: dict, profile_id: str, path: Path) -> Rule:
    missing = [k for k in REQUIRED_RULE_FIELDS if k not in raw]
    if "source" in raw:
        missing += [f"source.{k}" for k in REQUIRED_SOURCE_FIELDS if k not in raw["source"]]
    if missing:
        rid = raw.get("id", "?")
        fields = ", ".join(missing)
        raise ProfileError(
            f"配置文件 {path} 的规则“{rid}”缺少字段：{fields}。 / "
            f"Rule '{rid}' in profile file {path} lacks: {fields}."
        )
    src = raw["source"]
    source = Source(str(src["file"]), int(src["line"]), str(src["quote"]), str(src.get("ref", "")))
    pop, rid, level = raw.get("population"), raw["id"], raw.get("level", "county")
    comparator, threshold, deadline = (raw.get(k) for k in ("comparator", "threshold", "deadline"))
    checks = {
        f"level ∈ {list(LEVELS)}": level in LEVELS,
        f"comparator ∈ {list(COMPARATORS)}": not comparator or comparator in COMPARATORS,
        "threshold = 数字 number": threshold is None or _number(threshold),
        "deadline = 年份 year": deadline is None or _number(deadline, int),
    }
    if wrong := "; ".join(k for k, ok in checks.items() if not ok):
        raise ProfileError(
            f"配置文件 {path} 的规则“{rid}”取值有误：{wrong} / "
            f"Rule '{rid}' in profile file {path} needs: {wrong}."
        )
    return Rule(
        id=rid,
        indicator=raw["indicator"],
        title_zh=raw["title_zh"],
        title_en=raw.get("title_en", ""),
        source=source,
        level=level,
        requires=raw.get("requires", ""),
        population=Condition.parse(pop) if pop else None,
        comparator=comparator or "",
        threshold=None if threshold is None else float(threshold),
        unit=raw.get("unit", ""),
        deadline=deadline,
        modal=raw.get("modal", ""),
        user_chosen=bool(raw.get("user_chosen", False)),
        note_zh=raw.get("note_zh", ""),
        note_en=raw.get("note_en", ""),
        profile=profile_id,
        deadline_text=str(raw.get("deadline_text", "")),
        target_text=raw.get("target_text", ""),
    )


def load_profile(path: str | Path) -> Profile:
    """Read a profile TOML file (a bureau's own or a shipped one).

    A profile with ``extends = "national"`` inherits the national rules and
    replaces those whose ``id`` it repeats.

    >>> load_profile(PROFILE_DIR / "jining.toml").rule("sped_school_200k").deadline
    2025
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProfileError(f"找不到配置文件 {path} / Profile file not found: {path}") from None
    except tomllib.TOMLDecodeError as e:
        raise ProfileError(
            f"配置文件 {path} 格式错误：{e} / Malformed TOML in {path}: {e}"
        ) from None
    head = raw.get("profile")
    if not head or "id" not in head:
        raise ProfileError(
            f"配置文件 {path} 缺少 [profile] 段或 id。 / {path} lacks a [profile] table with an id."
        )
    pid = head["id"]
    own = [_read_rule(r, pid, path) for r in raw.get("rules", [])]
    rules = own
    if head.get("extends"):
        # inherit the parent's rules in its order, replacing those this file repeats
        parent = get_profile(head["extends"])
        mine = {r.id: r for r in own}
        inherited = {r.id for r in parent.rules}
        rules = [mine.get(r.id, r) for r in parent.rules]
        rules += [r for r in own if r.id not in inherited]
    return Profile(
        id=pid,
        name_zh=head.get("name_zh", pid),
        name_en=head.get("name_en", pid),
        jurisdiction=head.get("jurisdiction", ""),
        document=head.get("document", ""),
        source_file=head.get("source_file", ""),
        rules=tuple(rules),
        aliases=tuple(head.get("aliases", ())),
        extends=head.get("extends", ""),
        issued=str(head.get("issued", "")),
        horizon=head.get("horizon"),
        version=str(head.get("version", "")),
        path=str(path),
    )


@cache
def _shipped() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for f in sorted(PROFILE_DIR.glob("*.toml")):
        head = tomllib.loads(f.read_text(encoding="utf-8"))["profile"]
        for key in (head["id"], *head.get("aliases", ()), head.get("name_zh", "")):
            if key:
                out[key] = f
    return out


def get_profile(name: str | Profile) -> Profile:
    """A shipped profile by id (``"national"``, ``"jining"``) or Chinese name (``"济宁"``).

    A :class:`Profile` is returned unchanged, so functions can take either.

    >>> get_profile("济宁").id
    'jining'
    """
    if isinstance(name, Profile):
        return name
    shipped = _shipped()
    if name not in shipped:
        known = "、".join(sorted({p.stem for p in shipped.values()}))
        raise ProfileError(
            f"未知的目标配置“{name}”，可用：{known}；或用 load_profile(路径) 读取自定义配置。 / "
            f"Unknown target profile '{name}'. Available: {known}; "
            "or read your own with load_profile(path)."
        )
    return _load_cached(str(shipped[name]))


@cache
def _load_cached(path: str) -> Profile:
    return load_profile(path)


def list_profiles() -> pd.DataFrame:
    """The shipped profiles: id, names, jurisdiction, document and rule count.

    >>> "national" in list_profiles()["id"].tolist()
    True
    """
    seen = sorted(set(_shipped().values()))
    rows = []
    for f in seen:
        p = _load_cached(str(f))
        rows.append(
            {
                "id": p.id,
                "name_zh": p.name_zh,
                "name_en": p.name_en,
                "jurisdiction": p.jurisdiction,
                "document": p.document,
                "extends": p.extends,
                "rules": len(p.rules),
                "version": p.version,
            }
        )
    order = {"national": 0}
    return (
        pd.DataFrame(rows)
        .sort_values("id", key=lambda s: s.map(lambda x: (order.get(x, 1), x)))
        .reset_index(drop=True)
    )
