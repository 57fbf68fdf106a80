"""The demo company: deterministic, complete for S1–S8, idempotent, resettable."""

import datetime as dt

import pytest
from django.contrib.auth import authenticate
from django.contrib.contenttypes.models import ContentType

from marketdesk.accounts.models import Team, User
from marketdesk.core.models import AuditEntry
from marketdesk.demo import data
from marketdesk.demo.generator import DemoResetRefused, load_demo
from marketdesk.strategy import models as m
from marketdesk.strategy import services
from marketdesk.strategy.positioning import check_statement

TODAY = dt.date(2025, 3, 14)

EXPECTED_COUNTS = {
    "products": 3,
    "features": 13,
    "vision_documents": 3,
    "research_notes": 15,
    "market_sizes": 10,
    "competitors": 8,
    "competitor_products": 10,
    "competitor_moves": 20,
    "swot_entries": 17,
    "personas": 7,
    "positioning_statements": 6,
    "positioning_variants": 14,
    "pricing_strategies": 3,
    "price_tiers": 9,
    "discount_policies": 3,
    "review_questions": 12,
}


@pytest.fixture
def demo(db):
    return load_demo(today=TODAY)


@pytest.fixture
def fresh_content_types():
    """A reset flushes and recreates content types inside the test transaction; the
    cached ids must not outlive it."""
    yield
    ContentType.objects.clear_cache()


def test_load_creates_the_whole_company(demo):
    assert demo.loaded is True
    assert dict(demo.counts) == EXPECTED_COUNTS
    assert demo.teams == 3
    assert demo.users == 8
    assert list(Team.objects.order_by("slug").values_list("slug", "name", "time_zone")) == [
        ("events-content", "Events & Content 活动与内容", "Asia/Shanghai"),
        ("global-marketing", "Global Marketing", "Europe/Berlin"),
        ("product-marketing", "Product Marketing 产品市场", "Asia/Shanghai"),
    ]
    assert sorted(m.Product.objects.values_list("name", flat=True)) == [
        "数研 App 分析 SDK / App Analytics SDK",
        "数研 用户画像平台 / Customer Data Platform",
        "数研 营销云 / Marketing Cloud",
    ]


def test_logins_authenticate_with_their_role_and_teams(demo):
    rows = []
    for login in demo.logins:
        user = authenticate(username=login.username, password=login.password)
        assert user is not None, login.username
        rows.append((user.username, user.role, tuple(user.teams.values_list("name", flat=True)),
                     user.is_staff, user.is_superuser))
    assert rows == [
        ("admin", "admin", (), True, True),
        ("director", "director", (), False, False),
        ("leader", "team_leader", ("Product Marketing 产品市场",), False, False),
        ("marketer", "marketer", ("Product Marketing 产品市场",), False, False),
        ("reviewer", "reviewer", ("Product Marketing 产品市场",), False, False),
        ("sales", "sales", ("Product Marketing 产品市场",), False, False),
        ("events", "marketer", ("Events & Content 活动与内容",), False, False),
        ("global", "marketer", ("Global Marketing",), False, False),
    ]
    assert {login.password for login in demo.logins} == {"marketdesk-demo"}


def test_every_competitor_tier_is_present(demo):
    by_tier = {}
    for name, tier in m.Competitor.objects.order_by("name").values_list("name", "tier"):
        by_tier.setdefault(tier, []).append(name)
    assert by_tier == {
        "primary": ["Pixelwise Analytics", "蓝鲸营销云 BlueWhale Cloud", "观数科技 InsightPulse",
                    "量子画像 QuantaProfile"],
        "secondary": ["云表 BI CloudSheet BI", "客聚 CRM KeJu CRM"],
        "tertiary": ["实验魔方 ABCube", "推必达 PushNow"],
    }


def test_every_positioning_text_passes_the_three_rules(demo):
    checked = 0
    for statement in m.PositioningStatement.objects.select_related("product"):
        product = statement.product
        features = list(product.features.values_list("name", flat=True))
        for text in [statement.statement, *statement.variants.values_list("text", flat=True)]:
            checks = check_statement(text, feature_names=features,
                                     brand_words=product.brand_voice_words)
            assert [(c.rule, c.ok) for c in checks] == [
                ("short", True), ("benefit", True), ("voice", True)], text
            checked += 1
    assert checked == 6 + 14


