from django.urls import path

from marketdesk.sop import views

app_name = "sop"
urlpatterns = [
    path("", views.definition_list, name="definition_list"),
    path("definitions/<int:pk>/", views.definition_detail, name="definition_detail"),
    path("definitions/<int:pk>/flowchart.svg", views.definition_flowchart, name="definition_flowchart"),
    path("definitions/<int:pk>/copy/", views.definition_edit, name="definition_edit"),
    path("definitions/<int:pk>/use-builtin/", views.definition_use_builtin, name="definition_use_builtin"),
    path("reviews/", views.review_inbox, name="review_inbox"),
    path("runs/<int:pk>/panel/", views.panel, name="panel"),
    path("runs/<int:pk>/review/", views.review, name="review"),
    path("runs/<int:pk>/advance/", views.advance, name="advance"),
    path("runs/<int:pk>/tick/", views.tick, name="tick"),
]
