"""REST resources of the strategy knowledge base (S1–S8) under /api/v1/strategy."""

from ninja import Field, Query, Router, Schema

from marketdesk.core import permissions as gate
from marketdesk.core.api import READ_ERRORS
from marketdesk.core.crud_api import Resource, register
from marketdesk.strategy import models as m
from marketdesk.strategy import services
from marketdesk.strategy.positioning import check_statement
from marketdesk.strategy.pricing import recommend_tier

router = Router(tags=["strategy"])

RESOURCES = [
    Resource(m.Product, "products", services.products,
             ["team", "name", "tagline", "description", "brand_voice_words"],
             filters=["team"], search=["name", "tagline"], ordering=["name"]),
    Resource(m.Feature, "features", services.features,
             ["product", "name", "description", "status", "activation_event"],
             filters=["product", "status"], search=["name"]),
    Resource(m.VisionDocument, "visions", services.visions,
             ["product", "target_users", "problems_solved", "success_measures", "success_kpis"],
             filters=["product"]),
    Resource(m.ResearchNote, "research-notes", services.research_notes,
             ["team", "product", "kind", "method", "title", "source", "source_url",
              "collected_on", "body"],
             filters=["team", "product", "kind", "method"], search=["title", "source", "body"],
             ordering=["-collected_on", "id"]),
    Resource(m.MarketSize, "market-sizes", services.market_sizes,
             ["product", "segment", "region", "year", "target_customers", "source_note"],
             filters=["product", "year"], search=["segment", "region"]),
    Resource(m.Competitor, "competitors", services.competitors,
             ["team", "name", "product_overlap", "same_audience", "products", "website",
              "summary", "strengths", "weaknesses", "web_signals"],
             read_only=["tier"], filters=["team", "tier"], search=["name", "summary"], ordering=["tier", "name"]),
    Resource(m.CompetitorProduct, "competitor-products", services.competitor_products,
             ["competitor", "name", "description", "pricing_model", "list_price", "currency",
              "price_note"],
             filters=["competitor"], search=["name"]),
    Resource(m.CompetitorMove, "competitor-moves", services.competitor_moves,
             ["competitor", "happened_on", "kind", "title", "details", "source_url"],
             filters=["competitor", "kind"], search=["title", "details"],
             ordering=["-happened_on", "-id"]),
    Resource(m.SwotEntry, "swot-entries", services.swot_entries,
             ["product", "competitor", "quadrant", "text", "evidence_notes", "evidence_moves"],
             filters=["product", "competitor", "quadrant"], search=["text"]),
    Resource(m.Persona, "personas", services.personas,
             ["product", "kind", "name", "age_min", "age_max", "gender", "location", "education",
              "title", "income_level", "goals", "challenges", "personality_traits"],
             filters=["product", "kind"], search=["name", "title"]),
    Resource(m.PositioningStatement, "positioning-statements", services.positioning_statements,
             ["product", "audience", "problem", "benefit", "statement", "is_primary"],
             filters=["product"], search=["statement", "audience"]),
    Resource(m.PositioningVariant, "positioning-variants", services.positioning_variants,
             ["statement", "channel", "region", "audience", "text"],
             filters=["statement", "channel", "region"], search=["text"]),
    Resource(m.PricingStrategy, "pricing-strategies", services.pricing_strategies,
             ["product", "approach", "value_strategy", "currency", "rationale",
              "price_floor_note"],
             filters=["product", "approach"]),
    Resource(m.PriceTier, "price-tiers", services.price_tiers,
             ["strategy", "name", "price", "period", "min_seats", "max_seats", "fits",
              "included", "position"],
             filters=["strategy"], ordering=["position", "price"]),
    Resource(m.DiscountPolicy, "discount-policies", services.discount_policies,
             ["strategy", "name", "kind", "ratio_type", "steps", "conditions"],
             filters=["strategy", "kind"]),
    Resource(m.ReviewQuestion, "review-questions", services.review_questions,
             ["product", "question", "answer", "last_reviewed_on", "position"],
             filters=["product"], ordering=["position", "id"]),
]
for resource in RESOURCES:
    register(router, resource, tag="strategy")


class PositioningCheckIn(Schema):
    product: int
    text: str = Field(..., max_length=2000)


class CheckOut(Schema):
    rule: str
    ok: bool
    message: str


@router.post("/positioning-check", response={200: list[CheckOut], **READ_ERRORS},
             summary="Check a positioning text against the seed's rules (S6)")
def positioning_check(request, payload: PositioningCheckIn):
    product = gate.get_object(m.Product.objects.all(), request.user, "view", pk=payload.product)
    names = list(product.features.values_list("name", flat=True))
    return check_statement(payload.text, feature_names=names, brand_words=product.brand_voice_words)


class TierAdviceOut(Schema):
    tier_id: int | None
    tier_name: str
    reason: str


@router.get("/pricing-strategies/{int:strategy_id}/recommend",
            response={200: TierAdviceOut, **READ_ERRORS},
            summary="Recommend the right tier for a customer of N seats (S7)")
def tier_recommendation(request, strategy_id: int, seats: int = Query(..., ge=1, le=10_000_000)):
    strategy = gate.get_object(m.PricingStrategy.objects.all(), request.user, "view", pk=strategy_id)
    return recommend_tier(list(strategy.tiers.all()), seats)