def test_dates_follow_the_load_day(demo):
    moves = m.CompetitorMove.objects.order_by("happened_on")
    assert moves.first().happened_on == dt.date(2024, 4, 28)  # 320 days before TODAY
    assert moves.last().happened_on == dt.date(2025, 2, 28)  # 14 days before TODAY
    assert sorted(set(m.MarketSize.objects.values_list("year", flat=True))) == [2024, 2025]
    assert sorted(set(m.ReviewQuestion.objects.values_list("last_reviewed_on", flat=True))) == [
        dt.date(2025, 2, 12), dt.date(2025, 2, 22), dt.date(2025, 3, 2)]
    assert m.ReviewQuestion.objects.filter(answer="").count() == 0


def test_research_is_sourced_and_feeds_market_sizes_and_swot(demo):
    kinds = sorted(set(m.ResearchNote.objects.values_list("kind", "method")))
    assert kinds == [
        ("primary", "conversation"), ("primary", "interview"), ("primary", "questionnaire"),
        ("primary", "survey"), ("secondary", "government"), ("secondary", "publication"),
        ("secondary", "report"),
    ]
    assert m.ResearchNote.objects.filter(source="").count() == 0
    assert m.MarketSize.objects.filter(source_note__isnull=True).count() == 0
    swot = m.SwotEntry.objects.all()
    assert [e for e in swot if not e.evidence_notes.exists() and not e.evidence_moves.exists()] == []
    insight = m.Competitor.objects.get(name="观数科技 InsightPulse")
    assert sorted(insight.swot_entries.values_list("quadrant", flat=True)) == ["O", "S", "T", "W"]
    for product in m.Product.objects.all():
        assert {"S", "W", "O", "T"} <= set(product.swot_entries.values_list("quadrant", flat=True))


def test_personas_pricing_and_visions_are_complete(demo):
    for product in m.Product.objects.all():
        assert set(product.personas.values_list("kind", flat=True)) == {"buyer", "user"}
        vision = product.vision
        assert all([vision.target_users, vision.problems_solved, vision.success_measures])
    for persona in m.Persona.objects.all():
        for name in ("location", "title", "goals", "challenges", "personality_traits"):
            assert getattr(persona, name), (persona, name)
    assert m.Feature.objects.filter(activation_event="").count() == 0
    assert sorted(m.PricingStrategy.objects.values_list("approach", "value_strategy")) == [
        ("competitive", ""), ("value_based", "premium"), ("value_based", "promotional")]
    assert sorted(m.DiscountPolicy.objects.values_list("kind", "ratio_type")) == [
        ("rebate", "fixed"), ("reduction", "fixed"), ("reduction", "progressive")]
    assert list(m.PriceTier.objects.filter(strategy__product__name__startswith="数研 App")
                .order_by("position").values_list("min_seats", "max_seats")) == [
        (1, 3), (4, 20), (21, None)]


def test_audit_log_names_the_right_actors(demo):
    def actors(model, action="create"):
        ct = ContentType.objects.get_for_model(model)
        return sorted(set(AuditEntry.objects.filter(content_type=ct, action=action)
                          .values_list("actor_name", flat=True)))

    assert actors(User) == ["", "admin"]  # the admin is created by the system
    assert actors(Team) == ["admin"]
    assert actors(m.Product) == ["leader"]
    assert actors(m.ResearchNote) == ["events", "global", "leader", "marketer"]
    assert actors(m.DiscountPolicy) == ["director"]
    assert actors(m.ReviewQuestion, "update") == ["director", "leader"]


def test_second_run_changes_nothing(demo):
    audit_rows = AuditEntry.objects.count()
    again = load_demo(today=TODAY + dt.timedelta(days=30))
    assert again.loaded is False
    assert dict(again.counts) == EXPECTED_COUNTS
    assert again.logins == demo.logins
    assert AuditEntry.objects.count() == audit_rows
    assert User.objects.count() == 8


def test_reset_erases_and_reloads(demo, fresh_content_types):
    audit_rows = AuditEntry.objects.count()
    leader = User.objects.get(username="leader")
    team = Team.objects.get(slug="product-marketing")
    services.products.create(by=leader, team_id=team.pk, name="Scratch product")

    again = load_demo(reset=True, today=TODAY)

    assert again.loaded is True
    assert dict(again.counts) == EXPECTED_COUNTS
    assert m.Product.objects.filter(name="Scratch product").count() == 0
    assert AuditEntry.objects.count() == audit_rows
    assert authenticate(username="director", password=data.PASSWORD) is not None


def test_reset_is_refused_in_production(demo, settings):
    settings.PRODUCTION = True
    with pytest.raises(DemoResetRefused):
        load_demo(reset=True, today=TODAY)
    assert m.Product.objects.count() == 3
