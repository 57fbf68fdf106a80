from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "marketdesk.metrics"
    label = "metrics"
    verbose_name = _("Metrics")

    @property
    def nav(self):
        from marketdesk.core.navigation import NavItem
        from marketdesk.core.roles import ALL_ROLES

        return [NavItem("metrics:dashboard", _("KPIs"), "bi-graph-up", roles=frozenset(ALL_ROLES),
                        order=50)]
