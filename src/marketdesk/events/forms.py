"""Forms of the event pages (O3–O10).

Forms only parse and validate input; every write goes through events.services. People
and series offered in a form are limited to the event's team (or the user's teams), so a
user can never pick someone or something of another team.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketdesk.accounts.models import Team
from marketdesk.core import permissions as gate
from marketdesk.core.forms import StyledForm, StyledModelForm
from marketdesk.core.roles import COMPANY_WIDE, Role
from marketdesk.events import models as m
from marketdesk.events import scoring

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def user_teams(user):
    """The teams a user may file new records in (company-wide roles: every team)."""
    if gate.is_company_wide(user):
        return Team.objects.all()
    return Team.objects.filter(pk__in=gate.team_ids(user))


def team_people(team_id, *, roles=None):
    """Active members of a team, plus the company-wide roles (who may own anything)."""
    qs = get_user_model().objects.filter(is_active=True).filter(
        Q(memberships__team_id=team_id) | Q(role__in=COMPANY_WIDE)).distinct()
    if roles is not None:
        qs = qs.filter(role__in=roles)
    return qs.order_by("username")


class EventsForm(StyledModelForm):
    """Base of the event forms: knows the user and the event; focuses the first field."""

    def __init__(self, *args, user, event=None, autofocus=True, **kwargs):
        self.user = user
        self.event = event
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField) and not isinstance(field, forms.DateTimeField):
                field.widget = forms.DateInput(attrs={"type": "date", **field.widget.attrs},
                                               format="%Y-%m-%d")
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs.setdefault("rows", 5)
        if autofocus:
            for field in self.fields.values():
                if not isinstance(field.widget, forms.HiddenInput):
                    field.widget.attrs["autofocus"] = True
                    break


# --- intake (O3) -----------------------------------------------------------------------

class EventForm(EventsForm):
    class Meta:
        model = m.Event
        fields = ["team", "name", "organiser", "source_channel", "source_note", "source_url",
                  "event_type", "our_role", "start_date", "end_date", "city", "region_tier",
                  "venue", "online", "expected_attendees", "price", "currency", "series",
                  "owner", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        teams = user_teams(self.user)
        if self.instance.pk:
            self.fields.pop("team")
            team_ids = [self.instance.team_id]
        else:
            self.fields["team"].queryset = teams
            if len(teams) == 1:
                self.fields["team"].initial = teams[0].pk
            team_ids = list(teams.values_list("pk", flat=True))
        self.fields["series"].queryset = m.EventSeries.objects.filter(team_id__in=team_ids)
        self.fields["owner"].queryset = get_user_model().objects.filter(is_active=True).filter(
            Q(memberships__team_id__in=team_ids) | Q(role__in=COMPANY_WIDE)).distinct()
        self.fields["owner"].required = False
        self.fields["owner"].help_text = _("Empty: you.")
        self.fields["end_date"].required = False
        self.fields["end_date"].help_text = _("Empty: the start date (a one-day event).")
        if self.instance.pk and self.instance.decision == m.Event.Decision.GO:
            # O5: the type chose the running process; it is part of the decision now.
            self.fields.pop("event_type")

    def team_id(self):
        if self.instance.pk:
            return self.instance.team_id
        team = self.cleaned_data.get("team")
        return team.pk if team else None

    def clean(self):
        data = super().clean()
        if data.get("start_date") and not data.get("end_date"):
            data["end_date"] = data["start_date"]
        return data

    def _post_clean(self):
        # The model's rules run in the service (full_clean); only the form's own here,
        # except end ≥ start, which the user should see on the field at once.
        start, end = self.cleaned_data.get("start_date"), self.cleaned_data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))


class ScreenForm(StyledForm):
    """O3 first screening: accept, or reject with a reason."""

    accept = forms.TypedChoiceField(
        label=_("Screening"), coerce=lambda v: v == "accept",
        choices=[("accept", _("Accept: worth evaluating")), ("reject", _("Reject"))],
        widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason for rejecting"), required=False, max_length=500)

    def clean(self):
        data = super().clean()
        if data.get("accept") is False and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for rejecting the opportunity."))
        return data


# --- evaluation (O4) -------------------------------------------------------------------

SCORE_CHOICES = [(str(i), str(i)) for i in range(scoring.MIN_SCORE, scoring.MAX_SCORE + 1)]


class EvaluationForm(StyledForm):
    note = forms.CharField(label=_("Evaluation note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 4}), max_length=10000,
                           help_text=_("Markdown."))

    def __init__(self, *args, event=None, **kwargs):
        initial = kwargs.pop("initial", {}) or {}
        if event is not None:
            for key, value in event.criterion_scores().items():
                if value is not None:
                    initial.setdefault(f"score_{key}", str(value))
            for key, value in event.check_answers().items():
                initial.setdefault(f"check_{key}", value)
            initial.setdefault("note", event.evaluation_note)
        super().__init__(*args, initial=initial, **kwargs)
        fields = {}
        for criterion in scoring.CRITERIA:
            fields[f"score_{criterion.key}"] = forms.TypedChoiceField(
                label=criterion.label, help_text=criterion.guide, choices=SCORE_CHOICES,
                coerce=int, widget=forms.RadioSelect(attrs={"class": "btn-check"}))
        for check in scoring.CHECKS:
            fields[f"check_{check.key}"] = forms.ChoiceField(
                label=check.label, choices=m.CheckAnswer.choices, initial=scoring.UNKNOWN)
        fields["note"] = self.fields.pop("note")
        self.fields = fields | {k: v for k, v in self.fields.items() if k not in fields}
        for field in self.fields.values():
            # the fields were made after StyledForm styled the declared ones
            if isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs["class"] = "btn-check"
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select"

    def scores(self) -> dict[str, int]:
        return {k: self.cleaned_data[f"score_{k}"] for k in scoring.CRITERION_KEYS}

    def checks(self) -> dict[str, str]:
        return {k: self.cleaned_data[f"check_{k}"] for k in scoring.CHECK_KEYS}

    def criterion_fields(self):
        return [self[f"score_{k}"] for k in scoring.CRITERION_KEYS]

    def check_fields(self):
        return [self[f"check_{k}"] for k in scoring.CHECK_KEYS]


class WeightsForm(EventsForm):
    class Meta:
        model = m.TeamScoringWeights
        fields = list(scoring.CRITERION_KEYS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in scoring.CRITERIA:
            field = self.fields[criterion.key]
            field.label = criterion.label
            field.help_text = criterion.guide
            field.widget.attrs.update({"min": "0", "step": "0.5"})

    def clean(self):
        data = super().clean()
        values = {k: data.get(k) for k in scoring.CRITERION_KEYS}
        if all(v is not None for v in values.values()):
            errors = scoring.weight_errors(values)
            if "__all__" in errors:
                self.add_error(None, errors["__all__"])
        return data

    def _post_clean(self):
        pass  # the service validates the record (weights_set)


# --- decisions (O5) --------------------------------------------------------------------

class DecisionForm(EventsForm):
    class Meta:
        model = m.Event
        fields = ["decision", "event_type", "our_role", "free", "heavyweight", "important",
                  "high_frequency", "priority", "needs_business_support", "decision_note"]
        help_texts = {
            "event_type": _("Chooses the process the event follows (exhibition, summit, salon "
                            "or livestream) and its lead times."),
            "free": _("Not free: the paid path applies — rights negotiation, rights and price "
                      "confirmed, contract, payment (O6)."),
            "important": _("Important events are reported to the director at least two weeks "
                           "ahead (O7)."),
            "priority": _("P0–P1: retrospective five days after the end; P2–P3: two days (O10)."),
        }

    def clean(self):
        data = super().clean()
        if data.get("decision") == m.Event.Decision.GO and not data.get("event_type"):
            self.add_error("event_type", _("Choose the event type: it decides the process the "
                                           "event follows."))
        return data

    def _post_clean(self):
        pass  # the service validates and decides (event_decide)


# --- planning, execution, warm-up, on site (O7–O9) -------------------------------------

class PlanForm(EventsForm):
    class Meta:
        model = m.Event
        fields = ["plan", "budget", "series"]
        widgets = {"plan": forms.Textarea(attrs={"rows": 12})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["series"].queryset = m.EventSeries.objects.filter(team_id=self.instance.team_id)


class ExecutionForm(EventsForm):
    class Meta:
        model = m.Event
        fields = ["cross_team_nodes", "publicity_rhythm", "materials", "registration_path"]


class WarmupForm(EventsForm):
    class Meta:
        model = m.Event
        fields = ["registration_target", "warmup_start", "curve_exponent", "curve_tolerance"]


class OnsiteForm(EventsForm):
    class Meta:
        model = m.Event
        fields = ["fallback_plan", "actual_attendance"]
        widgets = {"fallback_plan": forms.Textarea(attrs={"rows": 8})}


# --- records of an event ----------------------------------------------------------------

class TeamPeopleMixin:
    """Person fields list the event's team only."""

    person_fields: tuple[str, ...] = ()
    person_roles: dict[str, frozenset] = {}

    def _limit_people(self):
        team_id = self.event.team_id
        for name in self.person_fields:
            if name in self.fields:
                self.fields[name].queryset = team_people(team_id,
                                                         roles=self.person_roles.get(name))


