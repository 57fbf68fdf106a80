from django.contrib import admin

from marketdesk.schedule.models import CalendarFeed, JobRun


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ("name", "scope", "user", "team", "prefix", "created_at", "last_used_at",
                    "revoked_at")
    list_filter = ("scope", "team", "revoked_at")
    readonly_fields = ("scope", "user", "team", "name", "language", "prefix", "digest",
                       "created_at", "last_used_at", "revoked_at")

    def has_add_permission(self, request):
        return False  # feeds are issued on the calendar's feed page, where the secret is shown once


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ("name", "last_run_at", "last_status", "last_finished_at", "last_error")
    readonly_fields = ("name", "first_seen_at", "last_run_at", "last_enqueued_at",
                       "last_finished_at", "last_status", "last_error", "last_result")

    def has_add_permission(self, request):
        return False
