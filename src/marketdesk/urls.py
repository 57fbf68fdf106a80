from django.contrib import admin
from django.urls import include, path

from marketdesk.core.api import build_api
from marketdesk.strategy.api import router as strategy_router

api = build_api()
api.add_router("/strategy", strategy_router)

urlpatterns = [
    path("", include("marketdesk.core.urls")),
    path("accounts/", include("marketdesk.accounts.urls")),
    path("strategy/", include("marketdesk.strategy.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
