"""Calendar feeds (iCal subscriptions behind a secret URL) and the scheduler's memory."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketdesk.core.models import Gated
from marketdesk.core.roles import ALL_ROLES, LEADERS


class CalendarFeed(Gated):
    """An iCal subscription. Only a SHA-256 digest of the secret is stored; the secret (and
    so the URL) is shown once, at creation, like an API token.

    A personal feed (``team`` empty) holds what ``user`` owns or reviews, through the gate;
    a team feed holds the team's items and is valid only while its creator may still see
    the team.
    """

    PREFIX_LENGTH = 8
    SECRET_PREFIX = "mdcal_"

    # Anyone in a team may subscribe to its calendar; revoking someone else's feed is a
    # leader's job (the creator may always revoke their own, see services.feed_revoke).
    gate_rules = {"view": ALL_ROLES, "add": ALL_ROLES, "change": LEADERS, "delete": LEADERS}

    class Scope(models.TextChoices):
        USER = "user", _("My items")
        TEAM = "team", _("Team calendar")

    scope = models.CharField(_("feed"), max_length=10, choices=Scope.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.CASCADE,
        related_name="calendar_feeds",
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="calendar_feeds",
    )
    name = models.CharField(_("name"), max_length=100)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES,
        help_text=_("The language of the titles in the feed."),
    )
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def clean(self):
        if self.scope == self.Scope.TEAM and self.team_id is None:
            raise ValidationError({"team": _("A team calendar needs a team.")})
        if self.scope == self.Scope.USER and self.team_id is not None:
            raise ValidationError({"team": _("A personal feed belongs to no team.")})

    @staticmethod
    def hash(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @staticmethod
    def url_for(secret: str) -> str:
        return reverse("schedule:feed", args=[secret])


class JobRun(models.Model):
    """What the scheduler last did for one job (schedule.jobs): the slot it last enqueued
    and how that run ended. ``last_run_at`` advances by compare-and-set, so two schedulers
    (or a restart in the same minute) never enqueue one slot twice, and a scheduler that was
    down enqueues a missed job once when it comes back."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for its first run")
        ENQUEUED = "enqueued", _("Enqueued")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    name = models.CharField(_("job"), max_length=100, unique=True)
    first_seen_at = models.DateTimeField(
        _("first seen"), help_text=_("The minute a scheduler first knew this job; a job that "
                                     "has never run is due from its first slot after it."))
    last_run_at = models.DateTimeField(_("last run (scheduled minute, UTC)"), null=True, blank=True)
    last_enqueued_at = models.DateTimeField(_("last enqueued"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    last_status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                                   default=Status.WAITING)
    last_error = models.TextField(_("last error"), blank=True)
    last_result = models.JSONField(_("last result"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self):
        return self.name
