from django.urls import path, register_converter

from marketdesk.strategy import views


class ParentConverter:
    """The two records whose pages edit child records: products and competitors."""

    regex = "products|competitors"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ParentConverter, "strategy_parent")

app_name = "strategy"
urlpatterns = [
    # Products (S1, S2, S4–S8)
    path("products/", views.product_list, name="product_list"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/<int:pk>/", views.product_detail, name="product_detail"),
    path("products/<int:pk>/edit/", views.product_edit, name="product_edit"),
    path("products/<int:pk>/delete/", views.product_delete, name="product_delete"),
    path("products/<int:pk>/vision/edit/", views.vision_edit, name="vision_edit"),
    path("products/<int:pk>/pricing/edit/", views.pricing_edit, name="pricing_edit"),
    path("products/<int:pk>/pricing/recommend/", views.pricing_recommend, name="pricing_recommend"),
    path("products/<int:pk>/pricing/discount/", views.pricing_discount, name="pricing_discount"),
    path("products/<int:pk>/positioning/check/", views.positioning_check, name="positioning_check"),
    path("products/<int:pk>/review/<int:question_id>/answer/", views.review_answer,
         name="review_answer"),
    path("products/<int:pk>/<slug:tab>/", views.product_detail, name="product_tab"),
    # Competitors (S3, S4)
    path("competitors/", views.competitor_list, name="competitor_list"),
    path("competitors/new/", views.competitor_create, name="competitor_create"),
    path("competitors/tier/", views.competitor_tier, name="competitor_tier"),
    path("competitors/<int:pk>/", views.competitor_detail, name="competitor_detail"),
    path("competitors/<int:pk>/edit/", views.competitor_edit, name="competitor_edit"),
    path("competitors/<int:pk>/delete/", views.competitor_delete, name="competitor_delete"),
    path("competitors/<int:pk>/<slug:tab>/", views.competitor_detail, name="competitor_tab"),
    # Records edited from a product's or competitor's page
    path("<strategy_parent:parent>/<int:pk>/<slug:kind>/new/", views.child_create,
         name="child_create"),
    path("<strategy_parent:parent>/<int:pk>/<slug:kind>/<int:child_id>/edit/", views.child_edit,
         name="child_edit"),
    path("<strategy_parent:parent>/<int:pk>/<slug:kind>/<int:child_id>/delete/",
         views.child_delete, name="child_delete"),
    # Research (S2)
    path("research/", views.research_list, name="research_list"),
    path("research/new/", views.research_create, name="research_create"),
    path("research/<int:pk>/", views.research_detail, name="research_detail"),
    path("research/<int:pk>/edit/", views.research_edit, name="research_edit"),
    path("research/<int:pk>/delete/", views.research_delete, name="research_delete"),
]
