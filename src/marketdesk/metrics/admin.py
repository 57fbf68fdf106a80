from django.contrib import admin

from marketdesk.metrics.models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("pk", "created_at", "team", "preset", "filename", "status", "rows_total",
                    "rows_written", "duplicates", "error_count", "created_by")
    list_filter = ("status", "preset", "team")
    search_fields = ("filename",)
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request):  # jobs are created by the import service only
        return False
