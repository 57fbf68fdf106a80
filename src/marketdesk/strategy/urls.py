from django.urls import path

from marketdesk.strategy import views

app_name = "strategy"
urlpatterns = [
    path("products/", views.product_list, name="product_list"),
    path("competitors/", views.competitor_list, name="competitor_list"),
    path("research/", views.research_list, name="research_list"),
]
