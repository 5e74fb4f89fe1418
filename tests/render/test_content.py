"""The backend-neutral content of form and plan: numbers and sample text as a reader expects them."""

from __future__ import annotations

from zscq_desktop.core.sample import build_sample
from zscq_desktop.render.content import Table, indicator_table, plan_document


def test_indicator_targets_print_as_written(call) -> None:
    sub = build_sample(call, "creation-pilot")
    sub.plan["indicators"][0]["target"] = 10.0
    sub.plan["indicators"][1]["target"] = "2.50"
    rows = indicator_table(sub).rows
    assert rows[0][5] == "10" and rows[1][5] == "2.5"
    assert rows[1][4].startswith("≥")


def test_sample_plan_reads_without_doubled_punctuation(call) -> None:
    doc = plan_document(call, build_sample(call, "creation-pilot"))
    text = doc.text()
    assert "。，" not in text and "；，" not in text
    assert any(isinstance(b, Table) and b.caption == "考核指标" for b in doc.blocks)
