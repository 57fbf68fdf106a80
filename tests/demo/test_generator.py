"""The demo company: deterministic, complete for S1–S8 and the event pipeline O3–O10,
idempotent, resettable."""

import datetime as dt
import zoneinfo
from collections import Counter
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth import authenticate
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import override_settings

from marketdesk.accounts.models import Team, User
from marketdesk.core.models import AuditEntry
from marketdesk.demo import data, generator
from marketdesk.demo.generator import DemoResetRefused, load_demo
from marketdesk.events import models as em
from marketdesk.events import services as events
from marketdesk.notify.models import Notification, WebhookEndpoint
from marketdesk.sop.models import Deadline, ProcessRun, Review
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
    "events": 27,
    "event_series": 1,
    "cost_lines": 34,
    "registration_counts": 334,
    "leads": 21,
    "retrospectives": 5,
    "webhooks": 1,
}
ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
#: The load moment for a day other than the real today: noon in Shanghai.
NOW = dt.datetime(2025, 3, 14, 12, 0, tzinfo=ZONE)


@pytest.fixture(scope="module")
def loaded_demo(django_db_setup, django_db_blocker):
    """Loaded once for the module, as ``marketdesk demo`` loads it (the loopback webhook
    allowed); erased afterwards."""
    with django_db_blocker.unblock():
        with override_settings(MARKETDESK_WEBHOOK_ALLOW_LOOPBACK_HTTP=True,
                               PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            summary = load_demo(today=TODAY)
    yield summary
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
        ContentType.objects.clear_cache()


@pytest.fixture
def demo(loaded_demo, db):
    return loaded_demo


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


def _rows() -> dict[str, int]:
    return {model._meta.label: model.objects.count()
            for label in ("events", "sop", "notify", "schedule", "core")
            for model in apps.get_app_config(label).get_models()}


def test_second_run_adds_no_event_rows_or_audit_entries(demo, settings):
    settings.MARKETDESK_WEBHOOK_ALLOW_LOOPBACK_HTTP = True
    before = _rows()
    assert before["events.Event"] == 27
    assert before["core.AuditEntry"] > 0

    assert load_demo(today=TODAY).loaded is False

    assert _rows() == before


# --- events (O3–O10) ---------------------------------------------------------------------

def _stage(event) -> str:
    if event.screening != em.Event.Screening.ACCEPTED:
        return event.screening
    if event.decision == em.Event.Decision.NO_GO:
        return "no_go"
    run = events.latest_run_of(event)
    if run is None:
        return "evaluated"
    return "archived" if run.status == ProcessRun.Status.COMPLETED else run.stage


def test_events_of_every_type(demo):
    assert Counter(em.Event.objects.values_list("event_type", flat=True)) == {
        "exhibition": 5, "summit": 8, "salon": 8, "livestream": 6}
    assert Counter(em.Event.objects.values_list("team__slug", flat=True)) == {
        "product-marketing": 22, "events-content": 5}


def test_events_at_every_stage(demo):
    stages = Counter(_stage(e) for e in em.Event.objects.all())
    assert stages == {
        "new": 2, "rejected": 2, "evaluated": 3, "no_go": 1, "decision": 1, "contract": 1,
        "payment": 1, "planning": 3, "execution_plan": 1, "final_review": 3, "warmup": 2,
        "onsite": 3, "retrospective": 1, "archived": 3,
    }
    assert ProcessRun.objects.filter(status=ProcessRun.Status.CANCELLED).count() == 0
    assert sorted(em.Event.objects.filter(screening="rejected")
                  .values_list("rejection_reason", flat=True)) == [
        "主题与产品无关,且与 SDK 峰会同周。Off-topic, and the same week as the SDK summit.",
        "受众以门店采购为主,与 SDK 开发者受众不符。Audience is store buyers, not developers.",
    ]
    ranked = list(em.Event.objects.filter(score__isnull=False, decision="pending")
                  .order_by("-score").values_list("name", flat=True))
    assert ranked == ["AI 应用开发者大会 AI App Dev Conference",
                      "增长黑客直播间 Growth Hacking Live", "成都开发者沙龙 Chengdu Dev Salon"]


def test_decisions_cover_every_priority_paid_and_free(demo):
    decided = em.Event.objects.filter(decision="go")
    assert Counter(decided.values_list("priority", flat=True)) == {
        "P0": 4, "P1": 5, "P2": 6, "P3": 4}
    assert Counter(decided.values_list("free", flat=True)) == {True: 14, False: 5}
    expo = em.Event.objects.get(name="世界数据智能大会 World Data Intelligence Expo")
    step = expo.paid_step
    assert (step.confirmed_price, step.payment_amount) == (expo.price, expo.price)
    assert step.contract_no == f"DS-HT-202410-{expo.pk:03d}"
    contract = em.Event.objects.get(name="数据智能博览会 Data Intelligence Expo")
    assert (contract.paid_step.confirmed_price, contract.paid_step.contract_no) == (
        contract.price, "")


def test_reviews_done_and_pending_for_every_role(demo):
    pending = Counter(Review.objects.filter(decision="pending").values_list("stage", "role"))
    assert pending == {("decision", "director"): 1, ("planning", "director"): 3,
                       ("final_review", "team_leader"): 1, ("final_review", "reviewer"): 1,
                       ("final_review", "director"): 1}
    done = set(Review.objects.filter(decision="approved")
               .values_list("role", "reviewer__username"))
    assert done == {("director", "director"), ("team_leader", "leader"),
                    ("reviewer", "reviewer")}


def test_plan_reviews_overdue(demo):
    overdue = (Deadline.objects.filter(done_at__isnull=True, due_at__lt=NOW, kind="review")
               .order_by("due_at"))
    assert [(d.key, d.due_at.astimezone(ZONE).date()) for d in overdue] == [
        ("planning.review.director", dt.date(2025, 3, 2)),
        ("planning.review.director", dt.date(2025, 3, 6)),
    ]
    assert {em.Event.objects.get(pk=d.run.object_id).name for d in overdue} == {
        "商业智能峰会 BI Summit", "杭州开发者沙龙 Hangzhou Dev Salon"}


def test_a_retrospective_for_every_event_past_n_plus_x(demo):
    past = []
    for event in em.Event.objects.filter(decision="go"):
        x = 5 if event.priority in ("P0", "P1") else 2
        if event.end_date + dt.timedelta(days=x) <= TODAY:
            past.append(event)
            due = Deadline.objects.get(run=events.latest_run_of(event), key="retrospective")
            assert due.due_at.astimezone(ZONE).date() == event.end_date + dt.timedelta(days=x)
    assert sorted(e.name for e in past) == sorted(
        em.Retrospective.objects.values_list("event__name", flat=True))
    assert len(past) == 5
    # the scheduler's N+X job opened the one whose run was still on site, pre-filled
    summit = em.Retrospective.objects.get(event__name="全球移动开发者峰会 Global Mobile Dev Summit")
    assert (summit.planned_spend, summit.actual_spend, summit.leads, summit.leads_handed,
            summit.attendance) == (12000, 11300, 4, 4, 1750)
    assert summit.strengths == ""
    # the Big Data expo ended yesterday; its N+X (P0: +5) is still ahead
    expo = em.Event.objects.get(name="大数据产业博览会 Big Data Industry Expo")
    assert not em.Retrospective.objects.filter(event=expo).exists()


def test_archived_events_keep_their_lessons_and_the_series_its_retrospective(demo):
    archived = [e for e in em.Event.objects.all() if _stage(e) == "archived"]
    for event in archived:
        assert event.retrospective.improvements, event
    series = em.EventSeries.objects.get()
    assert sorted(series.events.values_list("name", flat=True)) == [
        "上海开发者沙龙 · 春 Shanghai Dev Salon (spring)",
        "深圳开发者沙龙 · 秋 Shenzhen Dev Salon (autumn)"]
    assert series.retrospective.overall_value == (
        "系列活动是 SDK 新客户最稳定的来源,线索成本低于展会。")
    summary = events.series_summary(series)
    assert (summary.events, summary.leads, summary.attendance) == (2, 5, 134)


def test_registrations_per_channel_and_below_the_curve(demo):
    xian = em.Event.objects.get(name="西安开发者沙龙 Xi'an Dev Salon")
    status = events.curve_status(xian, day=TODAY)
    assert (status.actual, status.expected, status.below) == (29, Decimal("52.99"), True)
    launch = em.Event.objects.get(name="SDK 4.0 发布直播 SDK 4.0 Launch Live")
    assert events.curve_status(launch, day=TODAY).below is False
    assert set(launch.registrations.values_list("channel", flat=True)) == {
        "官网 Website", "公众号 WeChat OA", "开发者社群 Community", "活动行 Huodongxing"}
    alerts = Notification.objects.filter(kind="events.registrations_below_curve")
    assert sorted(alerts.values_list("recipient__username", "url")) == [
        ("marketer", f"/events/{pk}/registrations/") for pk in sorted(
            em.Event.objects.filter(name__in=["西安开发者沙龙 Xi'an Dev Salon",
                                              "深圳开发者沙龙 · 秋 Shenzhen Dev Salon (autumn)"])
            .values_list("pk", flat=True))]


def test_costs_budgets_and_leads_handed_to_sales(demo):
    expo = em.Event.objects.get(name="世界数据智能大会 World Data Intelligence Expo")
    assert expo.budget == 160000
    assert events.retrospective_numbers(expo).actual_spend == 149500
    leads = em.Lead.objects.filter(assigned_to__isnull=False)
    assert leads.count() == 21
    assert set(leads.values_list("assigned_to__username", flat=True)) == {"sales"}


def test_sop_transitions_are_back_dated(demo):
    expo = em.Event.objects.get(name="世界数据智能大会 World Data Intelligence Expo")
    run = events.latest_run_of(expo)
    assert run.started_at.astimezone(ZONE) == dt.datetime(2024, 7, 7, 9, 0, tzinfo=ZONE)
    assert run.completed_at.astimezone(ZONE) == dt.datetime(2024, 10, 25, 15, 5, tzinfo=ZONE)
    assert run.deadlines.filter(done_at__isnull=True).count() == 0


# --- the team webhook ------------------------------------------------------------------

def test_the_team_webhook_points_at_the_local_receiver(demo):
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.team.slug, endpoint.vendor, endpoint.url, endpoint.enabled) == (
        "product-marketing", "feishu", "http://127.0.0.1:8765/feishu/product-marketing", True)
    # created last: loading the demo posts nothing to the chat
    assert endpoint.deliveries.count() == 0
    # the loopback allowance belongs to the demo's processes, not to the settings
    assert django_settings.MARKETDESK_WEBHOOK_ALLOW_LOOPBACK_HTTP is False


def test_no_webhook_where_loopback_is_not_allowed(demo):
    WebhookEndpoint.objects.all().delete()
    ctx = generator.DemoContext(today=TODAY)
    ctx.teams = {t["key"]: Team.objects.get(slug=t["slug"]) for t in data.TEAMS}
    ctx.users = {u.username: u for u in User.objects.all()}
    generator._load_webhook(ctx)
    assert WebhookEndpoint.objects.count() == 0


def test_reset_erases_and_reloads(demo, fresh_content_types, settings):
    settings.MARKETDESK_WEBHOOK_ALLOW_LOOPBACK_HTTP = True
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
