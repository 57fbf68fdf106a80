"""Every write on the strategy knowledge base (S1–S8) and its business rules."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
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


class SwotService(core.RecordService):
    """A SWOT entry belongs to the team of its product or competitor."""

    @staticmethod
    def _team(fields, obj=None):
        product_id = fields.get("product_id", obj.product_id if obj else None)
        competitor_id = fields.get("competitor_id", obj.competitor_id if obj else None)
        if product_id:
            return m.Product.objects.values_list("team_id", flat=True).get(pk=product_id)
        if competitor_id:
            return m.Competitor.objects.values_list("team_id", flat=True).get(pk=competitor_id)
        return None

    def create(self, *, by, m2m=None, **fields):
        fields.setdefault("team_id", self._team(fields))
        return super().create(by=by, m2m=m2m, **fields)

    def update(self, obj, *, by, m2m=None, **fields):
        if "product_id" in fields or "competitor_id" in fields:
            fields["team_id"] = self._team(fields, obj)
        return super().update(obj, by=by, m2m=m2m, **fields)


def review_answer(question: m.ReviewQuestion, *, answer: str, by, on: dt.date | None = None):
    """S8: answering a review question stamps the date it was last reviewed."""
    return core.update(question, by=by, answer=answer,
                       last_reviewed_on=on or timezone.localdate())


products = ProductService(m.Product)
features = core.RecordService(m.Feature)
visions = core.RecordService(m.VisionDocument)
research_notes = core.RecordService(m.ResearchNote)
market_sizes = core.RecordService(m.MarketSize)
competitors = core.RecordService(m.Competitor)
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
