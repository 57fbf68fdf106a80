"""Export and import of the strategy knowledge base (strategy/portable.py)."""

import copy
import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError

from marketdesk.accounts.models import Team
from marketdesk.accounts.services import team_create
from marketdesk.core.models import AuditEntry
from marketdesk.demo.generator import load_demo
from marketdesk.strategy import models as m
from marketdesk.strategy import services as s
from marketdesk.strategy.portable import export_knowledge_base, import_knowledge_base


@pytest.fixture
def tiny(users, team_a):
    """A hand-made knowledge base with one record of every kind, in team A."""
    by = users["marketer"]
    product = s.products.create(by=by, team_id=team_a.pk, name="Beacon",
                                tagline="Know who comes back", brand_voice_words=["clear"])
    s.visions.update(product.vision, by=by, target_users="Growth teams",
                     problems_solved="Churn", success_measures="Retention",
                     success_kpis=["feature_adoption_rate"])
    s.features.create(by=by, product=product, name="Cohorts", activation_event="cohort_viewed")
    note = s.research_notes.create(by=by, team_id=team_a.pk, product=product, kind="primary",
                                   method="interview", title="Five interviews",
                                   source="Customers", collected_on=dt.date(2025, 1, 10),
                                   body="Churn hurts.")
    s.research_notes.create(by=by, team_id=team_a.pk, kind="secondary", method="report",
                            title="Market report", source="Analyst house",
                            source_url="https://reports.example.com/1",
                            collected_on=dt.date(2024, 11, 2))
    s.market_sizes.create(by=by, product=product, segment="Apps", region="EU", year=2025,
                          target_customers=1200, source_note=note)
    rival = s.competitors.create(by=by, team_id=team_a.pk, name="Rival", product_overlap="same",
                                 same_audience=False, m2m={"products": [product]})
    s.competitor_products.create(by=by, competitor=rival, name="Rival Pro",
                                 pricing_model="subscription", list_price="99.50")
    move = s.competitor_moves.create(by=by, competitor=rival, happened_on=dt.date(2025, 2, 1),
                                     kind="pricing", title="Price cut")
    s.swot_entries.create(by=by, product_id=product.pk, quadrant="T", text="Rival cut prices",
                          m2m={"evidence_notes": [note], "evidence_moves": [move]})
    s.swot_entries.create(by=by, competitor_id=rival.pk, quadrant="W", text="Slow support",
                          m2m={"evidence_notes": [note]})
    s.personas.create(by=by, product=product, kind="buyer", name="Ada", age_min=30, age_max=45,
                      gender="female", location="Berlin", education="master", title="CMO",
                      income_level="high", goals="Growth", challenges="Budget",
                      personality_traits="Curious")
    statement = s.positioning_statements.create(
        by=by, product=product, audience="Growth teams", problem="Churn", benefit="Retention",
        statement="Beacon helps growth teams keep a clear view of who comes back.")
    s.positioning_variants.create(by=by, statement=statement, channel="Email",
                                  text="A clear view of who comes back.")
    pricing = s.pricing_strategies.create(by=by, product=product, approach="value_based",
                                          value_strategy="premium")
    s.price_tiers.create(by=by, strategy=pricing, name="Team", price="1000.00", min_seats=1,
                         max_seats=10, fits="Small teams")
    s.discount_policies.create(by=by, strategy=pricing, name="Volume", kind="reduction",
                               ratio_type="progressive",
                               steps=[{"from": 0, "percent": 2}, {"from": 5000, "percent": 4}])
    question = product.review_questions.order_by("position").first()
    s.review_answer(question, answer="Yes.", by=by, on=dt.date(2025, 3, 1))
    return product