class CostLineForm(EventsForm):
    class Meta:
        model = m.CostLine
        fields = ["category", "description", "planned_amount", "actual_amount", "paid_on"]


class PaidStepForm(EventsForm):
    class Meta:
        model = m.PaidStep
        fields = ["rights_notes", "confirmed_price", "contract_no", "contract_date",
                  "payment_date", "payment_amount"]


class TaskForm(TeamPeopleMixin, EventsForm):
    person_fields = ("owner",)

    class Meta:
        model = m.ExecutionTask
        fields = ["title", "owner", "priority", "due_on", "cross_team", "done"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit_people()


class KeyNodeForm(TeamPeopleMixin, EventsForm):
    person_fields = ("owner",)

    class Meta:
        model = m.KeyNode
        fields = ["node", "owner", "at", "note"]
        widgets = {"at": DATETIME_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._limit_people()
        self.fields["at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class RegistrationForm(EventsForm):
    class Meta:
        model = m.RegistrationCount
        fields = ["day", "channel", "count"]

    def _post_clean(self):
        pass  # registration_set adds or corrects the (day, channel) count


class LeadForm(EventsForm):
    class Meta:
        model = m.Lead
        fields = ["name", "company", "title", "phone", "email", "interest"]


class RetrospectiveForm(EventsForm):
    class Meta:
        model = m.Retrospective
        fields = list(m.Retrospective.TEXT_FIELDS)


class SeriesForm(EventsForm):
    class Meta:
        model = m.EventSeries
        fields = ["team", "name", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields.pop("team")
        else:
            teams = user_teams(self.user)
            self.fields["team"].queryset = teams
            if len(teams) == 1:
                self.fields["team"].initial = teams[0].pk

    def team_id(self):
        if self.instance.pk:
            return self.instance.team_id
        team = self.cleaned_data.get("team")
        return team.pk if team else None


class SeriesRetrospectiveForm(EventsForm):
    class Meta:
        model = m.SeriesRetrospective
        fields = ["strengths", "weaknesses", "overall_value", "improvements"]


class HandToSalesForm(StyledForm):
    """O10: hand leads to a sales member of the event's team."""

    to = forms.ModelChoiceField(label=_("Sales owner"), queryset=get_user_model().objects.none())
    leads = forms.ModelMultipleChoiceField(label=_("Leads"), queryset=m.Lead.objects.none(),
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = get_user_model().objects.filter(
            is_active=True, role=Role.SALES, memberships__team_id=event.team_id).order_by("username")
        self.fields["leads"].queryset = event.leads.all()
        self.fields["leads"].widget.attrs["class"] = "form-check-input"


# --- imports, agenda, report ---------------------------------------------------------------

class ImportForm(StyledForm):
    file = forms.FileField(label=_("File (CSV or XLSX)"),
                           help_text=_("CSV in UTF-8 (with or without BOM) or GB18030, or an Excel "
                                       ".xlsx workbook (first sheet). Row 1 holds the headers, in "
                                       "English or Chinese."))
    skip_bad_rows = forms.BooleanField(
        label=_("Skip bad rows"), required=False,
        help_text=_("Off: one bad row and nothing is written. On: the good rows are written and "
                    "the bad ones listed."))

    def __init__(self, *args, user=None, with_team=False, **kwargs):
        super().__init__(*args, **kwargs)
        if with_team:
            teams = user_teams(user)
            self.fields = {"team": forms.ModelChoiceField(
                label=_("Team"), queryset=teams,
                initial=teams[0].pk if len(teams) == 1 else None), **self.fields}
            self.fields["team"].widget.attrs["class"] = "form-select"


class WeekForm(StyledForm):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    week = forms.DateField(label=_("Week of"), widget=DATE_WIDGET,
                           help_text=_("Any day of the week; the meeting's week starts on Monday."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        teams = user_teams(user)
        self.fields["team"].queryset = teams
        if len(teams) >= 1:
            self.fields["team"].initial = teams[0].pk


class DayForm(StyledForm):
    day = forms.DateField(label=_("Day"), widget=DATE_WIDGET)


class IntakeFilterForm(StyledForm):
    """Filters of the ranked intake list."""

    STAGES = [("", _("All open opportunities")), ("new", _("New: to screen")),
              ("to_evaluate", _("Accepted: to evaluate")),
              ("undecided", _("Evaluated: decision needed")),
              ("go", _("Taking part")), ("declined", _("Rejected or declined"))]

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False,
                                  empty_label=_("All teams"))
    stage = forms.ChoiceField(label=_("Step"), choices=STAGES, required=False)
    source_channel = forms.ChoiceField(
        label=_("Source channel"), required=False,
        choices=[("", _("All channels")), *m.Event.SourceChannel.choices])
    event_type = forms.ChoiceField(label=_("Event type"), required=False,
                                   choices=[("", _("All types")), *m.Event.Type.choices])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = user_teams(user)
