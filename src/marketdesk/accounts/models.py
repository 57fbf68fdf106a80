import hashlib
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketdesk.core.roles import Role


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("Unknown time zone: %(tz)s"), params={"tz": value}) from None


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("short name"), max_length=50, unique=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=settings.DEFAULT_TEAM_TIME_ZONE,
        validators=[validate_time_zone],
        help_text=_("Dates and deadlines of this team are shown and counted in this zone."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self):
        return self.name

    def today(self, now=None):
        """The team's local calendar day (DOMAIN conventions: SOP dates are counted on
        the team's local calendar), whatever zone the current request activated."""
        from django.utils import timezone

        return timezone.localdate(now, timezone=zoneinfo.ZoneInfo(self.time_zone))


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MARKETER)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True,
        help_text=_("Empty: follow the browser's language."),
    )
    teams = models.ManyToManyField(Team, through="Membership", related_name="members", blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.username

    def display_time_zone(self) -> str:
        if not hasattr(self, "_display_tz"):
            membership = self.memberships.select_related("team").order_by("id").first()
            self._display_tz = membership.team.time_zone if membership else ""
        return self._display_tz


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="unique_membership")
        ]

    def __str__(self):
        return f"{self.user} @ {self.team}"


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 digest is stored; the secret is shown once."""

    PREFIX_LENGTH = 8

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class LoginFailure(models.Model):
    """Failed sign-ins per username and address, for throttling (settings.LOGIN_*)."""

    username = models.CharField(max_length=150)
    ip_address = models.CharField(max_length=64)
    failures = models.PositiveIntegerField(default=0)
    first_failed_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["username", "ip_address"], name="unique_login_failure")
        ]

    def __str__(self):
        return f"{self.username} @ {self.ip_address}: {self.failures}"
