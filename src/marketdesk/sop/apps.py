from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_after_migrate(sender, app_config=None, using="default", **kwargs):
    """Shipped definitions reach the database after every migrate (new versions only)."""
    from django.db import connections

    from marketdesk.sop.models import ProcessDefinition
    from marketdesk.sop.services import sop_sync_definitions

    table = ProcessDefinition._meta.db_table
    if table not in connections[using].introspection.table_names():
        return  # migrating backwards, or the app's tables are not there yet
    sop_sync_definitions()


class SopConfig(AppConfig):
    name = "marketdesk.sop"
    label = "sop"
    verbose_name = _("Marketing SOP")

    def ready(self):
        post_migrate.connect(_sync_after_migrate, sender=self, dispatch_uid="sop-sync-definitions")

    @property
    def nav(self):
        from marketdesk.core.navigation import NavItem

        return [
            NavItem("sop:review_inbox", _("Reviews"), "bi-check2-square", model="sop.ProcessRun", order=60),
            NavItem("sop:definition_list", _("Processes"), "bi-diagram-3", model="sop.ProcessDefinition", order=70),
        ]

    def home_summary(self, user):
        from django.urls import reverse

        from marketdesk.sop.services import pending_reviews_for

        return [{"label": _("Reviews waiting for you"), "value": pending_reviews_for(user).count(),
                 "url": reverse("sop:review_inbox")}]
