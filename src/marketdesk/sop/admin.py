"""Read-only admin views: definitions and runs change only through sop.services."""

from django.contrib import admin

from marketdesk.sop import models as m


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(m.ProcessDefinition)
class ProcessDefinitionAdmin(ReadOnlyAdmin):
    list_display = ["key", "version", "team", "name_en", "name_zh", "is_active", "created_at"]
    list_filter = ["team", "is_active", "key"]
    search_fields = ["key", "name_en", "name_zh"]


class DeadlineInline(admin.TabularInline):
    model = m.Deadline
    extra = 0
    fields = ["key", "kind", "rule", "basis", "due_at", "done_at", "reminded_at", "escalation_level"]
    readonly_fields = fields
    can_delete = False


class ReviewInline(admin.TabularInline):
    model = m.Review
    extra = 0
    fields = ["stage", "step", "role", "round", "reviewer", "decision", "decided_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(m.ProcessRun)
class ProcessRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "content_type", "object_id", "team", "definition", "stage", "status", "started_at"]
    list_filter = ["status", "team", "definition__key"]
    inlines = [DeadlineInline, ReviewInline]
