"""Excel export: the scorecard as a workbook (fill-in templates are in :mod:`toolkit.templates`).

:func:`write_scorecard` writes :func:`toolkit.check`'s table with one sheet per
city, a 总览 overview (statuses counted per rule and per county) and a 规则出处
sheet citing every rule. :func:`write_scorecard_csv` writes the same rows as a
CSV that Chinese Excel opens.

Example
-------
>>> import tempfile, openpyxl, toolkit
>>> from toolkit import data
>>> demo = data.load_demo()
>>> card = toolkit.check(demo, "济宁")
>>> with tempfile.TemporaryDirectory() as tmp:
...     out = write_scorecard(card, f"{tmp}/济宁.xlsx", counties=demo.counties,
...                           profile="济宁", demo=True)
...     openpyxl.load_workbook(out).sheetnames
['总览', '长治市', '平顶山市', '济宁市', '规则出处']
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .data import DEMO_LABEL
from .indicators import MET, MISSING, NOT_APPLICABLE, STATUS_EN, STATUSES, UNMET
from .indicators.outlook import AT_RISK, MET_NOW, OFF_TRACK, ON_TRACK
from .indicators.scorecard import SCORECARD_COLUMNS
from .indicators.teachers import BENCHMARKS
from .targets import LEVELS, Profile, ProfileError, get_profile

#: Scorecard column → (Chinese header, English shown in the header's comment).
HEADERS = {
    "adcode": ("行政区划代码", "adcode"), "name": ("县区名称", "county"),
    "city": ("地市", "city"), "indicator": ("指标", "indicator"), "rule": ("规则", "rule"),
    "title": ("要求", "target as the text states it"),
    "title_en": ("要求（英文）", "target in English"), "year": ("年份", "year"),
    "value": ("数值", "value"), "target": ("目标值", "target"),
    "gap": ("差距", "gap = value − target"), "status": ("状态", "status"),
    "deadline": ("期限（年）", "deadline (year)"), "level": ("层级", "level"),
    "note": ("说明", "note"), "source": ("出处", "source: file, line, quote"),
    "outlook": ("趋势研判", "outlook at the current pace"),
    "projected": ("期限时预计值", "projected value at the deadline"), "unit": ("单位", "unit"),
    "measure": ("细项", "measure"),
}  # fmt: skip
#: Columns of the 规则出处 sheet, Chinese → English.
RULE_HEADERS = {
    "规则": "rule", "要求": "target", "阈值": "threshold", "期限": "deadline", "层级": "level",
    "措辞": "modal verb", "出处文件": "source file", "行": "line", "原文": "quote",
}  # fmt: skip
#: Cell colours per status and outlook value.
COLOURS = {
    MET: "C6EFCE", UNMET: "FFC7CE", NOT_APPLICABLE: "D9D9D9", MISSING: "FFEB9C",
    MET_NOW: "C6EFCE", ON_TRACK: "E2EFDA", AT_RISK: "F4B084", OFF_TRACK: "FFC7CE",
}  # fmt: skip
#: Indicators whose value, target and gap are shares in [0, 1] (the card has no unit column).
SHARE_INDICATORS = {"public_kindergarten_share", "inclusive_kindergarten_coverage", *BENCHMARKS}
COUNT_INDICATORS = {"special_education"}  # value = number of special schools
PERCENT, GAP_PERCENT, COUNT, NUMBER = "0.0%", "+0.0%;-0.0%;0.0%", "#,##0", "#,##0.00"
HEADER_FILL = "DDEBF7"
OTHER_AREA = "其他地区"
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _fill(colour: str) -> PatternFill:
    return PatternFill("solid", start_color=colour, end_color=colour)


def _clean(value: object) -> object:
    """A value openpyxl can store: None for missing, Python scalars, no control characters."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _put(ws, row: int, col: int, value: object, fmt: str | None = None):
    """Write one cell; text that Excel would read as a formula stays text."""
    cell = ws.cell(row, col)
    cell.value = _clean(value)
    if isinstance(cell.value, str) and cell.value.startswith(_FORMULA_START):
        cell.data_type, cell.quotePrefix = "s", True
    if fmt and cell.value is not None:
        cell.number_format = fmt
    return cell


def _text_width(value: object) -> int:
    if isinstance(value, int | float):
        return 10
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(value))


