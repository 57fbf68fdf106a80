from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class ScheduleConfig(AppConfig):
    """The calendar, its iCal feeds and the scheduler of background work
    (docs/decisions/0005-calendar-and-scheduler.md)."""

    name = "marketdesk.schedule"
    label = "schedule"
    verbose_name = _("Calendar and scheduler")

    @property
    def nav(self):
        from marketdesk.core.navigation import NavItem

        return [NavItem("schedule:calendar", _("Calendar"), "bi-calendar3", order=45)]

    def ready(self):
        # Sources of apps that are not installed are skipped: the calendar shows what
        # exists, never a placeholder.
        from marketdesk.schedule.builtin_sources import register_all

        register_all(apps.is_installed)
