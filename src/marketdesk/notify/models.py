"""Notifications: the in-app inbox, team chat-bot webhooks and their delivery log."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketdesk.core.models import Gated
from marketdesk.core.roles import ALL_ROLES, LEADERS
from marketdesk.notify.safety import check_url_syntax
from marketdesk.notify.vendors import SIGNED, Vendor


class Notification(models.Model):
    """One message in one user's inbox. Title and body are stored as the caller wrote
    them (already in the recipient's language)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recipient"),
                                  on_delete=models.CASCADE, related_name="notifications")
    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("from"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    dedupe_key = models.CharField(_("de-duplication key"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notify_inbox_unread")]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"],
                                    condition=~Q(dedupe_key=""),
                                    name="notify_unique_dedupe_per_recipient"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class WebhookEndpoint(Gated):
    """A team's chat-bot webhook (Feishu, DingTalk, WeCom, Slack)."""

    gate_rules = {"view": ALL_ROLES, "add": LEADERS, "change": LEADERS, "delete": LEADERS}
    #: The URL carries the bot's access token and the secret signs messages: the audit
    #: log keeps a fingerprint of them, never the values (core.audit.snapshot).
    audit_secret_fields = ("url", "secret")

    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), on_delete=models.CASCADE,
                             related_name="webhook_endpoints")
    name = models.CharField(_("name"), max_length=100)
    vendor = models.CharField(_("chat tool"), max_length=20, choices=Vendor.choices)
    url = models.CharField(
        _("webhook address"), max_length=1000, validators=[check_url_syntax],
        help_text=_("The address the chat tool gave for the bot (https only)."))
    secret = models.CharField(
        _("signing secret"), max_length=200, blank=True,
        help_text=_("Feishu and DingTalk only: the secret of the bot's signature check "
                    "(签名校验 / 加签). Leave empty if the bot does not check signatures."))
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["team__name", "name"]
        verbose_name = _("team webhook")
        verbose_name_plural = _("team webhooks")
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="notify_unique_webhook_name"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("notify:delivery_log", args=[self.pk])

    def clean(self):
        super().clean()
        if self.secret and self.vendor and self.vendor not in SIGNED:
            raise ValidationError({"secret": _(
                "%(vendor)s webhooks are not signed: leave the secret empty (the key in the "
                "address is the credential).") % {"vendor": self.get_vendor_display()}})

    @property
    def url_display(self) -> str:
        """The address without its access token, safe to show to every team member."""
        from urllib.parse import urlsplit

        try:
            parts = urlsplit(self.url)
            host = parts.netloc
        except ValueError:
            return "…"
        tail = self.url[-4:] if len(self.url) > 24 else ""
        return f"{parts.scheme}://{host}/…{tail}"


class Delivery(Gated):
    """One message to one webhook endpoint, with its attempts: the delivery log."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RETRYING = "retrying", _("Retrying")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    class ErrorKind(models.TextChoices):
        NETWORK = "network", _("Network error")
        HTTP = "http", _("HTTP error")
        VENDOR = "vendor", _("Error reported by the chat tool")
        RATE_LIMITED = "rate_limited", _("Too many messages (the chat tool's limit)")
        REDIRECT = "redirect", _("Redirect not followed")
        REFUSED = "refused", _("Address refused (SSRF protection)")
        DISABLED = "disabled", _("Webhook disabled")

    gate_team_path = "endpoint__team"
    gate_rules = {"view": ALL_ROLES, "add": LEADERS, "change": frozenset(), "delete": frozenset()}

    endpoint = models.ForeignKey(WebhookEndpoint, verbose_name=_("webhook"),
                                 on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(_("kind"), max_length=60, blank=True)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    payload = models.JSONField(_("message sent"), default=dict)
    dedupe_key = models.CharField(_("de-duplication key"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True,
                                                        blank=True)
    error_kind = models.CharField(_("error"), max_length=20, choices=ErrorKind.choices,
                                  blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notify_delivery_due"),
            models.Index(fields=["endpoint", "-created_at"], name="notify_delivery_log"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "dedupe_key"],
                                    condition=~Q(dedupe_key=""),
                                    name="notify_unique_dedupe_per_endpoint"),
        ]

    def __str__(self):
        return self.title

    @property
    def audit_root(self):
        return self.endpoint


class DeliveryAttempt(models.Model):
    """One HTTP request of a delivery (also what the per-endpoint rate limit counts)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveSmallIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error_kind = models.CharField(_("error"), max_length=20, choices=Delivery.ErrorKind.choices,
                                  blank=True)
    error = models.TextField(_("error detail"), blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        indexes = [models.Index(fields=["endpoint", "started_at"], name="notify_attempt_window")]

    def __str__(self):
        return f"{self.delivery_id} #{self.number}"

    @property
    def ok(self) -> bool:
        return self.finished_at is not None and not self.error_kind
