"""The generated flowchart (well-formed, complete, escaped) and the cadence calendar."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from django.utils import translation

from marketdesk.sop import services
from marketdesk.sop.definitions import load
from tests.sop.conftest import shipped_text

SVG = "{http://www.w3.org/2000/svg}"


def _texts(root) -> list[str]:
    return [el.text for el in root.iter(f"{SVG}text")]


def test_the_flowchart_is_well_formed_and_names_every_stage_in_both_languages(db):
    definition = services.definition_for("event-salon", None)
    for language, attr in (("en", "en"), ("zh-hans", "zh")):
        with translation.override(language):
            root = ET.fromstring(services.flowchart_svg(definition))
        assert root.tag == f"{SVG}svg"
        titles = [s.label for s in definition.parsed.stages]
        texts = _texts(root)
        assert [t for t in texts if t in {getattr(label, attr) for label in titles}] == [getattr(label, attr) for label in titles]
        assert [g.get("data-stage") for g in root.iter(f"{SVG}g")] == [s.key for s in definition.parsed.stages]
    with translation.override("en"):
        root = ET.fromstring(services.flowchart_svg(definition))
    assert root.find(f"{SVG}title").text == "Flowchart of the process “Salon (small event)”"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "sopfc-event-salon-title sopfc-event-salon-desc"
    # One arrow per declared move: 13 between neighbours, one around the paid path.
    assert len(list(root.iter(f"{SVG}line"))) == 13
    detours = [p for p in root.iter(f"{SVG}path") if p.get("stroke-dasharray")]
    assert len(detours) == 1
    texts = _texts(root)
    assert "rule O7 · due start −30d" in texts
    assert "review 1: Team leader review (Team leader) — due start −1d" in texts
    # A line too long for the box continues on the next one.
    at = texts.index("review 2: Business-department review (one day ahead) (Business-department")
    assert texts[at + 1] == "  reviewer) — due start −1d, only when “Needs business-department review”"
    assert "only when “Paid event (not free)”" in texts
    assert "rule O10 · due end +5d (P0–P1) / +2d (P2–P3)" in texts


def test_a_teams_own_labels_are_escaped(db):
    text = shipped_text("event-salon").replace('zh: "权益谈判"', 'zh: "<script>alert(1)</script> & \\"权益\\""')
    _spec, parsed = load(text)
    with translation.override("zh-hans"):
        svg = services.flowchart_svg(parsed)
    root = ET.fromstring(svg)
    assert "<script>" not in svg
    assert list(root.iter(f"{SVG}script")) == [] and list(root.iter("script")) == []
    assert '<script>alert(1)</script> & "权益"' in _texts(root)


def test_cadence_occurrences_in_the_teams_zone(db, team_a, team_b):
    got = [(o.key, o.day.isoformat(), o.at.isoformat() if o.at else None, o.rule)
           for o in services.cadence_occurrences(dt.date(2025, 3, 31), dt.date(2025, 4, 14), team_a)]
    assert got == [
        ("weekly_evaluation", "2025-03-31", "2025-03-31T02:00:00+00:00", "O4/O15"),
        ("collateral_refresh", "2025-04-01", None, "O11/O15"),
        ("press_copy", "2025-04-01", None, "O11"),
        ("product_copy", "2025-04-02", None, "O11"),
        ("optimisation_suggestions", "2025-04-04", "2025-04-04T08:00:00+00:00", "O15"),
        ("weekly_evaluation", "2025-04-07", "2025-04-07T02:00:00+00:00", "O4/O15"),
        ("press_copy", "2025-04-08", None, "O11"),
        ("product_copy", "2025-04-09", None, "O11"),
        ("project_analysis", "2025-04-10", "2025-04-10T07:00:00+00:00", "O15"),   # every other Thursday
        ("optimisation_suggestions", "2025-04-11", "2025-04-11T08:00:00+00:00", "O15"),
    ]
    berlin = [(o.day.isoformat(), o.at.isoformat()) for o in
              services.cadence_occurrences(dt.date(2025, 3, 24), dt.date(2025, 4, 1), team_b)
              if o.key == "weekly_evaluation"]
    assert berlin == [("2025-03-24", "2025-03-24T09:00:00+00:00"), ("2025-03-31", "2025-03-31T08:00:00+00:00")]
    quarters = [o.day.isoformat() for o in services.cadence_occurrences(dt.date(2025, 1, 1), dt.date(2026, 1, 1), team_a)
                if o.key == "collateral_refresh"]
    assert quarters == ["2025-01-01", "2025-04-01", "2025-07-01", "2025-10-01"]


def test_a_teams_copy_of_the_cadences_is_what_its_calendar_shows(db, team_a, team_b, users):
    builtin = services.definition_for("marketing-cadences", None)
    text = builtin.yaml_text.replace('weekday: mon\n    time: "10:00"', 'weekday: tue\n    time: "09:30"')
    services.definition_save_copy(builtin, team=team_a, yaml_text=text, by=users["team_leader"])
    mine = [(o.day.isoformat(), o.at.isoformat()) for o in
            services.cadence_occurrences(dt.date(2025, 3, 31), dt.date(2025, 4, 7), team_a) if o.key == "weekly_evaluation"]
    theirs = [o.day.isoformat() for o in
              services.cadence_occurrences(dt.date(2025, 3, 31), dt.date(2025, 4, 7), team_b) if o.key == "weekly_evaluation"]
    assert (mine, theirs) == ([("2025-04-01", "2025-04-01T01:30:00+00:00")], ["2025-03-31"])
