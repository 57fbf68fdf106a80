"""Loads the demo company (data.py) through the services, so the audit log tells the
story with the right actors: the admin sets up teams and people, the team leader creates
the products, marketers write research and competitor notes, the director reviews.

Deterministic: the data is written out by hand (no randomness); dates are offsets from
the load day in the demo teams' zone, so loading twice on one day gives identical data.

Later capabilities extend the demo by adding a loader to ``LOADERS`` (one function per
area, e.g. ``_load_events(ctx)``) and the models to count to ``COUNTED``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketdesk.accounts import services as accounts
from marketdesk.accounts.models import Team, User
from marketdesk.demo import data, events_data
from marketdesk.strategy import services as strategy

#: The demo is present when this team exists (load_demo is idempotent on it).
DEMO_TEAM_SLUG = "product-marketing"
DEMO_TIME_ZONE = "Asia/Shanghai"

#: What the summary counts: (label, model), counted within the demo's teams.
COUNTED: list[tuple[str, str]] = [
    ("products", "strategy.Product"),
    ("features", "strategy.Feature"),
    ("vision_documents", "strategy.VisionDocument"),
    ("research_notes", "strategy.ResearchNote"),
    ("market_sizes", "strategy.MarketSize"),
    ("competitors", "strategy.Competitor"),
    ("competitor_products", "strategy.CompetitorProduct"),
    ("competitor_moves", "strategy.CompetitorMove"),
    ("swot_entries", "strategy.SwotEntry"),
    ("personas", "strategy.Persona"),
    ("positioning_statements", "strategy.PositioningStatement"),
    ("positioning_variants", "strategy.PositioningVariant"),
    ("pricing_strategies", "strategy.PricingStrategy"),
    ("price_tiers", "strategy.PriceTier"),
    ("discount_policies", "strategy.DiscountPolicy"),
    ("review_questions", "strategy.ReviewQuestion"),
    ("events", "events.Event"),
    ("event_series", "events.EventSeries"),
    ("cost_lines", "events.CostLine"),
    ("registration_counts", "events.RegistrationCount"),
    ("leads", "events.Lead"),
    ("retrospectives", "events.Retrospective"),
    ("webhooks", "notify.WebhookEndpoint"),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    teams: tuple[str, ...]
    password: str


@dataclass(frozen=True)
class DemoSummary:
    """What the demo database holds, and whether this call loaded it."""

    loaded: bool
    logins: tuple[DemoLogin, ...]
    teams: int
    users: int
    counts: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))


@dataclass
class DemoContext:
    """What the loaders share: the load day and the records made so far, by data key."""

    today: dt.date
    teams: dict[str, Team] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    products: dict[str, object] = field(default_factory=dict)
    notes: dict[str, object] = field(default_factory=dict)
    competitors: dict[str, object] = field(default_factory=dict)
    moves: dict[str, object] = field(default_factory=dict)
    events: dict[str, object] = field(default_factory=dict)
    series: dict[str, object] = field(default_factory=dict)
    #: The load moment: the real time when loading for today, else noon of the load day
    #: (so a given day always gives the same data).
    now: dt.datetime = field(init=False)

    def __post_init__(self):
        if self.today == demo_today():
            self.now = timezone.now()
        else:
            self.now = dt.datetime.combine(self.today, dt.time(12, 0),
                                           tzinfo=zoneinfo.ZoneInfo(DEMO_TIME_ZONE))

    def ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)


def demo_today() -> dt.date:
    return dt.datetime.now(zoneinfo.ZoneInfo(DEMO_TIME_ZONE)).date()


def is_loaded() -> bool:
    return Team.objects.filter(slug=DEMO_TEAM_SLUG).exists()


class DemoResetRefused(Exception):
    """Reset erases the whole database; it is refused in production."""


def load_demo(*, reset: bool = False, today: dt.date | None = None) -> DemoSummary:
    """Load the demo company, unless it is already there.

    ``reset`` erases the whole database first (every table, like ``manage.py flush``) and
    loads the demo afresh; it is refused when MarketDesk runs in production.
    """
    if reset:
        if settings.PRODUCTION:
            raise DemoResetRefused(_("The demo reset erases the database; it is disabled in production."))
        if connection.vendor == "postgresql" and connection.in_atomic_block:
            # PostgreSQL refuses to TRUNCATE tables with pending deferred FK checks.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        call_command("flush", interactive=False, verbosity=0)
        # Content types are recreated by the flush; cached ids would point at nothing.
        ContentType.objects.clear_cache()
    elif is_loaded():
        return summary(loaded=False)
    ctx = DemoContext(today=today or demo_today())
    with transaction.atomic():
        for loader in LOADERS:
            loader(ctx)
    return summary(loaded=True)


def summary(*, loaded: bool) -> DemoSummary:
    team_ids = list(Team.objects.filter(slug__in=[t["slug"] for t in data.TEAMS])
                    .values_list("pk", flat=True))
    counts = {}
    for label, model_label in COUNTED:
        model: type[models.Model] = apps.get_model(model_label)
        counts[label] = model.objects.filter(**{f"{model.gate_team_path}__in": team_ids}).count()
    users = User.objects.filter(username__in=[u["username"] for u in data.USERS])
    return DemoSummary(
        loaded=loaded,
        logins=logins(),
        teams=len(team_ids),
        users=users.count(),
        counts=MappingProxyType(counts),
    )


def logins() -> tuple[DemoLogin, ...]:
    team_names = {t["key"]: t["name"] for t in data.TEAMS}
    return tuple(
        DemoLogin(u["username"], u["role"], tuple(team_names[k] for k in u["teams"]),
                  data.PASSWORD)
        for u in data.USERS
    )


# --- accounts -------------------------------------------------------------------------------

def _load_accounts(ctx: DemoContext) -> None:
    admin = None
    for spec in data.USERS:
        if spec["username"] == "admin":
            admin = ctx.users["admin"] = accounts.user_create(
                username="admin", password=data.PASSWORD, role=spec["role"],
                email=f"admin@{data.EMAIL_DOMAIN}", first_name=spec["first_name"],
                last_name=spec["last_name"], language=spec["language"], by=None)
    for spec in data.TEAMS:
        ctx.teams[spec["key"]] = accounts.team_create(
            name=spec["name"], slug=spec["slug"], time_zone=spec["time_zone"], by=admin)
    for spec in data.USERS:
        if spec["username"] == "admin":
            continue
        ctx.users[spec["username"]] = accounts.user_create(
            username=spec["username"], password=data.PASSWORD, role=spec["role"],
            teams=[ctx.teams[k] for k in spec["teams"]],
            email=f"{spec['username']}@{data.EMAIL_DOMAIN}", first_name=spec["first_name"],
            last_name=spec["last_name"], language=spec["language"], by=admin)


# --- strategy (S1–S8) -------------------------------------------------------------------------

def _load_products(ctx: DemoContext) -> None:
    leader, marketer = ctx.users["leader"], ctx.users["marketer"]
    for spec in data.PRODUCTS:
        product = strategy.products.create(
            by=leader, team_id=ctx.teams["pmm"].pk, name=spec["name"], tagline=spec["tagline"],
            description=spec["description"], brand_voice_words=spec["brand_voice_words"])
        ctx.products[spec["key"]] = product
        strategy.visions.update(product.vision, by=leader, **spec["vision"])
        for feature in spec["features"]:
            strategy.features.create(by=marketer, product=product, **feature)


def _load_research(ctx: DemoContext) -> None:
    for spec in data.RESEARCH_NOTES:
        fields = {k: v for k, v in spec.items() if k not in {"key", "team", "by", "product", "ago"}}
        ctx.notes[spec["key"]] = strategy.research_notes.create(
            by=ctx.users[spec["by"]], team_id=ctx.teams[spec["team"]].pk,
            product=ctx.products.get(spec["product"]), collected_on=ctx.ago(spec["ago"]), **fields)
    for product, segment, region, year, customers, note in data.MARKET_SIZES:
        strategy.market_sizes.create(
            by=ctx.users["marketer"], product=ctx.products[product], segment=segment,
            region=region, year=ctx.today.year + year, target_customers=customers,
            source_note=ctx.notes[note])


def _load_competitors(ctx: DemoContext) -> None:
    for spec in data.COMPETITORS:
        by = ctx.users[spec["by"]]
        competitor = strategy.competitors.create(
            by=by, team_id=ctx.teams[spec["team"]].pk, name=spec["name"],
            product_overlap=spec["product_overlap"], same_audience=spec["same_audience"],
            website=spec["website"], summary=spec["summary"], strengths=spec["strengths"],
            weaknesses=spec["weaknesses"], web_signals=spec["web_signals"],
            m2m={"products": [ctx.products[k] for k in spec["competes_with"]]})
        ctx.competitors[spec["key"]] = competitor
        for offering in spec["offerings"]:
            strategy.competitor_products.create(by=by, competitor=competitor, **offering)
        # The log is written oldest first, as the moves happened.
        for move in sorted(spec["moves"], key=lambda mv: -mv["ago"]):
            fields = {k: v for k, v in move.items() if k not in {"key", "ago"}}
            ctx.moves[move["key"]] = strategy.competitor_moves.create(
                by=by, competitor=competitor, happened_on=ctx.ago(move["ago"]), **fields)


def _load_swot(ctx: DemoContext) -> None:
    for subject, key, quadrant, text, notes, moves in data.SWOT:
        about = ({"product_id": ctx.products[key].pk} if subject == "product"
                 else {"competitor_id": ctx.competitors[key].pk})
        strategy.swot_entries.create(
            by=ctx.users["leader"], quadrant=quadrant, text=text,
            m2m={"evidence_notes": [ctx.notes[k] for k in notes],
                 "evidence_moves": [ctx.moves[k] for k in moves]},
            **about)


def _load_personas(ctx: DemoContext) -> None:
    for spec in data.PERSONAS:
        fields = {k: v for k, v in spec.items() if k != "product"}
        strategy.personas.create(by=ctx.users["marketer"], product=ctx.products[spec["product"]],
                                 **fields)


def _load_positioning(ctx: DemoContext) -> None:
    for spec in data.POSITIONING:
        statement = strategy.positioning_statements.create(
            by=ctx.users["leader"], product=ctx.products[spec["product"]],
            audience=spec["audience"], problem=spec["problem"], benefit=spec["benefit"],
            statement=spec["statement"], is_primary=spec["is_primary"])
        for variant in spec["variants"]:
            strategy.positioning_variants.create(by=ctx.users["marketer"], statement=statement,
                                                 **variant)


def _load_pricing(ctx: DemoContext) -> None:
    leader, director = ctx.users["leader"], ctx.users["director"]
    for spec in data.PRICING:
        pricing = strategy.pricing_strategies.create(
            by=leader, product=ctx.products[spec["product"]], approach=spec["approach"],
            value_strategy=spec["value_strategy"], currency=spec["currency"],
            rationale=spec["rationale"], price_floor_note=spec["price_floor_note"])
        for tier in spec["tiers"]:
            strategy.price_tiers.create(by=leader, strategy=pricing, **tier)
        # Discounts touch the price floor (seed 001 §5): the director sets them.
        for discount in spec["discounts"]:
            strategy.discount_policies.create(by=director, strategy=pricing, **discount)


def _load_reviews(ctx: DemoContext) -> None:
    for key, answers in data.REVIEW_ANSWERS.items():
        questions = list(ctx.products[key].review_questions.order_by("position", "pk"))
        for question, (ago, by, answer) in zip(questions, answers, strict=True):
            strategy.review_answer(question, answer=answer, by=ctx.users[by], on=ctx.ago(ago))


def _load_strategy(ctx: DemoContext) -> None:
    _load_products(ctx)
    _load_research(ctx)
    _load_competitors(ctx)
    _load_swot(ctx)
    _load_personas(ctx)
    _load_positioning(ctx)
    _load_pricing(ctx)
    _load_reviews(ctx)


# --- events (O3–O10) -------------------------------------------------------------------------

#: Where each kind of event stands before its SOP run starts.
INTAKE_STATES = ("new", "rejected", "evaluated", "no_go")
#: The stages every ``event-*`` definition walks through, in order; the paid ones apply
#: only to paid events.
STAGES = ("intake", "evaluation", "decision", "rights_negotiation", "rights_confirmed",
          "contract", "payment", "planning", "execution_plan", "final_review", "warmup",
          "onsite", "retrospective", "wrap_up")
PAID_STAGES = ("rights_negotiation", "rights_confirmed", "contract", "payment")
#: Who takes each review step (the owners are marketers: they never review their own).
REVIEWERS = {"director": "director", "director_report": "director",
             "team_leader": "leader", "business": "reviewer"}


def _moment(ctx: DemoContext, day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=zoneinfo.ZoneInfo(DEMO_TIME_ZONE))


def _retro_days(priority: str) -> int:
    """N+X (O10): five days after the end for P0–P1, two for P2–P3."""
    return 5 if priority in ("P0", "P1") else 2


def _natural(ctx: DemoContext, spec: dict, stage: str, start: dt.date, end: dt.date,
             decided: dt.date) -> dt.datetime:
    """When a stage of this event would naturally be completed."""
    priority = spec.get("decision", {}).get("priority", "P2")
    days = dt.timedelta
    naturals = {
        "intake": _moment(ctx, decided, 9), "evaluation": _moment(ctx, decided, 10),
        "decision": _moment(ctx, decided, 11),
        "rights_negotiation": _moment(ctx, decided + days(2)),
        "rights_confirmed": _moment(ctx, decided + days(4)),
        "contract": _moment(ctx, decided + days(6)), "payment": _moment(ctx, decided + days(8)),
        "planning": _moment(ctx, start - days(32), 16),
        "execution_plan": _moment(ctx, start - days(16), 16),
        "final_review": _moment(ctx, start - days(2), 16),
        "warmup": _moment(ctx, start, 8), "onsite": _moment(ctx, end, 18),
        "retrospective": _moment(ctx, end + days(_retro_days(priority)), 15),
        "wrap_up": _moment(ctx, end + days(_retro_days(priority) + 3), 15),
    }
    return naturals[stage]


class _Clock:
    """Back-dated moments for one event's transitions: never earlier than the previous
    one, never later than the load moment."""

    def __init__(self, ctx: DemoContext, first: dt.datetime):
        self.ctx, self.at = ctx, first

    def step(self, wanted: dt.datetime | None = None) -> dt.datetime:
        latest = self.ctx.now - dt.timedelta(hours=2)
        target = min(wanted, latest) if wanted is not None else self.at
        self.at = max(self.at + dt.timedelta(minutes=5), target)
        return self.at


def _create_event(ctx: DemoContext, spec: dict):
    from marketdesk.events import services as ev  # noqa: PLC0415

    owner = ctx.users[spec["owner"]]
    start = ctx.today + dt.timedelta(days=spec["start"])
    fields = {k: spec[k] for k in ("organiser", "source_channel", "city", "region_tier",
                                    "venue", "online", "expected_attendees", "our_role")
              if k in spec}
    if "price" in spec:
        fields["price"] = Decimal(spec["price"])
    if "series" in spec:
        fields["series_id"] = ctx.series[spec["series"]].pk
    return ev.events.create(
        by=owner, team_id=ctx.teams[spec["team"]].pk, owner=owner, name=spec["name"],
        event_type=spec["type"], start_date=start,
        end_date=start + dt.timedelta(days=spec.get("days", 1) - 1),
        description=f"{spec.get('organiser', '')} · {spec.get('city') or _('online')}\n\n"
                    f"{events_data.DEMO_NOTE}", **fields)


def _screen_and_evaluate(ctx: DemoContext, spec: dict, event):
    from marketdesk.events import services as ev  # noqa: PLC0415

    screener = ctx.users["leader" if spec["team"] == "pmm" else "events"]
    if spec["at"] == "new":
        return event
    if spec["at"] == "rejected":
        return ev.event_screen(event, by=screener, accept=False, reason=spec["reason"])
    event = ev.event_screen(event, by=screener, accept=True)
    return ev.event_evaluate(
        event, by=ctx.users[spec["owner"]], scores=spec["scores"],
        checks=events_data.CHECKS_ALL,
        note="周会评估:受众匹配,竞品参与。Weekly meeting: audience fits, competitors attend.")


def _stage_work(ctx: DemoContext, spec: dict, event, run, stage: str, at: dt.datetime,
                *, full: bool):
    """What the team does in ``stage`` before leaving it: the records its gate needs and,
    when ``full``, every checklist item ticked and every review approved (else only the
    ``done`` ones of the spec)."""
    from marketdesk.events import services as ev  # noqa: PLC0415
    from marketdesk.sop import services as sop  # noqa: PLC0415

    owner = ctx.users[spec["owner"]]
    done = None if full else set(spec.get("done", []))
    event.refresh_from_db()
    if stage == "rights_negotiation":
        ev.paid_steps.create(by=owner, event=event, rights_notes=(
            "展位位置、主论坛演讲 20 分钟、会刊整版广告。Booth location, a 20-minute keynote "
            "slot, a full-page ad in the programme."))
    elif stage == "rights_confirmed":
        ev.paid_steps.update(event.paid_step, by=owner, confirmed_price=event.price)
    elif stage == "contract" and full:
        ev.paid_steps.update(event.paid_step, by=owner,
                             contract_no=f"DS-HT-{event.start_date:%Y%m}-{event.pk:03d}",
                             contract_date=at.date())
    elif stage == "payment" and full:
        ev.paid_steps.update(event.paid_step, by=owner, payment_date=at.date(),
                             payment_amount=event.price)
    elif stage == "planning" and (full or spec.get("plan")):
        event = ev.events.update(event, by=owner, plan=events_data.PLAN,
                                 budget=Decimal(spec["budget"]) if "budget" in spec else None)
        for category, description, planned, _actual in spec.get("costs", []):
            ev.cost_lines.create(by=owner, event=event, category=category,
                                 description=description, planned_amount=Decimal(planned))
    elif stage == "execution_plan":
        for title, days_before, priority, cross in events_data.TASKS:
            due = event.start_date - dt.timedelta(days=days_before)
            ev.tasks.create(by=owner, event=event, title=title, owner_id=owner.pk,
                            priority=priority, due_on=due, cross_team=cross,
                            done=due < ctx.today)
        if full:
            event = ev.events.update(event, by=owner, **events_data.EXECUTION)
    elif stage == "warmup":
        _registrations(ctx, spec, event, owner)
    elif stage == "onsite" and (full or spec.get("attendance")):
        for node, hour, note in events_data.KEY_NODES:
            ev.key_nodes.create(by=owner, event=event, node=node, owner_id=owner.pk,
                                at=_moment(ctx, event.start_date, hour), note=note)
        event = ev.events.update(event, by=owner, fallback_plan=events_data.FALLBACK,
                                 actual_attendance=spec.get("attendance"))
        _costs_and_leads(ctx, spec, event, owner, at)
    elif stage == "retrospective" and (full or spec.get("retro")):
        retro = ev.retrospective_open(event, by=owner)
        texts = events_data.RETRO_TEXT if full and "retro" not in spec else spec["retro"]
        ev.retrospective_update(retro, by=owner, **texts)
    stage_def = run.definition.parsed.stage(stage)
    for item in stage_def.checklist:
        if done is None or item.key in done:
            run = sop.run_tick(run, item_key=item.key, checked=True, by=owner,
                               expected_version=run.version, now=at)
    event.refresh_from_db()
    flags = event.sop_flags()
    for step in stage_def.reviews:
        if not step.applies(flags) or (done is not None and step.key not in done):
            continue
        sop.run_review(run, decision="approved", by=ctx.users[REVIEWERS[step.key]],
                       comment="同意。Approved.", expected_version=run.version, now=at)
        run.refresh_from_db()
    return run


def _registrations(ctx: DemoContext, spec: dict, event, owner) -> None:
    """Registrations per channel and day from the warm-up start to the load day (or the
    event start), ``pace`` percent of the expected curve, imported in one batch as from
    the registration platform's export (the import checks the curve, O8)."""
    from marketdesk.events import curve  # noqa: PLC0415
    from marketdesk.events import services as ev  # noqa: PLC0415

    target = spec.get("registration_target")
    if not target:
        return
    event = ev.events.update(event, by=owner, registration_target=target)
    first = event.effective_warmup_start()
    last = min(event.start_date, ctx.today)
    days = curve.warmup_days(first, event.start_date)
    rows, before, day = [], 0, first
    while day <= last:
        index = curve.day_index(first, day)
        cumulative = int(curve.expected_cumulative(target, index, days, event.curve_exponent)
                         * spec["pace"] / 100)
        new, before = cumulative - before, cumulative
        left = new
        for position, (channel, share) in enumerate(events_data.CHANNELS):
            count = left if position == len(events_data.CHANNELS) - 1 else new * share // 100
            left -= count
            if count:
                rows.append({"day": day.isoformat(), "channel": channel, "count": count})
        day += dt.timedelta(days=1)
    if rows:
        result = ev.import_registrations(event, by=owner, rows=rows)
        if result.refused:
            raise ValidationError(result.file_error or [e.reason for e in result.errors])


