"""Records of the metrics area. The facts themselves live in the analytics store
(``metrics.store``), not in these tables (decision 0006)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketdesk.core.models import Gated
from marketdesk.core.roles import ALL_ROLES, EDITORS, LEADERS


class _Analytics:
    """The permission gate's rules for the analytics area as a whole: facts are
    company-wide, so there is no team scope — only the right (decision 0006)."""

    gate_rules = {"view": ALL_ROLES, "add": EDITORS, "change": EDITORS, "delete": LEADERS}

    def __repr__(self):
        return "ANALYTICS"


ANALYTICS = _Analytics()


class ImportJob(Gated):
    """One file imported into the analytics store (O14): the preset it was read with, its
    progress while the worker runs it, and its error report (the first 1,000 problems,
    with the total count). The uploaded file is kept under ``DATA_DIR/imports/<id>`` until
    the job ends."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        REFUSED = "refused", _("Refused")
        FAILED = "failed", _("Failed")

    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), on_delete=models.PROTECT,
                             related_name="metrics_imports")
    preset = models.CharField(_("preset"), max_length=40)
    filename = models.CharField(_("file"), max_length=200, blank=True)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    skip_bad_rows = models.BooleanField(_("skip bad rows"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_written = models.PositiveIntegerField(_("facts written"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    bad_rows = models.PositiveIntegerField(_("bad rows"), default=0)
    error_count = models.PositiveIntegerField(_("problems"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    ignored_columns = models.JSONField(_("ignored columns"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("imported by"),
                                   null=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    gate_rules = {"view": EDITORS, "add": EDITORS, "change": frozenset(), "delete": LEADERS}

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("metrics import")
        verbose_name_plural = _("metrics imports")

    def __str__(self):
        return f"{self.preset} · {self.filename or '-'} · #{self.pk}"

    @property
    def running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        """Progress: checking every row, then (all-or-nothing) writing every row."""
        if self.status in (self.Status.DONE, self.Status.REFUSED):
            return 100
        if not self.rows_total:
            return 0
        passes = 1 if self.skip_bad_rows else 2
        done = self.rows_checked + (0 if self.skip_bad_rows else self.rows_done)
        return min(100, int(100 * done / (passes * self.rows_total)))
