"""docs/user-guide/metrics.md describes every KPI of the registry with its formula and
DOMAIN id, and every attribution model (issue 4 "Docs")."""

from pathlib import Path

from marketdesk.metrics import attribution, registry

DOC = Path(__file__).resolve().parents[2] / "docs" / "user-guide" / "metrics.md"


def test_every_kpi_with_formula_and_domain_id():
    text = DOC.read_text(encoding="utf-8")
    for kpi in registry.catalogue().values():
        row = next((line for line in text.splitlines() if f"(`{kpi.id}`)" in line), None)
        assert row is not None, f"{kpi.id} is not in {DOC.name}"
        assert kpi.formula_en in row and kpi.name_zh in row, kpi.id
        assert " / ".join(kpi.domains) in row, kpi.id


def test_every_attribution_model_with_its_weights():
    text = DOC.read_text(encoding="utf-8")
    for model in attribution.MODELS:
        assert f"| `{model}` |" in text, model


def test_tracking_doc_lists_every_channel_rule():
    from marketdesk.metrics import channels

    text = (DOC.parent.parent / "tracking.md").read_text(encoding="utf-8")
    for rule in channels.RULES:
        assert f"| `{rule.channel}` | {rule.text.replace('|', chr(92) + '|')} |" in text, rule.channel
