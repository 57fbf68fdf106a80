"""The roles of DOMAIN (RBAC): who a user is in the marketing organisation."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DIRECTOR = "director", _("Marketing director")
    TEAM_LEADER = "team_leader", _("Team leader")
    MARKETER = "marketer", _("Marketer")
    REVIEWER = "reviewer", _("Business-department reviewer")
    SALES = "sales", _("Sales")
    ADMIN = "admin", _("Administrator")


#: Roles whose scope is the whole company: they see every team's objects.
COMPANY_WIDE = frozenset({Role.DIRECTOR, Role.ADMIN})
ALL_ROLES = frozenset(Role)
EDITORS = frozenset({Role.DIRECTOR, Role.ADMIN, Role.TEAM_LEADER, Role.MARKETER})
LEADERS = frozenset({Role.DIRECTOR, Role.ADMIN, Role.TEAM_LEADER})
