from django.urls import path  # noqa: F401  (routes are added below by each surface)

from marketdesk.metrics import views  # noqa: F401

app_name = "metrics"
urlpatterns = [
    path("", views.kpi_dashboard, name="dashboard"),
    path("kpis/", views.kpi_catalogue, name="catalogue"),
    path("kpis/<str:kpi_id>/", views.kpi_detail, name="kpi"),
    path("kpis/<str:kpi_id>/card/", views.kpi_card, name="kpi_card"),
    path("imports/", views.imports_list, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/errors.csv", views.import_errors_csv, name="import_errors_csv"),
    path("health/", views.health, name="health"),
]
