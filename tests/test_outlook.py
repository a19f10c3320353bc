"""Outlook to the deadline: trends worked out by hand."""

import pandas as pd
import pytest

from toolkit.indicators import history, outlook, public_kindergarten_share


def series(name, values, target=0.8, deadline=2027, years=(2022, 2023, 2024)):
    return pd.DataFrame(
        {"adcode": name, "name": name, "year": list(years), "value": values,
         "target": target, "deadline": deadline}
    )  # fmt: skip


HISTORY = pd.concat(
    [
        series("已达", [0.70, 0.78, 0.85]),  # meets 80% now
        series("可达", [0.50, 0.60, 0.70]),  # +10 pp a year → 100% by 2027 (clipped)
        series("风险", [0.50, 0.55, 0.60]),  # +5 pp a year → 75% in 2027: 5 pp short
        series("难达", [0.50, 0.50, 0.50]),  # flat → 30 pp short
        series("一年", [0.50], years=(2024,)),
        series("无目标", [0.5, 0.6, 0.7], target=None),
    ],
    ignore_index=True,
)


def test_classes_by_hand():
    r = outlook(HISTORY).set_index("name")
    assert r.loc["已达", "outlook"] == "已达标"
    assert r.loc["可达", "outlook"] == "按期可达" and r.loc["可达", "projected"] == 1.0
    assert r.loc["风险", "projected"] == pytest.approx(0.75)
    assert r.loc["风险", "slope"] == pytest.approx(0.05)
    assert r.loc["风险", "outlook"] == "有风险"
    assert r.loc["难达", "outlook"] == "难以达标"
    assert r.loc["一年", "outlook"] == "数据缺失"
    assert r.loc["无目标", "outlook"] == "不适用"
    assert "用户设定参数" in r.loc["风险", "note"]


def test_margin_is_a_parameter():
    r = outlook(HISTORY, margin=0.01).set_index("name")
    assert r.loc["风险", "outlook"] == "难以达标"


def test_upper_limit_rules():
    h = series("降", [0.20, 0.15, 0.10], target=0.0, deadline=2027)
    r = outlook(h, comparator="<=")
    assert r.loc[0, "outlook"] == "按期可达"  # falls 5 pp a year, reaches 0 by 2026


def test_demo_kindergarten_outlook(demo):
    h = history(public_kindergarten_share, demo.schools, demo.counties, "济宁")
    assert len(h) == 33 * 5  # 2020–2024
    r = outlook(h)
    assert len(r) == 33
    assert set(r["outlook"]) == {"已达标", "按期可达", "有风险", "难以达标"}
    assert r["deadline"].eq(2027).all() and r["target"].eq(0.8).all()
