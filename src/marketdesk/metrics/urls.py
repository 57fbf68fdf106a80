from django.urls import path  # noqa: F401  (routes are added below by each surface)

from marketdesk.metrics import views  # noqa: F401

app_name = "metrics"
urlpatterns = [
]
