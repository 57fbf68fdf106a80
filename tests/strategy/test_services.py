"""The strategy services: what a write does beyond saving (seeded records, derived
fields, team consistency) and how bad input is refused without writing anything."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from marketdesk.core.models import AuditEntry
from marketdesk.strategy import models as m
from marketdesk.strategy import services
from tests.core import factories as f

SEED_QUESTIONS = [
    "Is the product still a fit for today's market and today's customers?",
    "What makes the product unique?",
    "How can we differentiate further from our competitors' products?",
    "Looking back, is there a product we would no longer sell? If so, why are we still selling it?",
]


@pytest.fixture
def product(team_a, users):
    return f.product(team_a, by=users["marketer"], name="Atlas")


def counts():
    """Rows of every strategy model and of the audit log: 'nothing was written'."""
    from django.apps import apps

    tally = {model.__name__: model.objects.count()
             for model in apps.get_app_config("strategy").get_models()}
    tally["AuditEntry"] = AuditEntry.objects.count()
    return tally


def refused(call, expected: dict):
    """Run a write that must fail: the error names exactly ``expected`` (field → messages)
    and no row anywhere changed."""
    before = counts()
    with pytest.raises(ValidationError) as info:
        call()
    assert info.value.message_dict == expected
    assert counts() == before


# --- S1 / S8: a new product --------------------------------------------------------------

def test_product_create_seeds_the_vision_and_the_four_review_questions(product):
    vision = m.VisionDocument.objects.get(product=product)
    assert (vision.target_users, vision.problems_solved, vision.success_measures,
            vision.success_kpis) == ("", "", "", [])
    questions = list(product.review_questions.order_by("position"))
    assert [q.question for q in questions] == SEED_QUESTIONS
    assert [q.position for q in questions] == [0, 1, 2, 3]
    assert {(q.answer, q.last_reviewed_on) for q in questions} == {("", None)}


def test_a_refused_product_seeds_nothing(team_a, product):
    refused(lambda: f.product(team_a, name="Atlas"),
            {"__all__": ["Product with this Team and Name already exists."]})


def test_the_same_name_in_another_team_is_fine(team_b, product):
    other = f.product(team_b, name="Atlas")
    assert other.review_questions.count() == 4


def test_review_answer_stamps_the_review_date(product, users):
    question = product.review_questions.get(position=1)
    answered = services.review_answer(question, answer="Offline-first stock counts.",
                                      by=users["team_leader"], on=dt.date(2026, 4, 1))
    assert (answered.answer, answered.last_reviewed_on) == ("Offline-first stock counts.",
                                                           dt.date(2026, 4, 1))
    entry = AuditEntry.objects.filter(action="update").get()
    assert entry.changes == {
        "before": {"answer": "", "last_reviewed_on": None},
        "after": {"answer": "Offline-first stock counts.", "last_reviewed_on": "2026-04-01"},
    }


@pytest.mark.parametrize(("utc_now", "zone", "expected"), [
    # 17:00 UTC on 22 Nov is already 01:00 on 23 Nov in Shanghai (CI hit this once).
    (dt.datetime(2026, 11, 22, 17, 0, tzinfo=dt.UTC), "Asia/Shanghai", dt.date(2026, 11, 23)),
    (dt.datetime(2026, 11, 22, 17, 0, tzinfo=dt.UTC), "UTC", dt.date(2026, 11, 22)),
    (dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC), "America/Los_Angeles", dt.date(2026, 11, 22)),
])
def test_review_answer_uses_the_team_local_day(product, users, monkeypatch, utc_now, zone, expected):
    from django.utils import timezone

    product.team.time_zone = zone
    product.team.save()
    monkeypatch.setattr(timezone, "now", lambda: utc_now)
    question = product.review_questions.get(position=1)
    answered = services.review_answer(question, answer="Fits.", by=users["team_leader"])
    assert answered.last_reviewed_on == expected


# --- S3 competitors ------------------------------------------------------------------------

@pytest.mark.parametrize(("overlap", "same_audience", "tier"), [
    ("same", False, "primary"), ("same", True, "primary"),
    ("similar", False, "secondary"), ("similar", True, "primary"),
    ("extends", False, "tertiary"), ("extends", True, "primary"),
    ("none", True, "primary"),
])
def test_competitor_tier_is_derived_on_create(overlap, same_audience, tier, team_a):
    rival = f.competitor(team_a, product_overlap=overlap, same_audience=same_audience)
    rival.refresh_from_db()
    assert rival.tier == tier
    entry = AuditEntry.objects.get(content_type__model="competitor", object_id=str(rival.pk))
    assert entry.changes["after"]["tier"] == tier


def test_no_overlap_and_another_audience_is_not_a_competitor(team_a):
    refused(lambda: f.competitor(team_a, product_overlap="none", same_audience=False),
            {"product_overlap": ["Not a competitor by the three-tier rules: no product overlap "
                                 "and a different audience."]})


def test_competitor_tier_follows_an_update(team_a, users):
    rival = f.competitor(team_a, product_overlap="similar", same_audience=False)
    rival = services.competitors.update(rival, by=users["marketer"], same_audience=True)
    assert rival.tier == "primary"
    entry = AuditEntry.objects.filter(action="update").get()
    assert entry.changes == {"before": {"same_audience": False, "tier": "secondary"},
                             "after": {"same_audience": True, "tier": "primary"}}
    refused(lambda: services.competitors.update(rival, by=None, product_overlap="none",
                                                same_audience=False),
            {"product_overlap": ["Not a competitor by the three-tier rules: no product overlap "
                                 "and a different audience."]})
    rival.refresh_from_db()
    assert (rival.product_overlap, rival.same_audience, rival.tier) == ("similar", True, "primary")


def test_a_competitor_competes_only_with_its_own_teams_products(team_a, team_b, product):
    theirs = f.product(team_b, name="Theirs")
    refused(lambda: f.competitor(team_a, m2m={"products": [product, theirs]}),
            {"products": ["Only records of the same team can be linked."]})
    rival = f.competitor(team_a, m2m={"products": [product]})
    refused(lambda: services.competitors.update(rival, by=None, m2m={"products": [theirs.pk]}),
            {"products": ["Only records of the same team can be linked."]})
    # Moving the competitor to another team while it still names our product.
    refused(lambda: services.competitors.update(rival, by=None, team_id=team_b.pk),
            {"products": ["Only records of the same team can be linked."]})
    assert list(rival.products.all()) == [product]


# --- S4 SWOT -------------------------------------------------------------------------------

XOR = {"__all__": ["A SWOT entry is about either one product or one competitor."]}


def test_swot_entry_takes_the_team_of_its_subject(team_a, product):
    rival = f.competitor(team_a)
    about_product = services.swot_entries.create(by=None, product_id=product.pk, quadrant="S",
                                                 text="Fast set-up")
    about_rival = services.swot_entries.create(by=None, competitor_id=rival.pk, quadrant="T",
                                               text="Deep pockets")
    assert about_product.team_id == team_a.pk
    assert about_rival.team_id == team_a.pk
    assert about_product.audit_root == product
    assert about_rival.audit_root == rival


def test_swot_entry_is_about_a_product_xor_a_competitor(team_a, product):
    rival = f.competitor(team_a)
    refused(lambda: services.swot_entries.create(
        by=None, product_id=product.pk, competitor_id=rival.pk, quadrant="S", text="x"), XOR)
    refused(lambda: services.swot_entries.create(
        by=None, team_id=team_a.pk, quadrant="S", text="x"), XOR)
    entry = services.swot_entries.create(by=None, product_id=product.pk, quadrant="S", text="x")
    refused(lambda: services.swot_entries.update(entry, by=None, competitor_id=rival.pk), XOR)


def test_swot_entry_cannot_cross_teams(team_a, team_b, product):
    theirs = f.product(team_b, name="Theirs")
    refused(lambda: services.swot_entries.create(
        by=None, team_id=team_a.pk, product_id=theirs.pk, quadrant="W", text="x"),
        {"product": ["The product or competitor belongs to another team."]})
    their_note = f.research_note(team_b)
    refused(lambda: services.swot_entries.create(
        by=None, product_id=product.pk, quadrant="O", text="x", m2m={"evidence_notes": [their_note]}),
        {"evidence_notes": ["Only records of the same team can be linked."]})
    their_move = services.competitor_moves.create(
        by=None, competitor_id=f.competitor(team_b).pk, happened_on=dt.date(2026, 2, 1),
        kind="pricing", title="Price cut")
    refused(lambda: services.swot_entries.create(
        by=None, product_id=product.pk, quadrant="T", text="x", m2m={"evidence_moves": [their_move]}),
        {"evidence_moves": ["Only records of the same team can be linked."]})


def test_swot_entry_links_its_own_teams_evidence(team_a, product):
    note = f.research_note(team_a)
    move = services.competitor_moves.create(
        by=None, competitor_id=f.competitor(team_a).pk, happened_on=dt.date(2026, 2, 1),
        kind="launch", title="New app")
    entry = services.swot_entries.create(by=None, product_id=product.pk, quadrant="O",
                                         text="Rivals are slow",
                                         m2m={"evidence_notes": [note], "evidence_moves": [move.pk]})
    assert list(entry.evidence_notes.all()) == [note]
    assert list(entry.evidence_moves.all()) == [move]
    assert AuditEntry.objects.get(object_id=str(entry.pk), content_type__model="swotentry") \
        .changes["after"]["evidence_notes"] == [note.pk]


def test_moving_a_swot_entry_to_another_teams_product_moves_its_team(team_a, team_b, product):
    theirs = f.product(team_b, name="Theirs")
    entry = services.swot_entries.create(by=None, product_id=product.pk, quadrant="S", text="x")
    entry = services.swot_entries.update(entry, by=None, product_id=theirs.pk)
    assert entry.team_id == team_b.pk
    note = f.research_note(team_a)
    entry2 = services.swot_entries.create(by=None, product_id=product.pk, quadrant="S", text="y",
                                          m2m={"evidence_notes": [note]})
    # Its evidence would then belong to another team: refused.
    refused(lambda: services.swot_entries.update(entry2, by=None, product_id=theirs.pk),
            {"evidence_notes": ["Only records of the same team can be linked."]})


# --- S2 research --------------------------------------------------------------------------

PRIMARY_ONLY = "Primary research is first-hand: survey, interview, questionnaire or conversation."
SECONDARY_ONLY = "Secondary research comes from reports, government, associations or publications."


@pytest.mark.parametrize(("kind", "method", "error"), [
    ("primary", "survey", None), ("primary", "interview", None),
    ("primary", "questionnaire", None), ("primary", "conversation", None),
    ("primary", "report", PRIMARY_ONLY), ("primary", "government", PRIMARY_ONLY),
    ("primary", "other", PRIMARY_ONLY),
    ("secondary", "report", None), ("secondary", "government", None),
    ("secondary", "association", None), ("secondary", "publication", None),
    ("secondary", "other", None),
    ("secondary", "survey", SECONDARY_ONLY), ("secondary", "interview", SECONDARY_ONLY),
])
def test_research_kind_and_method_agree(kind, method, error, team_a):
    if error is None:
        note = f.research_note(team_a, kind=kind, method=method)
        assert (note.kind, note.method) == (kind, method)
    else:
        refused(lambda: f.research_note(team_a, kind=kind, method=method), {"method": [error]})


def test_research_note_product_must_be_of_its_team(team_a, team_b):
    theirs = f.product(team_b, name="Theirs")
    refused(lambda: f.research_note(team_a, product=theirs),
            {"product": ["The product belongs to another team."]})


def test_research_note_with_a_product_that_does_not_exist(team_a):
    refused(lambda: f.research_note(team_a, product_id=999_999),
            {"product": ["product instance with id 999999 is not a valid choice."]})


# --- S5 / S6 / S7 model rules through the services ------------------------------------

def test_persona_ages_must_be_in_order(product):
    refused(lambda: f.persona(product, age_min=46, age_max=45),
            {"age_max": ["The upper age must not be below the lower age."]})
    persona = f.persona(product, age_min=45, age_max=45)
    refused(lambda: services.personas.update(persona, by=None, age_min=50),
            {"age_max": ["The upper age must not be below the lower age."]})


def test_positioning_variant_needs_a_scope(product):
    statement = f.statement(product)
    refused(lambda: f.variant(statement, channel=""),
            {"__all__": ["A variant needs a channel, a region or an audience."]})
    assert f.variant(statement, channel="", region="East China").region == "East China"


@pytest.mark.parametrize(("fields", "expected"), [
    ({"approach": "value_based"},
     {"value_strategy": ["Choose premium, promotional, commodity or skimming."]}),
    ({"approach": "competitive", "value_strategy": "premium"},
     {"value_strategy": ["Only value-based pricing has a value strategy."]}),
    ({"approach": "value_based", "value_strategy": "cheap"},
     {"value_strategy": ["Value 'cheap' is not a valid choice."]}),
])
def test_pricing_strategy_rules(fields, expected, product):
    refused(lambda: f.pricing(product, **fields), expected)


def test_value_based_pricing_with_a_strategy(product):
    strategy = f.pricing(product, approach="value_based", value_strategy="skimming")
    assert strategy.get_value_strategy_display().startswith("Skimming")


def test_price_tier_seat_range(product):
    strategy = f.pricing(product)
    refused(lambda: f.tier(strategy, min_seats=10, max_seats=9),
            {"max_seats": ["The upper seat count must not be below the lower one."]})
    refused(lambda: f.tier(strategy, min_seats=0),
            {"min_seats": ["Ensure this value is greater than or equal to 1."]})
    assert f.tier(strategy, min_seats=10, max_seats=10).max_seats == 10


def test_discount_policy_steps_are_validated(product):
    strategy = f.pricing(product)

    def make(ratio, steps):
        return services.discount_policies.create(by=None, strategy_id=strategy.pk, name="Volume",
                                                 kind="rebate", ratio_type=ratio, steps=steps)

    refused(lambda: make("fixed", [{"from": 0, "percent": 5}, {"from": 10, "percent": 6}]),
            {"steps": ["A fixed ratio has exactly one step."]})
    refused(lambda: make("progressive", [{"from": 0, "percent": 5}, {"from": 10, "percent": 4}]),
            {"steps": ["Step 2: a progressive ratio must not fall."]})
    policy = make("progressive", [{"from": 0, "percent": 2}, {"from": 10000, "percent": 5}])
    assert policy.steps == [{"from": 0, "percent": 2}, {"from": 10000, "percent": 5}]


@pytest.mark.parametrize(("field", "value", "error"), [
    ("brand_voice_words", "calm", "Give a list of words."),
    ("brand_voice_words", ["calm", ""], "Item 2 must be a non-empty text."),
    ("brand_voice_words", ["<i>calm</i>"], "Item 1 contains HTML tags; write plain text."),
])
def test_product_word_list_is_validated(field, value, error, team_a):
    refused(lambda: f.product(team_a, **{field: value}), {field: [error]})


def test_vision_success_kpis_are_validated(product):
    vision = product.vision
    refused(lambda: services.visions.update(vision, by=None, success_kpis=[1, 2]),
            {"success_kpis": ["Item 1 must be a non-empty text."]})
    vision = services.visions.update(vision, by=None, success_kpis=["feature_adoption", "nrr"])
    assert vision.success_kpis == ["feature_adoption", "nrr"]


# --- 6. bad input through the services: named field, nothing written -----------------

@pytest.mark.parametrize(("fields", "expected"), [
    ({"name": ""}, {"name": ["This field cannot be blank."]}),
    ({"name": "x" * 121}, {"name": ["Ensure this value has at most 120 characters (it has 121)."]}),
    ({"name": "<script>alert(1)</script>"},
     {"name": ["HTML tags are not allowed here; write plain text."]}),
    ({"name": "Atlas", "tagline": "Fast <b>and</b> calm"},
     {"tagline": ["HTML tags are not allowed here; write plain text."]}),
    ({"name": None}, {"name": ["This field cannot be null."]}),
    ({"name": "Atlas", "team_id": None}, {"team": ["This field cannot be null."]}),
    ({"name": "Atlas", "team_id": 999_999}, {"team": ["team instance with id 999999 is not a valid choice."]}),
])
def test_bad_product_input(fields, expected, team_a):
    values = {"team_id": team_a.pk, **fields}
    refused(lambda: services.products.create(by=None, **values), expected)


@pytest.mark.parametrize(("fields", "expected"), [
    ({"age_min": "thirty"}, {"age_min": ["“thirty” value must be an integer."]}),
    ({"age_min": 12}, {"age_min": ["Ensure this value is greater than or equal to 16."]}),
    ({"age_max": 120}, {"age_max": ["Ensure this value is less than or equal to 99."]}),
    ({"kind": "robot"}, {"kind": ["Value 'robot' is not a valid choice."]}),
    ({"location": "<img src=x onerror=alert(1)>"},
     {"location": ["HTML tags are not allowed here; write plain text."]}),
    ({"title": ""}, {"title": ["This field cannot be blank."]}),
])
def test_bad_persona_input(fields, expected, product):
    refused(lambda: f.persona(product, **fields), expected)


def test_bad_update_leaves_the_row_as_it_was(product, users):
    persona = f.persona(product, name="Paula")
    refused(lambda: services.personas.update(persona, by=users["marketer"], name="x" * 121,
                                             title="CFO"),
            {"name": ["Ensure this value has at most 120 characters (it has 121)."]})
    persona.refresh_from_db()
    assert (persona.name, persona.title) == ("Paula", "Head of procurement")


@pytest.mark.parametrize(("fields", "expected"), [
    ({"collected_on": "yesterday"},
     {"collected_on": ["“yesterday” value has an invalid date format. It must be in YYYY-MM-DD format."]}),
    ({"source_url": "javascript:alert(1)"}, {"source_url": ["Enter a valid URL."]}),
    ({"title": ""}, {"title": ["This field cannot be blank."]}),
])
def test_bad_research_input(fields, expected, team_a):
    refused(lambda: f.research_note(team_a, **fields), expected)


def test_bad_swot_reference_is_a_validation_error(team_a):
    refused(lambda: services.swot_entries.create(by=None, product_id="abc", quadrant="S", text="x"),
            {"product": ["“abc” value must be an integer."],
             "team": ["This field cannot be null."]})
