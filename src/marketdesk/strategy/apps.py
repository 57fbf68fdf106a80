from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StrategyConfig(AppConfig):
    name = "marketdesk.strategy"
    label = "strategy"
    verbose_name = _("Product strategy")

    #: Global search (core.views.search): model label and the fields matched; every
    #: model here has get_absolute_url (child records open their parent's tab).
    search = [
        ("strategy.Product", ["name", "tagline", "description"]),
        ("strategy.Competitor", ["name", "summary"]),
        ("strategy.Persona", ["name", "title"]),
        ("strategy.ResearchNote", ["title", "source", "body"]),
        ("strategy.PositioningStatement", ["statement", "audience"]),
    ]

    @property
    def nav(self):
        from marketdesk.core.navigation import NavItem

        return [
            NavItem("strategy:product_list", _("Products"), "bi-box-seam", model="strategy.Product", order=10),
            NavItem("strategy:competitor_list", _("Competitors"), "bi-binoculars", model="strategy.Competitor", order=20),
            NavItem("strategy:research_list", _("Research"), "bi-journal-text", model="strategy.ResearchNote", order=30),
        ]

    def home_summary(self, user):
        """Counts for the home page, through the permission gate."""
        from django.urls import reverse

        from marketdesk.core import permissions as gate
        from marketdesk.strategy import models as m

        rows = [
            (m.Product, _("Products"), "strategy:product_list"),
            (m.Competitor, _("Competitors"), "strategy:competitor_list"),
            (m.Persona, _("Personas"), "strategy:product_list"),
            (m.ResearchNote, _("Research notes"), "strategy:research_list"),
        ]
        return [
            {"label": label, "value": gate.scope(model.objects.all(), user).count(),
             "url": reverse(url_name)}
            for model, label, url_name in rows
            if gate.can(user, "view", model)
        ]
