"""The event pipeline (DOMAIN O3–O10): opportunities from intake to archive.

One model, ``Event``, carries an event from the first sighting of an opportunity
(O3 intake, first screening) through evaluation (O4) and decisions (O5); once the team
decides to take part, its stage lifecycle is the SOP run (``marketdesk.sop``) of the
definition its type chooses (``event-<type>``). The records around it — cost lines,
the paid path, execution tasks, key-node owners, registrations, leads and the
retrospective — belong to the event and show in its History.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketdesk.core.models import Gated
from marketdesk.core.roles import ALL_ROLES, EDITORS, LEADERS
from marketdesk.core.text import no_markup
from marketdesk.events import curve, scoring


def _plain(verbose, max_length=200, **kw):
    return models.CharField(verbose, max_length=max_length, validators=[no_markup], **kw)


def _markdown(verbose, **kw):
    kw.setdefault("help_text", _("Markdown."))
    return models.TextField(verbose, blank=True, **kw)


def _money(verbose, **kw):
    return models.DecimalField(verbose, max_digits=14, decimal_places=2, null=True, blank=True,
                               validators=[MinValueValidator(0)], **kw)


class Priority(models.TextChoices):
    P0 = "P0", "P0"
    P1 = "P1", "P1"
    P2 = "P2", "P2"
    P3 = "P3", "P3"


class CheckAnswer(models.TextChoices):
    YES = scoring.YES, _("Yes")
    NO = scoring.NO, _("No")
    UNKNOWN = scoring.UNKNOWN, _("Unknown")


class EventSeries(Gated):
    """A series of related events, retrospected together (O10 系列活动复盘)."""

    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), on_delete=models.PROTECT,
                             related_name="event_series")
    name = _plain(_("name"), 160)
    description = _markdown(_("description"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("event series")
        verbose_name_plural = _("event series")
        constraints = [models.UniqueConstraint(fields=["team", "name"],
                                               name="unique_event_series_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("events:series_detail", args=[self.pk])


class TeamScoringWeights(Gated):
    """O4: how much each of the six criteria counts for one team (default: equally)."""

    gate_rules = {"view": ALL_ROLES, "add": LEADERS, "change": LEADERS, "delete": LEADERS}

    team = models.OneToOneField("accounts.Team", verbose_name=_("team"),
                                on_delete=models.CASCADE, related_name="event_weights")
    topic_fit = models.DecimalField(_("topic fit"), max_digits=6, decimal_places=2, default=1,
                                    validators=[MinValueValidator(0)])
    organiser = models.DecimalField(_("organiser"), max_digits=6, decimal_places=2, default=1,
                                    validators=[MinValueValidator(0)])
    attendees = models.DecimalField(_("attendees"), max_digits=6, decimal_places=2, default=1,
                                    validators=[MinValueValidator(0)])
    cost_effectiveness = models.DecimalField(_("cost-effectiveness"), max_digits=6,
                                             decimal_places=2, default=1,
                                             validators=[MinValueValidator(0)])
    references = models.DecimalField(_("references"), max_digits=6, decimal_places=2, default=1,
                                     validators=[MinValueValidator(0)])
    other = models.DecimalField(_("other"), max_digits=6, decimal_places=2, default=1,
                                validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("scoring weights")
        verbose_name_plural = _("scoring weights")

    def __str__(self):
        return str(_("Scoring weights of %(team)s") % {"team": self.team})

    def as_dict(self) -> dict[str, Decimal]:
        return {key: getattr(self, key) for key in scoring.CRITERION_KEYS}

    def clean(self):
        values = {k: v for k, v in self.as_dict().items() if isinstance(v, (int, Decimal))}
        if len(values) == len(scoring.CRITERION_KEYS) and all(v >= 0 for v in values.values()):
            if errors := scoring.weight_errors(values):
                raise ValidationError(errors)


class Event(Gated):
    """An event opportunity and, once decided, the event the team runs (O3–O10)."""

    # O5: the decisions (take part, type, priority …) are the team leader's call
    # (主题/类型确认(teamleader)); reviewers and sales only read.
    gate_rules = {**Gated.gate_rules, "decide": LEADERS}

    class SourceChannel(models.TextChoices):
        # O3: the intake channels of seed 003 (信息收集渠道体系)
        EVENT_PLATFORM = "event_platform", _("Event platform")
        OFFICIAL_ACCOUNT = "official_account", _("Official account")
        MEDIA = "media", _("Media")
        SEARCH_KEYWORD = "search_keyword", _("Search keyword")
        REFERRAL = "referral", _("Referral (friend or colleague)")
        COMPETITOR_MOVE = "competitor_move", _("Competitor or industry move")
        OTHER = "other", _("Other")

    class RegionTier(models.TextChoices):
        TIER1 = "tier1", _("Tier-1 city")
        TIER2 = "tier2", _("Tier-2 city")
        OTHER = "other", _("Other city")

    class Role(models.TextChoices):
        ATTEND = "attend", _("Attend")
        SPEAK = "speak", _("Speak")
        SPONSOR = "sponsor", _("Sponsor")
        HOST = "host", _("Host")

    class Type(models.TextChoices):
        # O5: each type has its own SOP definition, ``event-<type>``
        EXHIBITION = "exhibition", _("Large: exhibition")
        SUMMIT = "summit", _("Medium: summit")
        SALON = "salon", _("Small: salon")
        LIVESTREAM = "livestream", _("Online livestream")

    class Screening(models.TextChoices):
        NEW = "new", _("New")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    class Decision(models.TextChoices):
        PENDING = "pending", _("Not decided")
        GO = "go", _("Take part")
        NO_GO = "no_go", _("Do not take part")

    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), on_delete=models.PROTECT,
                             related_name="events")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"),
                              on_delete=models.PROTECT, related_name="owned_events")
    series = models.ForeignKey(EventSeries, verbose_name=_("series"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="events")

    # --- O3 intake ----------------------------------------------------------------------
    name = _plain(_("name"), 200)
    organiser = _plain(_("organiser"), 200, blank=True)
    source_channel = models.CharField(_("source channel"), max_length=20,
                                      choices=SourceChannel.choices, default=SourceChannel.OTHER)
    source_note = _plain(_("source note"), 500, blank=True)
    source_url = models.URLField(_("source link"), blank=True)
    city = _plain(_("city"), 80, blank=True)
    region_tier = models.CharField(_("city tier"), max_length=10, choices=RegionTier.choices,
                                   blank=True)
    venue = _plain(_("venue"), 200, blank=True)
    online = models.BooleanField(_("online"), default=False)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    expected_attendees = models.PositiveIntegerField(_("expected attendees"), null=True,
                                                     blank=True)
    price = _money(_("ticket or sponsorship price"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    our_role = models.CharField(_("our role"), max_length=10, choices=Role.choices,
                                default=Role.ATTEND)
    event_type = models.CharField(_("event type"), max_length=12, choices=Type.choices,
                                  blank=True)
    description = _markdown(_("description"))

    # --- first screening (O3) -----------------------------------------------------------
    screening = models.CharField(_("screening"), max_length=10, choices=Screening.choices,
                                 default=Screening.NEW)
    rejection_reason = _plain(_("rejection reason"), 500, blank=True)
    screened_at = models.DateTimeField(_("screened at"), null=True, blank=True)
    screened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("screened by"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    # --- O4 evaluation ------------------------------------------------------------------
    score_topic_fit = models.PositiveSmallIntegerField(
        _("topic fit (0–5)"), null=True, blank=True, validators=[MaxValueValidator(5)])
    score_organiser = models.PositiveSmallIntegerField(
        _("organiser (0–5)"), null=True, blank=True, validators=[MaxValueValidator(5)])
    score_attendees = models.PositiveSmallIntegerField(
        _("attendees (0–5)"), null=True, blank=True, validators=[MaxValueValidator(5)])
    score_cost_effectiveness = models.PositiveSmallIntegerField(
        _("cost-effectiveness (0–5)"), null=True, blank=True, validators=[MaxValueValidator(5)])
    score_references = models.PositiveSmallIntegerField(
        _("references (0–5)"), null=True, blank=True, validators=[MaxValueValidator(5)])
    score_other = models.PositiveSmallIntegerField(
        _("other (0–5)"), null=True, blank=True, validators=[MaxValueValidator(5)])
    check_competitor_present = models.CharField(
        _("competitors take part"), max_length=7, choices=CheckAnswer.choices,
        default=CheckAnswer.UNKNOWN)
    check_organiser_background = models.CharField(
        _("organiser background"), max_length=7, choices=CheckAnswer.choices,
        default=CheckAnswer.UNKNOWN)
    check_past_influence = models.CharField(
        _("past influence"), max_length=7, choices=CheckAnswer.choices,
        default=CheckAnswer.UNKNOWN)
    check_business_value = models.CharField(
        _("business-department lead value"), max_length=7, choices=CheckAnswer.choices,
        default=CheckAnswer.UNKNOWN)
    check_cost_effective = models.CharField(
        _("cost-effective"), max_length=7, choices=CheckAnswer.choices,
        default=CheckAnswer.UNKNOWN)
    evaluation_note = _markdown(_("evaluation note"))
    score = models.DecimalField(_("score (0–100)"), max_digits=5, decimal_places=2, null=True,
                                blank=True, editable=False)
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("evaluated by"),
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    # --- O5 decisions -------------------------------------------------------------------
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices,
                                default=Decision.PENDING)
    free = models.BooleanField(_("free"), default=True)
    heavyweight = models.BooleanField(_("heavyweight"), default=False)
    important = models.BooleanField(_("important"), default=False)
    high_frequency = models.BooleanField(_("high-frequency"), default=False)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices,
                                default=Priority.P2)
    needs_business_support = models.BooleanField(
        _("needs business-department support"), default=False,
        help_text=_("The business department then reviews the plan (O7)."))
    decision_note = _plain(_("decision note"), 500, blank=True,
                           help_text=_("Why the team decided so (required to stop a running "
                                       "process)."))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    # --- O7 plan and execution plan -----------------------------------------------------
    plan = _markdown(_("event plan"), help_text=_(
        "Markdown. Goal; time, theme and format that fit the stage plan; resources (budget, "
        "people); expected effect and the path to it."))
    cross_team_nodes = _markdown(_("cross-team nodes"))
    publicity_rhythm = _markdown(_("publicity rhythm"))
    materials = _markdown(_("materials list"))
    registration_path = _markdown(_("registration conversion path"))
    budget = _money(_("budget"))

    # --- O8 warm-up ---------------------------------------------------------------------
    registration_target = models.PositiveIntegerField(_("registration target"), null=True,
                                                      blank=True)
    warmup_start = models.DateField(
        _("warm-up start"), null=True, blank=True,
        help_text=_("Empty: two weeks before the start date."))
    curve_exponent = models.DecimalField(
        _("growth-curve exponent"), max_digits=4, decimal_places=2,
        default=curve.DEFAULT_EXPONENT,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(10)],
        help_text=_("k in target × (day / days)^k; 1 is a straight line, larger starts slower."))
    curve_tolerance = models.DecimalField(
        _("curve tolerance (%)"), max_digits=5, decimal_places=2,
        default=curve.DEFAULT_TOLERANCE,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Alert when registrations are this many percent below the curve."))

    # --- O9 on site, O10 results --------------------------------------------------------
    fallback_plan = _markdown(_("fallback plan"))
    actual_attendance = models.PositiveIntegerField(_("actual attendance"), null=True,
                                                    blank=True)

    class Meta:
        ordering = ["start_date", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["team", "screening"]),
            models.Index(fields=["team", "score"]),
            models.Index(fields=["team", "created_at"]),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("events:detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date cannot be before the start date.")
        if self.screening == self.Screening.REJECTED and not (self.rejection_reason or "").strip():
            errors["rejection_reason"] = _("Give the reason for rejecting the opportunity.")
        if self.warmup_start and self.start_date and self.warmup_start > self.start_date:
            errors["warmup_start"] = _("The warm-up cannot start after the event starts.")
        if self.series_id and self.team_id:
            series_team = EventSeries.objects.filter(pk=self.series_id).values_list(
                "team_id", flat=True).first()
            if series_team is not None and series_team != self.team_id:
                errors["series"] = _("The series belongs to another team.")
        if self.currency and not (len(self.currency) == 3 and self.currency.isalpha()
                                  and self.currency.isupper()):
            errors["currency"] = _("Use a three-letter currency code such as CNY.")
        if errors:
            raise ValidationError(errors)

    EXECUTION_FIELDS = ("cross_team_nodes", "publicity_rhythm", "materials", "registration_path")

    # --- derived ------------------------------------------------------------------------
    @property
    def host(self) -> bool:
        return self.our_role == self.Role.HOST

    @property
    def paid(self) -> bool:
        return not self.free

    @property
    def major(self) -> bool:
        """O8: a major event gets the daily effect report (heavyweight or important)."""
        return self.heavyweight or self.important

    @property
    def definition_key(self) -> str:
        return f"event-{self.event_type}" if self.event_type else ""

    def criterion_scores(self) -> dict[str, int | None]:
        return {key: getattr(self, f"score_{key}") for key in scoring.CRITERION_KEYS}

    def check_answers(self) -> dict[str, str]:
        return {key: getattr(self, f"check_{key}") for key in scoring.CHECK_KEYS}

    def effective_warmup_start(self):
        import datetime as dt

        if self.warmup_start:
            return self.warmup_start
        return self.start_date - dt.timedelta(days=curve.DEFAULT_WARMUP_DAYS)

    # --- the item protocol the SOP engine reads (docs/decisions/0004) -------------------
    def sop_team_id(self) -> int:
        return self.team_id

    def sop_owner(self):
        return self.owner

    def sop_dates(self) -> dict:
        return {"start": self.start_date, "end": self.end_date}

    def sop_flags(self) -> dict[str, bool]:
        return {
            "paid": self.paid,
            "free": self.free,
            "needs_business_review": self.needs_business_support,
            "important": self.important,
            "heavyweight": self.heavyweight,
            "host": self.host,
            "high_frequency": self.high_frequency,
        }

    def sop_priority(self) -> str:
        return self.priority

    def sop_field(self, name: str):
        """A required field of the event definitions (``required_fields``)."""
        if name == "execution_plan":
            # O7: the execution follow-up plan exists once it has a division of labour
            # (tasks) or any of its parts is written.
            return self.tasks.exists() or any(
                (getattr(self, f) or "").strip() for f in self.EXECUTION_FIELDS)
        if name == "contract":
            step = PaidStep.objects.filter(event=self).first()
            return step.contract_no if step else ""
        if name == "retrospective":
            retro = Retrospective.objects.filter(event=self).first()
            return retro is not None and any(
                (getattr(retro, f) or "").strip() for f in Retrospective.TEXT_FIELDS)
        return getattr(self, name)


class EventChild(Gated):
    """A record that belongs to one event; its History shows on the event page."""

    gate_team_path = "event__team"

    class Meta:
        abstract = True

    @property
    def audit_root(self):
        return self.event


class CostLine(EventChild):
    """O6: one line of the budget — what was planned and what was actually spent."""

    class Category(models.TextChoices):
        FEE = "fee", _("Ticket or sponsorship fee")
        VENUE = "venue", _("Venue")
        BOOTH = "booth", _("Booth and build")
        MATERIALS = "materials", _("Materials and printing")
        PROMOTION = "promotion", _("Promotion")
        TRAVEL = "travel", _("Travel")
        CATERING = "catering", _("Catering")
        GIFTS = "gifts", _("Gifts")
        STAFF = "staff", _("Staff and agencies")
        OTHER = "other", _("Other")

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE,
                              related_name="cost_lines")
    category = models.CharField(_("category"), max_length=12, choices=Category.choices,
                                default=Category.OTHER)
    description = _plain(_("description"), 200)
    planned_amount = models.DecimalField(_("planned amount"), max_digits=14, decimal_places=2,
                                         default=0, validators=[MinValueValidator(0)])
    actual_amount = models.DecimalField(_("actual amount"), max_digits=14, decimal_places=2,
                                        null=True, blank=True, validators=[MinValueValidator(0)])
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        ordering = ["category", "id"]
        verbose_name = _("cost line")
        verbose_name_plural = _("cost lines")

    def __str__(self):
        return self.description


class PaidStep(EventChild):
    """O6: the paid path — rights negotiation → rights and price confirmed → contract →
    payment (权益谈判 → 权益及价格最终确认 → 合同流程 → 合同付款流程)."""

    event = models.OneToOneField(Event, verbose_name=_("event"), on_delete=models.CASCADE,
                                 related_name="paid_step")
    rights_notes = _markdown(_("rights negotiation notes"))
    confirmed_price = _money(_("confirmed price"))
    contract_no = _plain(_("contract number"), 80, blank=True)
    contract_date = models.DateField(_("contract date"), null=True, blank=True)
    payment_date = models.DateField(_("payment date"), null=True, blank=True)
    payment_amount = _money(_("payment amount"))

    class Meta:
        verbose_name = _("paid-event record")
        verbose_name_plural = _("paid-event records")

    def __str__(self):
        return str(_("Paid path of %(event)s") % {"event": self.event})

    def clean(self):
        if self.payment_amount is not None and not self.payment_date:
            raise ValidationError({"payment_date": _("Give the date of the payment.")})


class ExecutionTask(EventChild):
    """O7: one line of the execution follow-up plan's division of labour."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE,
                              related_name="tasks")
    title = _plain(_("task"), 200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="event_tasks")
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices,
                                default=Priority.P2)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    cross_team = _plain(_("with team"), 120, blank=True,
                        help_text=_("The other department this node depends on, if any."))
    done = models.BooleanField(_("done"), default=False)

    class Meta:
        ordering = ["due_on", "priority", "id"]
        verbose_name = _("execution task")
        verbose_name_plural = _("execution tasks")

    def __str__(self):
        return self.title