def _costs_and_leads(ctx: DemoContext, spec: dict, event, owner, at: dt.datetime) -> None:
    from marketdesk.events import services as ev  # noqa: PLC0415

    for line in event.cost_lines.order_by("pk"):
        actual = next((a for c, d, _p, a in spec.get("costs", []) if d == line.description), None)
        if actual is not None:
            ev.cost_lines.update(line, by=owner, actual_amount=Decimal(actual),
                                 paid_on=event.end_date)
    n = spec.get("leads", 0)
    if not n:
        return
    made = []
    for name, company, title, phone, email, interest in events_data.LEADS[:n]:
        made.append(ev.leads.create(by=owner, event=event, name=name, company=company,
                                    title=title, phone=phone, email=email, interest=interest))
    ev.leads_hand_to_sales(event, [lead.pk for lead in made], to=ctx.users["sales"],
                           by=ctx.users["leader"])


def _walk(ctx: DemoContext, spec: dict, event) -> None:
    """Start the event's SOP run on the day the team decided and take it, through the
    engine's gates, to the stage the spec names."""
    from marketdesk.events import services as ev  # noqa: PLC0415
    from marketdesk.sop import services as sop  # noqa: PLC0415

    decided = ctx.today - dt.timedelta(days=spec["decided"])
    owner, leader = ctx.users[spec["owner"]], ctx.users["leader"]
    decider = leader if spec["team"] == "pmm" else ctx.users["director"]
    clock = _Clock(ctx, _moment(ctx, decided, 9))
    run = sop.run_start(event, definition_key=event.definition_key, by=owner, now=clock.at)
    decision = spec["decision"]
    event = ev.event_decide(
        event, by=decider, decision="go", event_type=spec["type"],
        our_role=decision.get("our_role", "attend"), free=decision.get("free", True),
        heavyweight=decision.get("heavyweight", False),
        important=decision.get("important", False), priority=decision["priority"],
        needs_business_support=decision.get("needs_business_support", False),
        note="周会决定参加。Decided at the weekly meeting.")
    run.refresh_from_db()
    target = "wrap_up" if spec["at"] == "archived" else spec["at"]
    for stage in STAGES:
        if stage in PAID_STAGES and event.free:
            continue
        natural = _natural(ctx, spec, stage, event.start_date, event.end_date, decided)
        if stage == target and spec["at"] != "archived":
            at = clock.step(min(natural - dt.timedelta(days=1), ctx.now - dt.timedelta(hours=3)))
            _stage_work(ctx, spec, event, run, stage, at, full=False)
            return
        at = clock.step(natural)
        run = _stage_work(ctx, spec, event, run, stage, at, full=True)
        run = sop.run_advance(run, by=owner, expected_version=run.version, now=clock.step())
        event.refresh_from_db()


