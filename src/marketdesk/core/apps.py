from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from marketdesk.core.roles import COMPANY_WIDE


class CoreConfig(AppConfig):
    name = "marketdesk.core"
    label = "core"
    verbose_name = _("Core")

    @property
    def nav(self):
        from marketdesk.core.navigation import NavItem

        return [
            NavItem("core:home", _("Home"), "bi-house", order=0),
            NavItem("core:audit", _("Audit log"), "bi-clock-history", roles=COMPANY_WIDE, order=90),
        ]
