"""Process definitions (versioned data) and the runs of items through them (DOMAIN O3–O15).

Writes go through sop.services only; these classes hold data and small read helpers.
"""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketdesk.core.models import Gated
from marketdesk.core.roles import ALL_ROLES, EDITORS, LEADERS
from marketdesk.sop.definitions import Definition, Label


class ProcessDefinition(Gated):
    """One version of a process definition. ``team`` empty = built-in (shipped YAML).

    A version is never changed after it is written: an edit is a new version, and a
    run keeps the version it started with."""

    gate_rules = {
        "view": ALL_ROLES,
        "add": LEADERS,
        "change": LEADERS,
        "delete": frozenset(),
    }

    key = models.CharField(_("key"), max_length=64)
    version = models.PositiveIntegerField(_("version"))
    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="process_definitions")
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    yaml_text = models.TextField(_("YAML"))
    spec = models.JSONField(_("validated specification"))
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["key", "team_id", "-version"]
        verbose_name = _("process definition")
        verbose_name_plural = _("process definitions")
        constraints = [
            models.UniqueConstraint(fields=["team", "key", "version"], name="sop_unique_team_definition_version"),
            models.UniqueConstraint(fields=["key", "version"], condition=Q(team__isnull=True),
                                    name="sop_unique_builtin_definition_version"),
        ]

    def __str__(self):
        return f"{self.label} v{self.version}"

    def get_absolute_url(self):
        return reverse("sop:definition_detail", args=[self.pk])

    @property
    def is_builtin(self) -> bool:
        return self.team_id is None

    @property
    def label(self) -> Label:
        return Label(self.name_en, self.name_zh)

    @cached_property
    def parsed(self) -> Definition:
        return Definition.from_spec(self.spec)


class ProcessRun(Gated):
    """One item going through one definition version."""

    gate_rules = {"view": ALL_ROLES, "add": EDITORS, "change": EDITORS, "delete": LEADERS}

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), on_delete=models.PROTECT,
                             related_name="process_runs")
    definition = models.ForeignKey(ProcessDefinition, verbose_name=_("definition"),
                                   on_delete=models.PROTECT, related_name="runs")
    stage = models.CharField(_("stage"), max_length=64)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.ACTIVE)
    version = models.PositiveIntegerField(_("version"), default=1,
                                          help_text=_("Changes with every write (optimistic locking)."))
    started_at = models.DateTimeField(_("started"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=500, blank=True)
    #: {stage: {"entered_at": iso, "completed_at": iso}} — what "stage:<key>" anchors read.
    stage_log = models.JSONField(_("stage log"), default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("process run")
        verbose_name_plural = _("process runs")
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"],
                                    condition=Q(status="active"), name="sop_one_active_run_per_item"),
        ]

    def __str__(self):
        return f"{self.definition.label} · {self.stage_label}"

    @property
    def audit_root(self):
        return self.item or self

    @property
    def stage_label(self):
        parsed = self.definition.parsed
        return parsed.stage(self.stage).label if parsed.has_stage(self.stage) else self.stage

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class RunChild(Gated):
    """A record of a run; its history shows on the item's page."""

    gate_team_path = "run__team"
    gate_rules = ProcessRun.gate_rules

    class Meta:
        abstract = True

    @property
    def audit_root(self):
        return self.run.audit_root


class Deadline(RunChild):
    class Kind(models.TextChoices):
        STAGE = "stage", _("Stage")
        REVIEW = "review", _("Review")
        TASK = "task", _("Checklist item")

    class Escalation(models.IntegerChoices):
        NONE = 0, _("Not escalated")
        OWNER = 1, _("Owner told it is overdue")
        TEAM_LEADER = 2, _("Escalated to the team leader")
        DIRECTOR = 3, _("Escalated to the marketing director")

    run = models.ForeignKey(ProcessRun, on_delete=models.CASCADE, related_name="deadlines")
    key = models.CharField(_("key"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=300)
    label_zh = models.CharField(_("label (Chinese)"), max_length=300)
    stage = models.CharField(_("stage"), max_length=64)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    rule = models.CharField(_("rule"), max_length=40, blank=True)
    basis = models.CharField(_("counted from"), max_length=100, blank=True,
                             help_text=_('How the date is counted, e.g. "start −30d".'))
    position = models.PositiveIntegerField(_("order"), default=0)
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"),
                                                        choices=Escalation.choices, default=0)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        constraints = [models.UniqueConstraint(fields=["run", "key"], name="sop_unique_deadline_key")]

    def __str__(self):
        return str(self.label)

    @property
    def label(self) -> Label:
        return Label(self.label_en, self.label_zh)


class Review(RunChild):
    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")

    run = models.ForeignKey(ProcessRun, on_delete=models.CASCADE, related_name="reviews")
    stage = models.CharField(_("stage"), max_length=64)
    step = models.CharField(_("step"), max_length=64)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    role = models.CharField(_("role"), max_length=20)
    round = models.PositiveIntegerField(_("round"), default=1)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="sop_reviews")
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices,
                                default=Decision.PENDING)
    comment = models.TextField(_("comment"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["run_id", "round", "position", "id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(fields=["run", "stage", "step", "round"], name="sop_unique_review_step_round"),
        ]

    def __str__(self):
        return f"{self.step_label} ({self.get_decision_display()})"

    @property
    def step_label(self):
        parsed = self.run.definition.parsed
        if parsed.has_stage(self.stage):
            for step in parsed.stage(self.stage).reviews:
                if step.key == self.step:
                    return step.label
        return self.step


class ChecklistTick(RunChild):
    run = models.ForeignKey(ProcessRun, on_delete=models.CASCADE, related_name="ticks")
    stage = models.CharField(_("stage"), max_length=64)
    key = models.CharField(_("standard"), max_length=64)
    checked = models.BooleanField(_("checked"), default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["run_id", "stage", "key"]
        verbose_name = _("checklist tick")
        verbose_name_plural = _("checklist ticks")
        constraints = [
            models.UniqueConstraint(fields=["run", "stage", "key"], name="sop_unique_checklist_tick"),
        ]

    def __str__(self):
        return f"{self.stage}.{self.key}: {'✓' if self.checked else '✗'}"