def _load_events(ctx: DemoContext) -> None:
    """A year of events (seed 003) through the event and SOP services, back-dated with
    the engine's ``now``; then the scheduler's N+X job opens the due retrospectives."""
    from marketdesk.events import services as ev  # noqa: PLC0415
    from marketdesk.sop import services as sop  # noqa: PLC0415

    sop.sop_sync_definitions()
    for key, spec in events_data.SERIES.items():
        ctx.series[key] = ev.series.create(by=ctx.users["leader"], team_id=ctx.teams["pmm"].pk,
                                           name=spec["name"], description=spec["description"])
    for spec in events_data.EVENTS:
        event = _create_event(ctx, spec)
        event = _screen_and_evaluate(ctx, spec, event)
        if spec["at"] == "no_go":
            event = ev.event_decide(event, by=ctx.users["leader"], decision="no_go",
                                    event_type=spec["type"], note=spec["note"])
        elif spec["at"] not in INTAKE_STATES:
            _walk(ctx, spec, event)
        ctx.events[spec["key"]] = event
    ev.retrospectives_open_due(now=ctx.now)
    for key, spec in events_data.SERIES.items():
        ev.series_retrospectives.create(by=ctx.users["leader"], series=ctx.series[key],
                                        **spec["retrospective"])


def _load_webhook(ctx: DemoContext) -> None:
    """The team's chat webhook, pointed at the local receiver ``marketdesk demo`` starts.

    A loopback address is accepted only where MARKETDESK_WEBHOOK_ALLOW_LOOPBACK_HTTP is
    on — the demo's own processes; elsewhere the demo has no webhook. Created last, so
    loading the demo sends nothing; what happens afterwards reaches the receiver."""
    from marketdesk.notify import safety  # noqa: PLC0415
    from marketdesk.notify import services as notify  # noqa: PLC0415

    if not safety._loopback_http_allowed():
        return
    spec = events_data.WEBHOOK
    notify.webhook_create(team=ctx.teams[spec["team"]], vendor=spec["vendor"], url=spec["url"],
                          name=spec["name"], by=ctx.users["leader"])


LOADERS: list[Callable[[DemoContext], None]] = [_load_accounts, _load_strategy, _load_events,
                                                 _load_webhook]
