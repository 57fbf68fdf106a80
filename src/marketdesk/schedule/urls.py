from django.urls import path

from marketdesk.schedule import views

app_name = "schedule"
urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("feeds/", views.feeds, name="feeds"),
    path("feeds/<int:pk>/revoke/", views.feed_revoke, name="feed_revoke"),
    # The secret is the credential: no sign-in (views.feed).
    path("feed/<str:secret>.ics", views.feed, name="feed"),
]
