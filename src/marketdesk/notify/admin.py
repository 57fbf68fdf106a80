from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from marketdesk.core.admin import AuditedAdmin
from marketdesk.notify.models import Delivery, DeliveryAttempt, Notification, WebhookEndpoint
from marketdesk.notify.safety import validate_webhook_url


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by services and the worker only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient", "kind", "title", "read_at")
    list_filter = ("kind",)
    search_fields = ("title", "recipient__username")


class WebhookEndpointAdminForm(forms.ModelForm):
    class Meta:
        model = WebhookEndpoint
        # The secret is shown nowhere after saving; it is set on the team's webhook page.
        fields = ("team", "name", "vendor", "url", "enabled")

    def clean_url(self):
        url = self.cleaned_data["url"]
        if "url" in self.changed_data:
            try:
                validate_webhook_url(url)  # the full check (DNS included) the service runs
            except ValidationError as exc:
                raise ValidationError(exc.error_dict["url"]) from None
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AuditedAdmin):
    form = WebhookEndpointAdminForm
    list_display = ("name", "team", "vendor", "enabled")
    list_filter = ("vendor", "enabled", "team")
    search_fields = ("name",)


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ("number", "started_at", "finished_at", "status_code", "error_kind", "error")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "endpoint", "title", "status", "attempts", "next_attempt_at",
                    "last_status_code")
    list_filter = ("status", "error_kind")
    search_fields = ("title", "last_error")
    inlines = [DeliveryAttemptInline]
