"""Every write on the strategy knowledge base (S1–S8) and its business rules."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from marketdesk.core import services as core
from marketdesk.strategy import models as m

#: S8 — the strategy review questions of seed 000, asked of every product.
DEFAULT_REVIEW_QUESTIONS = [
    _("Is the product still a fit for today's market and today's customers?"),
    _("What makes the product unique?"),
    _("How can we differentiate further from our competitors' products?"),
    _("Looking back, is there a product we would no longer sell? If so, why are we still selling it?"),
]


class ProductService(core.RecordService):
    def create(self, *, by, m2m=None, **fields):
        """A new product starts with its empty vision document (S1) and the review
        questions (S8), so nothing has to be remembered."""
        with transaction.atomic():
            product = super().create(by=by, m2m=m2m, **fields)
            core.create(m.VisionDocument, by=by, product=product)
            for position, question in enumerate(DEFAULT_REVIEW_QUESTIONS):
                core.create(m.ReviewQuestion, by=by, product=product, question=str(question),
                            position=position)
        return product


def _check_links(team_id, links: dict[str, tuple[type, str, list]]) -> None:
    """Linked records (m2m) must belong to ``team_id``: no evidence or product of another
    team. ``links`` maps a field name to (model, team path, the ids or records linked)."""
    if team_id is None:
        return  # no team yet: full_clean() names the missing field
    errors = {}
    for name, (model, team_path, values) in links.items():
        ids = {getattr(v, "pk", v) for v in values}
        if not ids:
            continue
        try:
            found = model.objects.filter(pk__in=ids, **{team_path: team_id}).count()
        except (TypeError, ValueError):
            found = -1
        if found != len(ids):
            errors[name] = _("Only records of the same team can be linked.")
    if errors:
        raise ValidationError(errors)


class CompetitorService(core.RecordService):
    """S3: a competitor competes with products of its own team only."""

    def create(self, *, by, m2m=None, **fields):
        with transaction.atomic():
            if (m2m or {}).get("products"):
                _check_links(fields.get("team_id"),
                             {"products": (m.Product, "team_id", m2m["products"])})
            return super().create(by=by, m2m=m2m, **fields)

    def update(self, obj, *, by, m2m=None, **fields):
        with transaction.atomic():
            team_id = fields.get("team_id", obj.team_id)
            if m2m and "products" in m2m:
                products = m2m["products"]
            elif team_id != obj.team_id:
                products = list(obj.products.values_list("pk", flat=True))
            else:
                products = []
            _check_links(team_id, {"products": (m.Product, "team_id", products)})
            return super().update(obj, by=by, m2m=m2m, **fields)


class SwotService(core.RecordService):
    """A SWOT entry belongs to the team of its product or competitor, and its evidence
    comes from that team's research and competitive moves (S4)."""

    @staticmethod
    def _team(fields, obj=None):
        product_id = fields.get("product_id", obj.product_id if obj else None)
        competitor_id = fields.get("competitor_id", obj.competitor_id if obj else None)
        try:
            if product_id:
                return m.Product.objects.filter(pk=product_id).values_list("team_id", flat=True).first()
            if competitor_id:
                return m.Competitor.objects.filter(pk=competitor_id).values_list("team_id", flat=True).first()
        except (TypeError, ValueError):
            return None  # not an id: full_clean() names the field
        return None

    @staticmethod
    def _check_evidence(team_id, m2m, obj=None):
        m2m = m2m or {}
        if team_id is None:
            return
        notes = m2m.get("evidence_notes")
        moves = m2m.get("evidence_moves")
        if obj is not None and team_id != obj.team_id:  # moved to another team: re-check all
            notes = notes if notes is not None else list(obj.evidence_notes.values_list("pk", flat=True))
            moves = moves if moves is not None else list(obj.evidence_moves.values_list("pk", flat=True))
        _check_links(team_id, {
            "evidence_notes": (m.ResearchNote, "team_id", notes or []),
            "evidence_moves": (m.CompetitorMove, "competitor__team_id", moves or []),
        })

    def create(self, *, by, m2m=None, **fields):
        with transaction.atomic():
            fields.setdefault("team_id", self._team(fields))
            self._check_evidence(fields["team_id"], m2m)
            return super().create(by=by, m2m=m2m, **fields)

    def update(self, obj, *, by, m2m=None, **fields):
        with transaction.atomic():
            if "product_id" in fields or "competitor_id" in fields:
                fields["team_id"] = self._team(fields, obj)
            self._check_evidence(fields.get("team_id", obj.team_id), m2m, obj)
            return super().update(obj, by=by, m2m=m2m, **fields)


def review_answer(question: m.ReviewQuestion, *, answer: str, by, on: dt.date | None = None):
    """S8: answering a review question stamps the date it was last reviewed — the
    product team's local day, not the server's (UTC) nor the viewer's."""
    return core.update(question, by=by, answer=answer,
                       last_reviewed_on=on or question.product.team.today())


products = ProductService(m.Product)
features = core.RecordService(m.Feature)
visions = core.RecordService(m.VisionDocument)
research_notes = core.RecordService(m.ResearchNote)
market_sizes = core.RecordService(m.MarketSize)
competitors = CompetitorService(m.Competitor)
competitor_products = core.RecordService(m.CompetitorProduct)
competitor_moves = core.RecordService(m.CompetitorMove)
swot_entries = SwotService(m.SwotEntry)
personas = core.RecordService(m.Persona)
positioning_statements = core.RecordService(m.PositioningStatement)
positioning_variants = core.RecordService(m.PositioningVariant)
pricing_strategies = core.RecordService(m.PricingStrategy)
price_tiers = core.RecordService(m.PriceTier)
discount_policies = core.RecordService(m.DiscountPolicy)
review_questions = core.RecordService(m.ReviewQuestion)
