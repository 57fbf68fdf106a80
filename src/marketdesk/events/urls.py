from django.urls import path

from marketdesk.events import views

app_name = "events"
urlpatterns = [
    # Intake and evaluation (O3, O4)
    path("", views.event_list, name="list"),
    path("board/", views.board, name="board"),
    path("new/", views.event_create, name="create"),
    path("import/", views.import_events, name="import"),
    path("agenda/", views.agenda, name="agenda"),
    path("agenda.md", views.agenda_markdown, name="agenda_markdown"),
    path("weights/<int:team_id>/", views.weights, name="weights"),
    # Series (O10)
    path("series/", views.series_list, name="series_list"),
    path("series/new/", views.series_create, name="series_create"),
    path("series/<int:pk>/", views.series_detail, name="series_detail"),
    path("series/<int:pk>/edit/", views.series_edit, name="series_edit"),
    path("series/<int:pk>/retrospective/", views.series_retrospective_edit,
         name="series_retrospective"),
    # One event
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/edit/", views.event_edit, name="edit"),
    path("<int:pk>/delete/", views.event_delete, name="delete"),
    path("<int:pk>/screen/", views.event_screen, name="screen"),
    path("<int:pk>/evaluate/", views.event_evaluate, name="evaluate"),
    path("<int:pk>/decide/", views.event_decide, name="decide"),
    path("<int:pk>/edit/<slug:section>/", views.section_edit, name="section_edit"),
    path("<int:pk>/paid/", views.paid_step_edit, name="paid_step"),
    path("<int:pk>/registrations/add/", views.registration_add, name="registration_add"),
    path("<int:pk>/daily-report/", views.daily_report, name="daily_report"),
    path("<int:pk>/daily-report.md", views.daily_report_markdown, name="daily_report_markdown"),
    path("<int:pk>/leads/hand/", views.leads_hand, name="leads_hand"),
    path("<int:pk>/retrospective/open/", views.retrospective_open, name="retrospective_open"),
    path("<int:pk>/retrospective/refresh/", views.retrospective_refresh,
         name="retrospective_refresh"),
    path("<int:pk>/retrospective/edit/", views.retrospective_edit, name="retrospective_edit"),
    path("<int:pk>/import/<slug:kind>/", views.import_for_event, name="import_for_event"),
    path("<int:pk>/<slug:kind>/new/", views.child_create, name="child_create"),
    path("<int:pk>/<slug:kind>/<int:child_id>/edit/", views.child_edit, name="child_edit"),
    path("<int:pk>/<slug:kind>/<int:child_id>/delete/", views.child_delete, name="child_delete"),
    path("<int:pk>/<slug:tab>/", views.event_detail, name="tab"),
]
