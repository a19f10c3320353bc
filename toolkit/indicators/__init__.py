"""Indicators: policy rules applied to county data. Pure functions over DataFrames.

Every indicator returns one row per unit (county by default) with a status from
:data:`STATUSES`, the rule it applied and the rule's source.

Example
-------
>>> from toolkit import data, indicators
>>> card = indicators.check(data.load_demo(), "平顶山")
>>> card.query("name == '叶县' and indicator == 'special_education'")["status"].tolist()
['达标']
"""

from .aggregates import FUNDING, disabled_enrolment_rate, funding_standard
from .balance import balanced_development, coefficient_of_variation, school_resource_indicators
from .common import (
    BENCHMARK_NOTE,
    MET,
    MISSING,
    NOT_APPLICABLE,
    STATUS_EN,
    STATUSES,
    UNMET,
    latest_year,
)
from .kindergartens import inclusive_kindergarten_coverage, public_kindergarten_share
from .outlook import OUTLOOK_EN, OUTLOOKS, history, outlook
from .population import PopulationLine, census_recoding, population_line
from .scorecard import check
from .special_education import (
    REQUIREMENTS,
    special_education,
    special_education_summary,
    special_provision,
)
from .summary import (
    furthest_from_target,
    heat_table,
    misses_per_county,
    rule_cells,
    status_counts,
    supported_rules,
    unsupported_rules,
)
from .teachers import teacher_rotation

__all__ = [
    "FUNDING", "balanced_development", "coefficient_of_variation", "disabled_enrolment_rate",
    "funding_standard", "school_resource_indicators",
    "BENCHMARK_NOTE", "MET", "OUTLOOK_EN", "OUTLOOKS", "history", "outlook", "MISSING", "NOT_APPLICABLE", "REQUIREMENTS", "STATUSES",
    "STATUS_EN", "UNMET", "check", "inclusive_kindergarten_coverage", "latest_year",
    "public_kindergarten_share", "special_education", "special_education_summary",
    "special_provision", "teacher_rotation",
    "PopulationLine", "census_recoding", "population_line",
    "furthest_from_target", "heat_table", "misses_per_county", "rule_cells", "status_counts",
    "supported_rules", "unsupported_rules",
]  # fmt: skip
