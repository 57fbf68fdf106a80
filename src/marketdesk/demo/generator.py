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
from types import MappingProxyType

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, models, transaction
from django.utils.translation import gettext as _

from marketdesk.accounts import services as accounts
from marketdesk.accounts.models import Team, User
from marketdesk.demo import data
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


LOADERS: list[Callable[[DemoContext], None]] = [_load_accounts, _load_strategy]
