from django.contrib import admin

from marketdesk.core.admin import AuditedAdmin
from marketdesk.events import models as m


class CostLineInline(admin.TabularInline):
    model = m.CostLine
    extra = 0


@admin.register(m.Event)
class EventAdmin(AuditedAdmin):
    list_display = ("name", "team", "start_date", "event_type", "screening", "decision",
                    "priority", "score", "owner")
    list_filter = ("team", "screening", "decision", "event_type", "priority", "source_channel")
    search_fields = ("name", "organiser", "city")
    date_hierarchy = "start_date"
    readonly_fields = ("score",)
    raw_id_fields = ("owner", "series")
    inlines = [CostLineInline]


@admin.register(m.ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Read-only: an import is a record of what happened."""

    list_display = ("created_at", "kind", "team", "source", "rows_total", "rows_written",
                    "rows_refused", "created_by")
    list_filter = ("kind", "team")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


for model, columns, filters in [
    (m.EventSeries, ("name", "team"), ("team",)),
    (m.TeamScoringWeights, ("team", "topic_fit", "organiser", "attendees",
                            "cost_effectiveness", "references", "other"), ()),
    (m.CostLine, ("description", "event", "category", "planned_amount", "actual_amount",
                  "paid_on"), ("category",)),
    (m.PaidStep, ("event", "confirmed_price", "contract_no", "payment_date"), ()),
    (m.ExecutionTask, ("title", "event", "owner", "priority", "due_on", "done"),
     ("priority", "done")),
    (m.KeyNode, ("node", "event", "owner", "at"), ()),
    (m.RegistrationCount, ("event", "day", "channel", "count"), ()),
    (m.Lead, ("name", "company", "event", "assigned_to", "handed_at"), ()),
    (m.Retrospective, ("event", "actual_spend", "registrations", "leads", "cost_per_lead"), ()),
    (m.SeriesRetrospective, ("series",), ()),
]:
    admin.site.register(model, type(f"{model.__name__}Admin", (AuditedAdmin,), {
        "list_display": columns, "list_filter": filters}))
