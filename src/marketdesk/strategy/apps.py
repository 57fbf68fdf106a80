from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StrategyConfig(AppConfig):
    name = "marketdesk.strategy"
    label = "strategy"
    verbose_name = _("Product strategy")

    @property
    def nav(self):
        from marketdesk.core.navigation import NavItem

        return [
            NavItem("strategy:product_list", _("Products"), "bi-box-seam", model="strategy.Product", order=10),
            NavItem("strategy:competitor_list", _("Competitors"), "bi-binoculars", model="strategy.Competitor", order=20),
            NavItem("strategy:research_list", _("Research"), "bi-journal-text", model="strategy.ResearchNote", order=30),
        ]
