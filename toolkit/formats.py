"""Numbers, percentages and labels as the pages show them: Chinese readers first, English beside.

Thousands separators and ``—`` for missing values; shares as percentages with
one decimal. :func:`in_language` turns the toolkit's fixed Chinese labels
(statuses, outlooks, special-education requirements) into English for the
English side of the UI; anything else (county names, quotes) is left as it is.

Example
-------
>>> format_int(219256, "人"), format_percent(0.6), in_language("未达标", "en")
('219,256人', '60.0%', 'falls short')
"""

from __future__ import annotations

import pandas as pd

from .indicators import OUTLOOK_EN, STATUS_EN
from .indicators.special_education import PROVISION_EN

#: Every fixed label the UI translates.
ENGLISH = {**OUTLOOK_EN, **STATUS_EN, **PROVISION_EN}


def in_language(text: object, lang: str = "zh") -> object:
    """``text`` in ``lang``: a known label translated for ``"en"``, anything else unchanged.

    >>> in_language("有风险", "en"), in_language("有风险", "zh"), in_language("叶县", "en")
    ('at risk', '有风险', '叶县')
    """
    if lang != "en" or not isinstance(text, str):
        return text
    return ENGLISH.get(text, text)


def format_int(x: object, unit: str = "") -> str:
    """Thousands-separated integer for Chinese readers; ``—`` for missing.

    >>> format_int(219256, "人")
    '219,256人'
    """
    if x is None or pd.isna(x):
        return "—"
    return f"{int(x):,}{unit}"


def format_percent(x: object, digits: int = 1) -> str:
    """A share as a percentage, e.g. ``0.9091 → '90.9%'``; ``—`` for missing."""
    if x is None or pd.isna(x):
        return "—"
    return f"{100 * float(x):.{digits}f}%"


def format_value(x: object, unit: str = "") -> str:
    """A value in its unit: shares as percentages, money and counts with separators.

    >>> format_value(0.975, "share"), format_value(7000, "元/生·年"), format_value(0.41, "coefficient")
    ('97.5%', '7,000元/生·年', '0.41')
    """
    if x is None or pd.isna(x):
        return "—"
    if unit == "share":
        return format_percent(x)
    v = float(x)
    if unit in ("", "coefficient") or not v.is_integer():
        return f"{v:,.2f}{'' if unit in ('', 'coefficient') else unit}"
    return f"{int(v):,}{unit}"