TINY_DOCUMENT = {
    "format": "marketdesk.strategy",
    "version": 1,
    "products": [{
        "name": "Beacon",
        "tagline": "Know who comes back",
        "description": "",
        "brand_voice_words": ["clear"],
        "vision": {"target_users": "Growth teams", "problems_solved": "Churn",
                   "success_measures": "Retention", "success_kpis": ["feature_adoption_rate"]},
        "features": [{"name": "Cohorts", "description": "", "status": "ga",
                      "activation_event": "cohort_viewed"}],
        "market_sizes": [{"segment": "Apps", "region": "EU", "year": 2025,
                          "target_customers": 1200, "source_note": "note-1"}],
        "personas": [{"kind": "buyer", "name": "Ada", "age_min": 30, "age_max": 45,
                      "gender": "female", "location": "Berlin", "education": "master",
                      "title": "CMO", "income_level": "high", "goals": "Growth",
                      "challenges": "Budget", "personality_traits": "Curious"}],
        "positioning": [{
            "audience": "Growth teams", "problem": "Churn", "benefit": "Retention",
            "statement": "Beacon helps growth teams keep a clear view of who comes back.",
            "is_primary": True,
            "variants": [{"channel": "Email", "region": "", "audience": "",
                          "text": "A clear view of who comes back."}],
        }],
        "pricing": {
            "approach": "value_based", "value_strategy": "premium", "currency": "CNY",
            "rationale": "", "price_floor_note": "",
            "tiers": [{"name": "Team", "price": "1000.00", "period": "year", "min_seats": 1,
                       "max_seats": 10, "fits": "Small teams", "included": "", "position": 0}],
            "discounts": [{"name": "Volume", "kind": "reduction", "ratio_type": "progressive",
                           "steps": [{"from": 0, "percent": 2}, {"from": 5000, "percent": 4}],
                           "conditions": ""}],
        },
        "review_questions": [
            {"question": "Is the product still a fit for today's market and today's customers?",
             "answer": "Yes.", "last_reviewed_on": "2025-03-01", "position": 0},
            {"question": "What makes the product unique?", "answer": "",
             "last_reviewed_on": None, "position": 1},
            {"question": "How can we differentiate further from our competitors' products?",
             "answer": "", "last_reviewed_on": None, "position": 2},
            {"question": "Looking back, is there a product we would no longer sell? If so, why "
                         "are we still selling it?",
             "answer": "", "last_reviewed_on": None, "position": 3},
        ],
        "swot": [{"quadrant": "T", "text": "Rival cut prices", "evidence_notes": ["note-1"],
                  "evidence_moves": ["move-1"]}],
    }],
    "competitors": [{
        "name": "Rival", "product_overlap": "same", "same_audience": False, "website": "",
        "summary": "", "strengths": "", "weaknesses": "", "web_signals": "",
        "tier": "primary",
        "competes_with": ["Beacon"],
        "offerings": [{"name": "Rival Pro", "description": "", "pricing_model": "subscription",
                       "list_price": "99.50", "currency": "CNY", "price_note": ""}],
        "moves": [{"ref": "move-1", "happened_on": "2025-02-01", "kind": "pricing",
                   "title": "Price cut", "details": "", "source_url": ""}],
        "swot": [{"quadrant": "W", "text": "Slow support", "evidence_notes": ["note-1"],
                  "evidence_moves": []}],
    }],
    "research_notes": [
        {"ref": "note-1", "kind": "primary", "method": "interview", "title": "Five interviews",
         "source": "Customers", "source_url": "", "collected_on": "2025-01-10",
         "body": "Churn hurts.", "product": "Beacon"},
        {"ref": "note-2", "kind": "secondary", "method": "report", "title": "Market report",
         "source": "Analyst house", "source_url": "https://reports.example.com/1",
         "collected_on": "2024-11-02", "body": "", "product": None},
    ],
}


def _state(team):
    """Rows of team-owned records and audit entries, to prove nothing was written."""
    return (m.Product.objects.filter(team=team).count(),
            m.ResearchNote.objects.filter(team=team).count(),
            m.Competitor.objects.filter(team=team).count(),
            AuditEntry.objects.count())


def test_export_of_the_tiny_dataset_is_exact(tiny, team_a):
    assert export_knowledge_base(teams=[team_a]) == TINY_DOCUMENT


def test_tiny_round_trip_is_exact_and_resolves_references(tiny, team_a, team_b, users):
    document = json.loads(json.dumps(export_knowledge_base(teams=[team_a])))

    result = import_knowledge_base(document, team=team_b, by=users["director"])

    assert result.dry_run is False
    assert dict(result.counts) == {
        "products": 1, "visions": 1, "features": 1, "research_notes": 2, "market_sizes": 1,
        "competitors": 1, "competitor_products": 1, "competitor_moves": 1, "swot_entries": 2,
        "personas": 1, "positioning_statements": 1, "positioning_variants": 1,
        "pricing_strategies": 1, "price_tiers": 1, "discount_policies": 1,
        "review_questions": 4,
    }
    assert export_knowledge_base(teams=[team_b]) == TINY_DOCUMENT

    product = m.Product.objects.get(team=team_b)
    note = m.ResearchNote.objects.get(team=team_b, title="Five interviews")
    move = m.CompetitorMove.objects.get(competitor__team=team_b)
    rival = m.Competitor.objects.get(team=team_b)
    assert product.pk != tiny.pk
    assert note.product == product
    assert product.market_sizes.get().source_note == note
    assert list(rival.products.all()) == [product]
    entry = product.swot_entries.get()
    assert (entry.team, list(entry.evidence_notes.all()), list(entry.evidence_moves.all())) == (
        team_b, [note], [move])
    assert list(rival.swot_entries.get().evidence_notes.all()) == [note]
    created = AuditEntry.objects.filter(action="create", object_id=str(product.pk),
                                        content_type__model="product")
    assert list(created.values_list("actor_name", "team_id")) == [("director", team_b.pk)]


def test_demo_round_trip_is_exact(db):
    load_demo(today=dt.date(2025, 3, 14))
    original = export_knowledge_base()
    target = team_create(name="Copy", slug="copy")

    result = import_knowledge_base(json.loads(json.dumps(original)), team=target, by=None)

    assert result.counts["products"] == 3
    assert result.counts["competitors"] == 8
    assert result.counts["research_notes"] == 15
    assert export_knowledge_base(teams=[target]) == original