class KeyNode(EventChild):
    """O9: an important node of the on-site run sheet and the person responsible."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE,
                              related_name="key_nodes")
    node = _plain(_("node"), 200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"),
                              on_delete=models.PROTECT, related_name="event_key_nodes")
    at = models.DateTimeField(_("time"), null=True, blank=True)
    note = _plain(_("note"), 500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("key node")
        verbose_name_plural = _("key nodes")

    def __str__(self):
        return self.node


class RegistrationCount(EventChild):
    """O8: registrations received through one channel on one day."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE,
                              related_name="registrations")
    day = models.DateField(_("day"))
    channel = _plain(_("channel"), 60)
    count = models.PositiveIntegerField(_("registrations"))

    class Meta:
        ordering = ["day", "channel"]
        verbose_name = _("registration count")
        verbose_name_plural = _("registration counts")
        constraints = [models.UniqueConstraint(fields=["event", "day", "channel"],
                                               name="unique_registration_day_channel")]

    def __str__(self):
        return f"{self.day} {self.channel}: {self.count}"


class Lead(EventChild):
    """O10: a lead captured at the event, handed to sales for follow-up."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE,
                              related_name="leads")
    name = _plain(_("name"), 120)
    company = _plain(_("company"), 200, blank=True)
    title = _plain(_("title"), 120, blank=True)
    phone = _plain(_("phone"), 40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    interest = _plain(_("interest"), 500, blank=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sales owner"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="event_leads")
    handed_at = models.DateTimeField(_("handed to sales at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")

    def __str__(self):
        return f"{self.name} ({self.company})" if self.company else self.name

    def clean(self):
        if not (self.phone or self.email):
            raise ValidationError({"phone": _("Give a phone number or an email address.")})


class Retrospective(EventChild):
    """O10: the event's retrospective (复盘), pre-filled with its numbers at creation."""

    event = models.OneToOneField(Event, verbose_name=_("event"), on_delete=models.CASCADE,
                                 related_name="retrospective")
    # the numbers, copied from the event's records when the retrospective is opened
    budget = _money(_("budget"))
    planned_spend = models.DecimalField(_("planned spend"), max_digits=14, decimal_places=2,
                                        default=0)
    actual_spend = models.DecimalField(_("actual spend"), max_digits=14, decimal_places=2,
                                       default=0)
    registrations = models.PositiveIntegerField(_("registrations"), default=0)
    registration_target = models.PositiveIntegerField(_("registration target"), null=True,
                                                      blank=True)
    attendance = models.PositiveIntegerField(_("attendance"), null=True, blank=True)
    attendance_target = models.PositiveIntegerField(_("attendance target"), null=True,
                                                    blank=True)
    leads = models.PositiveIntegerField(_("leads captured"), default=0)
    leads_handed = models.PositiveIntegerField(_("leads handed to sales"), default=0)
    cost_per_lead = models.DecimalField(_("cost per lead"), max_digits=14, decimal_places=2,
                                        null=True, blank=True)
    numbers_at = models.DateTimeField(_("numbers taken at"), null=True, blank=True)
    TEXT_FIELDS = ("strengths", "weaknesses", "overall_value", "improvements")

    # what the team writes (O10 standards 4: strengths/weaknesses, value, improvements)
    strengths = _markdown(_("strengths"))
    weaknesses = _markdown(_("weaknesses"))
    overall_value = _markdown(_("overall value"))
    improvements = _markdown(_("improvements"))

    class Meta:
        verbose_name = _("retrospective")
        verbose_name_plural = _("retrospectives")

    def __str__(self):
        return str(_("Retrospective of %(event)s") % {"event": self.event})

    @property
    def spend_vs_budget(self):
        if self.budget is None:
            return None
        return self.actual_spend - self.budget


