from django.contrib import admin
from django.urls import include, path

from marketdesk.core.api import build_api
from marketdesk.events.api import router as events_router
from marketdesk.metrics import collector
from marketdesk.metrics.api import router as metrics_router
from marketdesk.notify.api import router as notify_router
from marketdesk.schedule.api import router as schedule_router
from marketdesk.sop.api import router as sop_router
from marketdesk.strategy.api import router as strategy_router

api = build_api()
api.add_router("/strategy", strategy_router)
api.add_router("/events", events_router)
api.add_router("/notify", notify_router)
api.add_router("/sop", sop_router)
api.add_router("/calendar", schedule_router)
api.add_router("/metrics", metrics_router)

urlpatterns = [
    path("", include("marketdesk.core.urls")),
    path("accounts/", include("marketdesk.accounts.urls")),
    path("strategy/", include("marketdesk.strategy.urls")),
    path("events/", include("marketdesk.events.urls")),
    path("notify/", include("marketdesk.notify.urls")),
    path("sop/", include("marketdesk.sop.urls")),
    path("calendar/", include("marketdesk.schedule.urls")),
    path("metrics/", include("marketdesk.metrics.urls")),
    path("api/v1/", api.urls),
    path("collect", collector.collect, name="collect"),
    path("admin/", admin.site.urls),
]
