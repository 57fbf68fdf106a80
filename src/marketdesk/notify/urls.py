from django.urls import path

from marketdesk.notify import views

app_name = "notify"
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/badge/", views.unread_badge, name="unread_badge"),
    path("inbox/read-all/", views.notification_read_all, name="read_all"),
    path("inbox/<int:pk>/open/", views.notification_open, name="open"),
    path("inbox/<int:pk>/read/", views.notification_read, name="read"),
    path("webhooks/", views.webhook_list, name="webhook_list"),
    path("webhooks/new/", views.webhook_create, name="webhook_create"),
    path("webhooks/<int:pk>/edit/", views.webhook_edit, name="webhook_edit"),
    path("webhooks/<int:pk>/delete/", views.webhook_delete, name="webhook_delete"),
    path("webhooks/<int:pk>/test/", views.webhook_test, name="webhook_test"),
    path("webhooks/<int:pk>/deliveries/", views.delivery_log, name="delivery_log"),
    path("deliveries/<int:pk>/", views.delivery_row, name="delivery_row"),
]
