from django.contrib import admin

from marketdesk.core import audit, services
from marketdesk.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ("created_at", "actor_name", "action", "content_type", "object_repr", "request_id")
    list_filter = ("action", "content_type")
    search_fields = ("actor_name", "object_repr", "message", "request_id")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Admin edits of gated records land in the audit log like service writes do.

    The admin form has already run full_clean; saving and the audit entry happen in one
    transaction (Django wraps changeform views in atomic)."""

    def save_model(self, request, obj, form, change):
        request._audit_before = (
            audit.snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        )
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        before = getattr(request, "_audit_before", None)
        if before is None:
            audit.record("create", obj, actor=request.user,
                         changes={"after": audit.snapshot(obj)}, message="admin")
        else:
            changes = audit.diff(before, audit.snapshot(obj))
            if changes["after"]:
                audit.record("update", obj, actor=request.user, changes=changes, message="admin")

    def delete_model(self, request, obj):
        services.delete(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.delete(obj, by=request.user)
