from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from marketdesk.core.roles import LEADERS


class NotifyConfig(AppConfig):
    name = "marketdesk.notify"
    label = "notify"
    verbose_name = _("Notifications")

    @property
    def nav(self):
        from marketdesk.core.navigation import NavItem

        return [
            NavItem("notify:inbox", _("Inbox"), "bi-bell", order=80,
                    badge_url_name="notify:unread_badge"),
            NavItem("notify:webhook_list", _("Webhooks"), "bi-broadcast", roles=LEADERS,
                    order=85),
        ]
