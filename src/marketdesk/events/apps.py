from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "marketdesk.events"
    label = "events"
    verbose_name = _("Events")

    #: Global search (core.views.search): every model here has get_absolute_url.
    search = [
        ("events.Event", ["name", "organiser", "city", "venue"]),
        ("events.EventSeries", ["name", "description"]),
    ]

    @property
    def nav(self):
        from marketdesk.core.navigation import NavItem

        return [
            NavItem("events:list", _("Opportunities"), "bi-funnel", model="events.Event", order=40),
            NavItem("events:board", _("Events"), "bi-kanban", model="events.Event", order=41),
        ]

    def ready(self):
        from marketdesk.events import models, services
        from marketdesk.sop import items

        items.register(models.Event, services.EventAdapter())

    def home_summary(self, user):
        """Counts for the home page, through the permission gate."""
        from django.urls import reverse

        from marketdesk.core import permissions as gate
        from marketdesk.events import models as m

        if not gate.can(user, "view", m.Event):
            return []
        events = gate.scope(m.Event.objects.all(), user)
        new = events.filter(screening=m.Event.Screening.NEW).count()
        undecided = events.filter(screening=m.Event.Screening.ACCEPTED, score__isnull=False,
                                  decision=m.Event.Decision.PENDING).count()
        running = events.filter(decision=m.Event.Decision.GO).count()
        return [
            {"label": _("New event opportunities"), "value": new,
             "url": reverse("events:list") + "?screening=new"},
            {"label": _("Events awaiting a decision"), "value": undecided,
             "url": reverse("events:list") + "?stage=undecided"},
            {"label": _("Events we take part in"), "value": running,
             "url": reverse("events:board")},
        ]