def test_dry_run_checks_everything_and_writes_nothing(tiny, team_a, team_b, users):
    before = _state(team_b)
    result = import_knowledge_base(copy.deepcopy(TINY_DOCUMENT), team=team_b,
                                   by=users["director"], dry_run=True)
    assert result.dry_run is True
    assert result.total == 21
    assert _state(team_b) == before


def test_bad_persona_names_its_path_and_nothing_is_written(tiny, team_b, users):
    document = copy.deepcopy(TINY_DOCUMENT)
    document["products"][0]["personas"][0]["age_max"] = 20
    before = _state(team_b)

    with pytest.raises(ValidationError) as caught:
        import_knowledge_base(document, team=team_b, by=users["director"])

    assert caught.value.message_dict == {
        "products[0].personas[0].age_max": ["The upper age must not be below the lower age."]}
    assert _state(team_b) == before


@pytest.mark.parametrize(("change", "errors"), [
    (lambda d: d.update(format="something.else"),
     {"format": ['Not a MarketDesk strategy export (format must be "marketdesk.strategy").']}),
    (lambda d: d.update(version=2),
     {"version": ["Unsupported version 2; this MarketDesk reads version 1."]}),
    (lambda d: d.update(exported_by="me"), {"exported_by": ["Unknown key."]}),
    (lambda d: d["products"][0].update(colour="red"), {"products[0].colour": ["Unknown key."]}),
    (lambda d: d["products"][0]["personas"][0].update(age_min="thirty"),
     {"products[0].personas[0].age_min": ["Expected a whole number."]}),
    (lambda d: d["competitors"][0]["moves"][0].update(happened_on="1 Feb 2025"),
     {"competitors[0].moves[0].happened_on": ["Expected a date written as YYYY-MM-DD."]}),
    (lambda d: d["products"][0]["swot"][0].update(evidence_notes=["note-9"]),
     {"products[0].swot[0].evidence_notes[0]": ["Unknown research note: note-9."]}),
    (lambda d: d["products"][0]["market_sizes"][0].update(source_note="move-1"),
     {"products[0].market_sizes[0].source_note": ["Unknown research note: move-1."]}),
    (lambda d: d["competitors"][0].update(competes_with=["Lighthouse"]),
     {"competitors[0].competes_with[0]": ["Unknown product: Lighthouse."]}),
    (lambda d: d["research_notes"][1].update(ref="note-1"),
     {"research_notes[1].ref": ["Two research notes have this ref."]}),
    (lambda d: d["competitors"][0].update(tier="secondary"),
     {"competitors[0].tier": ["The tier does not follow from the overlap and audience (the "
                              "rules give primary)."]}),
    (lambda d: d["research_notes"][0].update(kind="secondary"),
     {"research_notes[0].method": ["Secondary research comes from reports, government, "
                                   "associations or publications."]}),
])
def test_invalid_documents_are_refused_with_the_path(db, team_b, change, errors):
    document = copy.deepcopy(TINY_DOCUMENT)
    change(document)
    before = _state(team_b)
    with pytest.raises(ValidationError) as caught:
        import_knowledge_base(document, team=team_b, by=None)
    assert caught.value.message_dict == errors
    assert _state(team_b) == before


def test_a_product_name_taken_in_the_team_is_refused(tiny, team_a):
    before = _state(team_a)
    with pytest.raises(ValidationError) as caught:
        import_knowledge_base(copy.deepcopy(TINY_DOCUMENT), team=team_a, by=None)
    assert caught.value.message_dict == {
        "products[0]": ["Product with this Team and Name already exists."]}
    assert _state(team_a) == before


def test_export_follows_the_permission_gate_and_the_product_filter(tiny, team_a, team_b, users,
                                                                    make_user):
    s.products.create(by=users["director"], team_id=team_b.pk, name="Other team's product")
    outsider = make_user("marketer", username="outsider", teams=[team_b])

    assert [p["name"] for p in export_knowledge_base(user=users["sales"])["products"]] == ["Beacon"]
    assert [p["name"] for p in export_knowledge_base(user=outsider)["products"]] == [
        "Other team's product"]
    assert [p["name"] for p in export_knowledge_base()["products"]] == [
        "Beacon", "Other team's product"]
    only = export_knowledge_base(product_ids=[tiny.pk])
    assert [p["name"] for p in only["products"]] == ["Beacon"]
    assert [c["name"] for c in only["competitors"]] == ["Rival"]
    with pytest.raises(ValidationError) as caught:
        export_knowledge_base(product_ids=[tiny.pk, 999999])
    assert caught.value.message_dict == {"product": ["No product with id 999999."]}


def test_missing_vision_and_review_questions_round_trip(tiny, team_a, team_b):
    s.visions.delete(tiny.vision, by=None)
    for question in tiny.review_questions.all():
        s.review_questions.delete(question, by=None)
    document = export_knowledge_base(teams=[team_a])
    assert (document["products"][0]["vision"], document["products"][0]["review_questions"]) == (
        None, [])

    import_knowledge_base(document, team=team_b, by=None)

    assert export_knowledge_base(teams=[team_b]) == document
    assert Team.objects.get(pk=team_b.pk).products.get().review_questions.count() == 0
