from django.contrib import admin

from marketdesk.core.admin import AuditedAdmin
from marketdesk.strategy import models as m


class FeatureInline(admin.TabularInline):
    model = m.Feature
    extra = 0


@admin.register(m.Product)
class ProductAdmin(AuditedAdmin):
    list_display = ("name", "team", "tagline", "updated_at")
    list_filter = ("team",)
    search_fields = ("name", "tagline")


@admin.register(m.Competitor)
class CompetitorAdmin(AuditedAdmin):
    list_display = ("name", "tier", "team", "product_overlap", "same_audience")
    list_filter = ("tier", "team")
    search_fields = ("name",)


for model, columns, filters in [
    (m.Feature, ("name", "product", "status"), ("status",)),
    (m.VisionDocument, ("product", "updated_at"), ()),
    (m.ResearchNote, ("title", "kind", "method", "source", "collected_on"), ("kind", "method")),
    (m.MarketSize, ("product", "segment", "region", "year", "target_customers"), ("year",)),
    (m.CompetitorProduct, ("name", "competitor", "pricing_model", "list_price"), ("pricing_model",)),
    (m.CompetitorMove, ("happened_on", "competitor", "kind", "title"), ("kind",)),
    (m.SwotEntry, ("quadrant", "text", "product", "competitor"), ("quadrant",)),
    (m.Persona, ("name", "kind", "product", "title"), ("kind",)),
    (m.PositioningStatement, ("statement", "product", "is_primary"), ()),
    (m.PositioningVariant, ("statement", "channel", "region", "audience"), ()),
    (m.PricingStrategy, ("product", "approach", "value_strategy"), ("approach",)),
    (m.PriceTier, ("name", "strategy", "price", "period", "min_seats", "max_seats"), ()),
    (m.DiscountPolicy, ("name", "strategy", "kind", "ratio_type"), ("kind", "ratio_type")),
    (m.ReviewQuestion, ("question", "product", "last_reviewed_on"), ()),
]:
    admin.site.register(model, type(f"{model.__name__}Admin", (AuditedAdmin,), {
        "list_display": columns, "list_filter": filters}))