class SeriesRetrospective(Gated):
    """O10: the retrospective of a whole event series (整体项目系列活动复盘)."""

    gate_team_path = "series__team"

    series = models.OneToOneField(EventSeries, verbose_name=_("series"),
                                  on_delete=models.CASCADE, related_name="retrospective")
    strengths = _markdown(_("strengths"))
    weaknesses = _markdown(_("weaknesses"))
    overall_value = _markdown(_("overall value"))
    improvements = _markdown(_("improvements"))

    class Meta:
        verbose_name = _("series retrospective")
        verbose_name_plural = _("series retrospectives")

    @property
    def audit_root(self):
        return self.series

    def __str__(self):
        return str(_("Retrospective of the series %(series)s") % {"series": self.series})


class ImportBatch(Gated):
    """One import that wrote rows (a file or an API call): what it brought, which rows it
    skipped (``skip_bad_rows``), by whom. A refused import writes nothing, not even this."""

    class Kind(models.TextChoices):
        EVENTS = "events", _("Event opportunities")
        LEADS = "leads", _("Leads")
        REGISTRATIONS = "registrations", _("Registrations")

    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), on_delete=models.PROTECT,
                             related_name="event_imports")
    event = models.ForeignKey(Event, verbose_name=_("event"), null=True, blank=True,
                              on_delete=models.CASCADE, related_name="imports")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=200, blank=True)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    skip_bad_rows = models.BooleanField(_("skip bad rows"), default=False)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    rows_refused = models.PositiveIntegerField(_("rows refused"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("imported by"),
                                   null=True, on_delete=models.SET_NULL, related_name="+")

    gate_rules = {"view": EDITORS, "add": EDITORS, "change": frozenset(), "delete": LEADERS}

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.source or '-'} · {self.created_at:%Y-%m-%d %H:%M}"