def sheet_name(name: object, taken: set[str]) -> str:
    """A valid, unused sheet name: ≤31 characters, none of ``[]:*?/\\``; adds it to ``taken``.

    >>> taken = set()
    >>> sheet_name("长治市", taken), sheet_name("A/B: [x]", taken), sheet_name("长治市", taken)
    ('长治市', 'A_B_ _x_', '长治市_2')
    """
    base = _SHEET_BAD.sub("_", str(name)).strip().strip("'")[:31] or "Sheet"
    candidate, i = base, 2
    while candidate.lower() in taken or candidate.lower() == "history":
        suffix = f"_{i}"
        candidate, i = base[: 31 - len(suffix)] + suffix, i + 1
    taken.add(candidate.lower())
    return candidate


def _heading(ws, text: str, banner: str, ncols: int) -> None:
    """Row 1: title and date; row 2: the demo banner (or empty)."""
    ws.cell(1, 1, text).font = Font(bold=True, size=13)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(ncols, 1))
    if banner:
        cell = ws.cell(2, 1, banner)
        cell.font, cell.fill = Font(bold=True, color="9C0006", size=12), _fill("FFEB9C")
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=max(ncols, 1))


def _table(ws, frame: pd.DataFrame, top: int, english: dict, formats=None, filter=False) -> int:
    """Write ``frame`` with its header at row ``top``; returns the last row written.

    ``formats`` maps a column to a number format, or to a list of one format per row.
    Status and outlook cells are coloured; long text wraps.
    """
    formats = formats or {}
    for j, col in enumerate(frame.columns, 1):
        cell = _put(ws, top, j, col)
        cell.font, cell.fill = Font(bold=True), _fill(HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        if english.get(col):
            cell.comment = Comment(english[col], "toolkit")
        values, fmt = frame[col].tolist(), formats.get(col)
        for i, value in enumerate(values):
            out = _put(ws, top + 1 + i, j, value, fmt[i] if isinstance(fmt, list) else fmt)
            if isinstance(out.value, str) and out.value in COLOURS:
                out.fill = _fill(COLOURS[out.value])
        width = max([_text_width(col), *(_text_width(v) for v in values if _clean(v) is not None)])
        dim = ws.column_dimensions[get_column_letter(j)]
        dim.width = max(dim.width or 0, min(width + 2, 50))
        for row in ws.iter_rows(min_row=top + 1, min_col=j, max_col=j) if width > 48 else ():
            row[0].alignment = Alignment(wrap_text=True, vertical="top")
    last = top + len(frame)
    if filter:
        ws.freeze_panes = f"C{top + 1}"
        ws.auto_filter.ref = f"A{top}:{get_column_letter(max(frame.shape[1], 1))}{last}"
    return last


def _save(write, path: str | Path, suffix: str) -> Path:
    """Call ``write(path)``; a missing folder or a locked file raises a bilingual OSError."""
    path = Path(path)
    path = path if path.suffix else path.with_suffix(suffix)
    try:
        if not path.parent.is_dir():
            raise FileNotFoundError(2, "目录不存在 / folder does not exist")
        write(path)
    except OSError as e:
        raise OSError(
            f"无法写入 {path}（{e.strerror or e}）：请确认目录存在且可写，或先在 Excel 中关闭该文件。 / "
            f"Cannot write {path} ({e.strerror or e}): check the folder exists and is writable, "
            "or close the file in Excel."
        ) from e
    return path


def _tidy(card: pd.DataFrame) -> pd.DataFrame:
    """The card with every scorecard column (extras such as ``outlook`` after), index 0..n-1."""
    missing = [c for c in ("adcode", "rule", "status") if c not in card.columns]
    if missing:
        raise ValueError(
            f"计分卡缺少列 {missing}；请传入 toolkit.check(...) 的结果。 / "
            f"The scorecard lacks columns {missing}: pass the result of toolkit.check(...)."
        )
    extra = [c for c in card.columns if c not in SCORECARD_COLUMNS]
    out = card.reindex(columns=[*SCORECARD_COLUMNS, *extra]).reset_index(drop=True)
    return out.assign(adcode=out["adcode"].astype(str))


def _display(card: pd.DataFrame) -> pd.DataFrame:
    """Card columns as a reader sees them: Chinese headers and levels, whole-year deadlines."""
    deadline = pd.to_numeric(card["deadline"], errors="coerce").round().astype("Int64")
    out = card.assign(level=card["level"].map(lambda x: LEVELS.get(x, x)), deadline=deadline)
    return out.rename(columns={k: v[0] for k, v in HEADERS.items()})


def _formats(card: pd.DataFrame, prof: Profile | None) -> dict[str, list[str]]:
    """Number formats of 数值, 目标值 and 差距, row by row: a share, a count or a number."""
    units = {f"{r.profile}:{r.id}": r.unit for r in prof.rules} if prof else {}
    if "unit" in card.columns:  # the scorecard says each row's unit
        units |= dict(zip(card["rule"], card["unit"].fillna(""), strict=True))
    pairs = list(zip(card["indicator"], card["rule"], strict=True))
    share = [units.get(rule) == "share" or ind in SHARE_INDICATORS for ind, rule in pairs]
    value = [
        PERCENT if s else COUNT if ind in COUNT_INDICATORS else NUMBER
        for s, (ind, _) in zip(share, pairs, strict=True)
    ]
    gap = [GAP_PERCENT if s else NUMBER for s in share]
    return {HEADERS["value"][0]: value, HEADERS["target"][0]: value, HEADERS["gap"][0]: gap,
            HEADERS["projected"][0]: value}  # fmt: skip


def _areas(card: pd.DataFrame, counties: pd.DataFrame | None) -> tuple[pd.Series, list[str]]:
    """The sheet (city) of every card row, 其他地区 if unknown; and the sheets in order."""
    if counties is None:
        return pd.Series("达标情况", index=card.index), ["达标情况"]
    if not {"adcode", "city"} <= set(counties.columns):
        raise ValueError(
            "counties 需要 adcode 和 city 列才能按地市分表。 / "
            "counties needs adcode and city columns to split sheets by city."
        )
    city = pd.Series(pd.NA, index=card.index, dtype=object)
    for key in ("adcode", "city_adcode"):  # city_adcode: a card computed by="city"
        if key in counties.columns:
            lookup = counties.assign(k=counties[key].astype(str)).drop_duplicates("k")
            city = city.fillna(card["adcode"].map(lookup.set_index("k")["city"]))
    city = city.fillna(OTHER_AREA).astype(str)
    order = dict.fromkeys([*counties["city"].dropna().astype(str), OTHER_AREA])
    return city, [c for c in order if (city == c).any()]


def _counts(card: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    table = card.groupby(keys, sort=False, dropna=False)["status"].value_counts().unstack()
    table = table.reindex(columns=list(STATUSES)).fillna(0).astype(int)
    return table.assign(合计=table.sum(axis=1)).reset_index()


def _rule_table(card: pd.DataFrame, prof: Profile | None) -> pd.DataFrame:
    """Every rule of the profile, then any other rule of the card, with threshold and citation."""
    rows: dict[str, list] = {}

    def add(p: Profile, only: str | None = None) -> None:
        threshold = p.to_frame().set_index(["来自配置 from", "规则 rule"])["阈值 threshold"]
        for r in p.rules:
            key = f"{r.profile}:{r.id}"
            if key not in rows and only in (None, r.id):
                rows[key] = [key, r.title_zh, threshold[(r.profile, r.id)], r.deadline,
                             LEVELS.get(r.level, r.level), r.modal, r.source.file,
                             r.source.line, r.source.quote]  # fmt: skip

    if prof is not None:
        add(prof)
    for key, group in card.groupby("rule", sort=False):
        pid, _, rid = str(key).partition(":")
        if key and key not in rows and prof is not None:
            try:  # a benchmark rule from another shipped profile
                add(get_profile(pid), rid)
            except ProfileError:
                pass
        if key and key not in rows:  # no profile: what the card itself says
            first = group.iloc[0]
            cite = re.match(r"^(.*) 第(\d+)行：“(.*)”$", str(first["source"]), re.S)
            target = group["target"].dropna()
            fmt = "{:.0%}" if first["indicator"] in SHARE_INDICATORS else "{:,g}"
            deadline = pd.to_numeric(group["deadline"], errors="coerce").dropna()
            file, line, quote = cite.groups() if cite else (first["source"], None, "")
            rows[key] = [key, first["title"], fmt.format(target.iloc[0]) if len(target) else "—",
                         int(deadline.iloc[0]) if len(deadline) else None,
                         LEVELS.get(first["level"], first["level"]), "", file,
                         int(line) if line else None, quote]  # fmt: skip
    return pd.DataFrame(list(rows.values()), columns=list(RULE_HEADERS))


def write_scorecard(
    card: pd.DataFrame,
    path: str | Path,
    *,
    counties: pd.DataFrame | None = None,
    profile: str | Profile | None = None,
    title: str | None = None,
    demo: bool = False,
) -> Path:
    """Write a scorecard (:func:`toolkit.check`, ``by="county"``) to an .xlsx workbook.

    Sheets: 总览 (statuses counted per rule and per county); one sheet per city
    when ``counties`` (with ``adcode`` and ``city``) is given — rows of units not
    in it go to 其他地区 — else one 达标情况 sheet; and 规则出处 (every rule with
    threshold, deadline, level, modal verb and the file, line and quote it
    comes from; from ``profile`` when given, else parsed from the card). Every
    card row is on exactly one area sheet. Headers are Chinese with English in
    the cell comment; shares are numbers formatted 0.0%; statuses are coloured.
    ``demo=True`` puts a 示例数据（模拟） banner on every sheet. Returns the path.

    >>> import tempfile, openpyxl, toolkit
    >>> from toolkit import data
    >>> card = toolkit.check(data.load_demo(), "national")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     ws = openpyxl.load_workbook(write_scorecard(card, f"{tmp}/card.xlsx"))["达标情况"]
    ...     ws.max_row - 3 == len(card), "状态" in [c.value for c in ws[3]]
    (True, True)
    """
    card = _tidy(card)
    prof = get_profile(profile) if profile is not None else None
    if title is None:
        names = "、".join(dict.fromkeys(str(r).partition(":")[0] for r in card["rule"].dropna()))
        title = f"{prof.name_zh if prof else names} 目标达标情况"
    today = date.today()
    heading = f"{title} · 生成日期：{today.year}年{today.month}月{today.day}日"
    banner = f"{DEMO_LABEL}：教育数据为模拟，仅供演示，不能作为评估依据 / Simulated demo data: for demonstration only" if demo else ""  # fmt: skip
    english = {zh: en for zh, en in HEADERS.values()} | STATUS_EN | {"合计": "total"}
    wb = Workbook()
    overview, taken = wb.active, {"总览", "规则出处"}
    overview.title = "总览"
    shown, formats = _display(card), _formats(card, prof)
    area, names = _areas(card, counties)
    for name in names:
        ws = wb.create_sheet(sheet_name(name, taken))
        idx = [i for i, a in enumerate(area) if a == name]
        _heading(ws, f"{name} · {heading}", banner, shown.shape[1])
        _table(ws, shown.iloc[idx], 3, english, {k: [v[i] for i in idx] for k, v in formats.items()},
               filter=True)  # fmt: skip

    by_rule = _counts(card.fillna({"title": ""}), ["rule", "title"])
    keys = ["city", "adcode", "name"] if counties is not None else ["adcode", "name"]
    by_county = _counts(card.assign(city=area), keys)
    _heading(overview, f"总览 · {heading}", banner, by_county.shape[1])
    overview.cell(3, 1, "按规则统计 / statuses per rule").font = Font(bold=True)
    zh = {k: v[0] for k, v in HEADERS.items()}
    last = _table(overview, by_rule.rename(columns=zh), 4, english)
    overview.cell(last + 2, 1, "按区县统计 / statuses per county").font = Font(bold=True)
    _table(overview, by_county.rename(columns=zh), last + 3, english)

    ws = wb.create_sheet("规则出处")
    _heading(ws, f"规则出处 · {heading}", banner, len(RULE_HEADERS))
    _table(ws, _rule_table(card, prof), 3, RULE_HEADERS, filter=True)
    return _save(wb.save, path, ".xlsx")


def write_scorecard_csv(card: pd.DataFrame, path: str | Path) -> Path:
    """Write a scorecard as CSV, UTF-8 with BOM (opens in Chinese Excel), Chinese headers.

    Text that Excel would run as a formula (starting with = + - @) gets a leading ``'``.

    >>> import tempfile, toolkit
    >>> from toolkit import data
    >>> card = toolkit.check(data.load_demo(), "济宁")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     back = pd.read_csv(write_scorecard_csv(card, f"{tmp}/card.csv"), encoding="utf-8-sig")
    ...     len(back) == len(card), "状态" in back.columns
    (True, True)
    """
    out = _display(_tidy(card))
    for col in out.columns:
        if pd.api.types.is_object_dtype(out[col]) or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(
                lambda v: f"'{v}" if isinstance(v, str) and v.startswith(_FORMULA_START) else v
            )
    return _save(lambda p: out.to_csv(p, index=False, encoding="utf-8-sig"), path, ".csv")
