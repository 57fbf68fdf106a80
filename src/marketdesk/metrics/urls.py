from django.urls import path  # noqa: F401  (routes are added below by each surface)

from marketdesk.metrics import views  # noqa: F401

app_name = "metrics"
urlpatterns = [
    path("imports/", views.imports_list, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/errors.csv", views.import_errors_csv, name="import_errors_csv"),
    path("health/", views.health, name="health"),
]
