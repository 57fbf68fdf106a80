"""Every write of the event pipeline (O3–O10) and its business rules.

Names follow the house style: ``event_screen(event, by=…)``, ``event_decide(…)``. Each
function runs in one transaction, validates before it writes (a ``ValidationError`` names
the field and nothing is written) and records the change in the audit log. Side effects
(notifications) run after commit. The stage lifecycle of a decided event is its SOP run
(``marketdesk.sop.services``); this module starts and reschedules it.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from marketdesk.accounts.models import Team
from marketdesk.core import audit
from marketdesk.core import services as core
from marketdesk.core.context import request_id
from marketdesk.core.models import AuditEntry
from marketdesk.core.roles import COMPANY_WIDE, Role
from marketdesk.events import curve, imports, scoring
from marketdesk.events import models as m
from marketdesk.notify import services as notify
from marketdesk.sop import items as sop_items

CENT = Decimal("0.01")
WRITE_BATCH = 1000


def team_today(team: Team, now: dt.datetime | None = None) -> dt.date:
    """Today on the team's local calendar (DOMAIN Conventions)."""
    return team.today(now)


def _notify(recipients, **kwargs) -> None:
    """Tell users something: the inbox entry is written in the caller's transaction (and
    rolls back with it); notify sends mail and chat only after commit (STYLE 6)."""
    recipients = [u for u in recipients if u is not None]
    if recipients:
        notify.notify(recipients, **kwargs)


# --- people ------------------------------------------------------------------------------

def _team_member_ids(team_id) -> set[int]:
    return set(get_user_model().objects.filter(
        memberships__team_id=team_id, is_active=True).values_list("pk", flat=True))


def _may_own(user, team_id) -> bool:
    """An owner is an active member of the team or a company-wide role."""
    if user is None or not user.is_active:
        return False
    return user.role in COMPANY_WIDE or user.memberships.filter(team_id=team_id).exists()


def _check_user_field(name: str, user_id, team_id, *, roles=None) -> None:
    if user_id is None:
        return
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or not _may_own(user, team_id):
        raise ValidationError({name: _("Choose an active member of the event's team.")})
    if roles is not None and user.role not in roles:
        raise ValidationError({name: _("This person does not have the right role.")})


# --- events: intake (O3) -----------------------------------------------------------------

# Fields only the dedicated services below may change (screening, evaluation, decisions).
PROTECTED_FIELDS = frozenset({
    "screening", "rejection_reason", "screened_at", "screened_by", "screened_by_id",
    *(f"score_{k}" for k in scoring.CRITERION_KEYS),
    *(f"check_{k}" for k in scoring.CHECK_KEYS),
    "evaluation_note", "score", "evaluated_at", "evaluated_by", "evaluated_by_id",
    "decision", "event_type", "free", "heavyweight", "important", "high_frequency",
    "priority", "needs_business_support", "decision_note", "decided_at", "decided_by",
    "decided_by_id",
})
# Fields the SOP run's deadlines or gates depend on: changing them reschedules the run.
SCHEDULE_FIELDS = ("start_date", "end_date", "owner_id", "our_role")


def _stored(event: m.Event, names) -> dict:
    """The values as stored (locked for the transaction), not as a form left them on the
    instance in hand."""
    row = m.Event.objects.select_for_update().filter(pk=event.pk).values(*names).get()
    return {name: row[name] for name in names}


class EventService(core.RecordService):
    """Create, edit and delete events; decisions go through ``event_decide``."""

    def create(self, *, by, m2m=None, **fields) -> m.Event:
        fields = dict(fields)
        if "team" in fields:
            fields["team_id"] = getattr(fields.pop("team"), "pk", None)
        if "owner" in fields:
            fields["owner_id"] = getattr(fields.pop("owner"), "pk", None)
        fields.setdefault("owner_id", getattr(by, "pk", None))
        if fields.get("start_date") and not fields.get("end_date"):
            fields["end_date"] = fields["start_date"]
        refused = sorted(set(fields) & (PROTECTED_FIELDS - {"event_type"}))
        if refused:
            raise ValidationError({name: _("Set this through screening, evaluation or the "
                                           "decision.") for name in refused})
        with transaction.atomic():
            _check_user_field("owner", fields.get("owner_id"), fields.get("team_id"))
            return super().create(by=by, m2m=m2m, **fields)

    def update(self, obj, *, by, m2m=None, **fields) -> m.Event:
        fields = dict(fields)
        if "owner" in fields:
            fields["owner_id"] = getattr(fields.pop("owner"), "pk", None)
        refused = set(fields) & PROTECTED_FIELDS
        if obj.decision != m.Event.Decision.GO:
            refused.discard("event_type")  # O5: fixed once the type chose the process
        refused = sorted(refused)
        if "team_id" in fields and fields["team_id"] != obj.team_id:
            refused.append("team")
        if refused:
            raise ValidationError({name: _("This cannot be changed here.") for name in refused})
        with transaction.atomic():
            _check_user_field("owner", fields.get("owner_id"), obj.team_id)
            before = _stored(obj, SCHEDULE_FIELDS)
            event = super().update(obj, by=by, m2m=m2m, **fields)
            if before != {name: getattr(event, name) for name in SCHEDULE_FIELDS}:
                _reschedule(event, by=by)
        return event

    def delete(self, obj, *, by) -> None:
        """A deleted event's running process stops first (its history stays)."""
        from marketdesk.sop import services as sop  # noqa: PLC0415

        with transaction.atomic():
            run = run_of(obj)
            if run is not None:
                sop.run_cancel(run, by=by, reason=_("The event was deleted."))
            super().delete(obj, by=by)


events = EventService(m.Event)


def event_screen(event: m.Event, *, by, accept: bool, reason: str = "") -> m.Event:
    """O3 first screening (初筛): accept the opportunity, or reject it with a reason.

    A rejected opportunity can be accepted again later; once the team has decided to take
    part, screening is over."""
    if event.decision == m.Event.Decision.GO:
        raise ValidationError(_("The team already decided to take part; screening is over."))
    reason = (reason or "").strip()
    if not accept and not reason:
        raise ValidationError({"rejection_reason": _(
            "Give the reason for rejecting the opportunity.")})
    return core.update(
        event, by=by,
        screening=m.Event.Screening.ACCEPTED if accept else m.Event.Screening.REJECTED,
        rejection_reason="" if accept else reason,
        screened_at=timezone.now(), screened_by=by,
    )


# --- evaluation (O4) ---------------------------------------------------------------------

def weights_for(team_id: int) -> dict[str, Decimal]:
    row = m.TeamScoringWeights.objects.filter(team_id=team_id).first()
    return row.as_dict() if row is not None else dict(scoring.DEFAULT_WEIGHTS)


def weights_set(team: Team, *, by, **weights) -> m.TeamScoringWeights:
    """Tune a team's weights; every evaluated event of the team is scored again."""
    unknown = sorted(set(weights) - set(scoring.CRITERION_KEYS))
    if unknown:
        raise ValidationError({name: _("Unknown criterion.") for name in unknown})
    merged = {**weights_for(team.pk), **weights}
    if errors := scoring.weight_errors(merged):
        raise ValidationError(errors)
    with transaction.atomic():
        current = m.TeamScoringWeights.objects.select_for_update().filter(team=team).first()
        if current is None:
            row = core.create(m.TeamScoringWeights, by=by, team=team, **merged)
        else:
            row = core.update(current, by=by, **merged)
        row.refresh_from_db()
        _rescore_team(team.pk, row.as_dict())
    return row


def _rescore_team(team_id: int, weights: dict) -> int:
    """The stored scores follow the weights (a derived value: not audited row by row)."""
    evaluated = list(m.Event.objects.filter(team_id=team_id, score__isnull=False).only(
        "id", "score", *(f"score_{k}" for k in scoring.CRITERION_KEYS)))
    changed = []
    for event in evaluated:
        new = scoring.weighted_score(event.criterion_scores(), weights)
        if new != event.score:
            event.score = new
            changed.append(event)
    m.Event.objects.bulk_update(changed, ["score"], batch_size=WRITE_BATCH)
    return len(changed)


def event_evaluate(event: m.Event, *, by, scores: dict[str, int], checks: dict[str, str] | None = None,
                   note: str | None = None) -> m.Event:
    """O4: score the six criteria 0–5, answer the participation checks; the weighted
    0–100 score is computed with the team's weights."""
    if event.screening != m.Event.Screening.ACCEPTED:
        raise ValidationError(_("Accept the opportunity at the first screening before "
                                "evaluating it."))
    if errors := scoring.score_errors(scores):
        raise ValidationError({f"score_{k}": v for k, v in errors.items()})
    checks = checks or {}
    bad = {f"check_{k}": _("Answer yes, no or unknown.") for k, v in checks.items()
           if k not in scoring.CHECK_KEYS or v not in m.CheckAnswer.values}
    if bad:
        raise ValidationError(bad)
    fields = {f"score_{k}": scores[k] for k in scoring.CRITERION_KEYS}
    fields.update({f"check_{k}": v for k, v in checks.items()})
    if note is not None:
        fields["evaluation_note"] = note
    fields["score"] = scoring.weighted_score(scores, weights_for(event.team_id))
    return core.update(event, by=by, evaluated_at=timezone.now(), evaluated_by=by, **fields)


# --- decisions (O5) and the SOP run ------------------------------------------------------

DECISION_FIELDS = ("decision", "event_type", "our_role", "free", "heavyweight", "important",
                   "high_frequency", "priority", "needs_business_support")


def run_of(event: m.Event):
    """The event's active SOP run, or None."""
    from marketdesk.sop.models import ProcessRun  # noqa: PLC0415

    ct = ContentType.objects.get_for_model(m.Event)
    return (ProcessRun.objects.select_related("definition")
            .filter(content_type=ct, object_id=event.pk, status=ProcessRun.Status.ACTIVE)
            .first())


def latest_run_of(event: m.Event):
    """The event's most recent SOP run (active, completed or cancelled), or None."""
    from marketdesk.sop.models import ProcessRun  # noqa: PLC0415

    ct = ContentType.objects.get_for_model(m.Event)
    return (ProcessRun.objects.select_related("definition")
            .filter(content_type=ct, object_id=event.pk).order_by("-started_at", "-id").first())


def _reschedule(event: m.Event, *, by) -> None:
    """Dates, priority or flags moved: the run's open deadlines follow (O7, O10)."""
    from marketdesk.sop import services as sop  # noqa: PLC0415

    run = run_of(event)
    if run is not None:
        sop.run_reschedule(run, by=by)


def event_decide(event: m.Event, *, by, decision: str, event_type: str = "",
                 our_role: str | None = None, free: bool = True, heavyweight: bool = False,
                 important: bool = False, high_frequency: bool = False, priority: str = "P2",
                 needs_business_support: bool = False, note: str = "") -> m.Event:
    """O5: the team's decisions (take part? host? free? heavyweight? important? P-level,
    type). Deciding to take part chooses the process definition (``event-<type>``) and
    starts the SOP run, which the engine then walks through intake and evaluation as far
    as their gates allow (up to the director's evaluation at the decision stage);
    changing priority or flags of a running event reschedules its deadlines; deciding
    not to take part stops a running process (a note is then required). The type cannot
    change once the process started."""
    from marketdesk.sop import services as sop  # noqa: PLC0415

    if decision not in m.Event.Decision.values:
        raise ValidationError({"decision": _("Choose a decision.")})
    if decision != m.Event.Decision.PENDING and event.screening != m.Event.Screening.ACCEPTED:
        raise ValidationError(_("Accept the opportunity at the first screening before "
                                "deciding on it."))
    if decision == m.Event.Decision.GO and not event_type:
        raise ValidationError({"event_type": _("Choose the event type: it decides the process "
                                               "the event follows.")})
    note = (note or "").strip()
    fields = {
        "decision": decision, "event_type": event_type, "free": free,
        "heavyweight": heavyweight, "important": important, "high_frequency": high_frequency,
        "priority": priority, "needs_business_support": needs_business_support,
        "decision_note": note, "decided_at": timezone.now(), "decided_by": by,
    }
    if our_role is not None:
        fields["our_role"] = our_role
    with transaction.atomic():
        run = run_of(event)
        if run is not None and decision == m.Event.Decision.GO and event_type != event.event_type:
            raise ValidationError({"event_type": _(
                "The event's process already started as “%(type)s”; the type cannot "
                "change.") % {"type": event.get_event_type_display()}})
        if run is not None and decision != m.Event.Decision.GO and not note:
            raise ValidationError({"decision_note": _(
                "The event's process is running: say why it stops.")})
        before = _stored(event, DECISION_FIELDS)
        event = core.update(event, by=by, **fields)
        after = {name: getattr(event, name) for name in DECISION_FIELDS}
        if decision == m.Event.Decision.GO:
            if run is None:
                run = sop.run_start(event, definition_key=event.definition_key, by=by)
                _advance_through_evaluation(run, event, by=by)
            elif before != after:
                sop.run_reschedule(run, by=by)
        elif run is not None:
            sop.run_cancel(run, by=by, reason=note)
    return event


# The evaluation standards of the event definitions and the participation check (O4)
# whose answer settles each one.
STANDARD_CHECKS = {
    "competitors": "competitor_present",
    "organiser": "organiser_background",
    "state_backing": "organiser_background",
    "history": "past_influence",
    "influence": "past_influence",
    "business_value": "business_value",
    "cost_effectiveness": "cost_effective",
}
INTAKE_STAGE = "intake"
EVALUATION_STAGE = "evaluation"


def _advance_through_evaluation(run, event: m.Event, *, by) -> None:
    """A newly started run has already been through intake (O3) and evaluation (O4) in
    this app: move it past them. The evaluation standards answered yes or no are ticked;
    a gate that still refuses (a check left "unknown", no score) leaves the run there for
    the team to finish on the event page."""
    from marketdesk.sop import services as sop  # noqa: PLC0415

    answers = event.check_answers()
    try:
        if run.stage == INTAKE_STAGE:
            run = sop.run_advance(run, to_stage=None, by=by, expected_version=run.version)
        if run.stage == EVALUATION_STAGE:
            stage = run.definition.parsed.stage(EVALUATION_STAGE)
            for item in stage.checklist:
                check = STANDARD_CHECKS.get(item.key)
                if check and answers.get(check) in (scoring.YES, scoring.NO):
                    run = sop.run_tick(run, item_key=item.key, checked=True, by=by,
                                       expected_version=run.version)
            run = sop.run_advance(run, to_stage=None, by=by, expected_version=run.version)
    except sop.TransitionRefused:
        return


def retrospectives_open_due(*, now: dt.datetime | None = None) -> list[m.Retrospective]:
    """O10, for the scheduler: open the retrospective of every running event whose N+X
    day (the engine's ``retrospective`` deadline: end date + 5 days for P0–P1, + 2 days
    for P2–P3) has begun on its team's calendar, even if the run has not reached the
    retrospective stage yet."""
    from marketdesk.sop.models import Deadline, ProcessRun  # noqa: PLC0415

    now = now or timezone.now()
    ct = ContentType.objects.get_for_model(m.Event)
    due = (Deadline.objects.filter(key=RETROSPECTIVE_STAGE, done_at__isnull=True,
                                   due_at__lte=now + dt.timedelta(days=1),
                                   run__status=ProcessRun.Status.ACTIVE, run__content_type=ct)
           .select_related("run__team"))
    opened = []
    for deadline in due:
        zone = zoneinfo.ZoneInfo(deadline.run.team.time_zone)
        if deadline.due_at.astimezone(zone).date() > now.astimezone(zone).date():
            continue
        event = m.Event.objects.filter(pk=deadline.run.object_id).select_related("team", "owner").first()
        if event is None or m.Retrospective.objects.filter(event=event).exists():
            continue
        opened.append(retrospective_open(event, by=None))
    return opened


# --- event records -----------------------------------------------------------------------

class EventChildService(core.RecordService):
    """A record of one event (cost line, task, key node …): people must be in its team."""

    user_fields: tuple[str, ...] = ()

    def _check(self, event_id, fields):
        team_id = m.Event.objects.filter(pk=event_id).values_list("team_id", flat=True).first()
        for name in self.user_fields:
            if f"{name}_id" in fields:
                _check_user_field(name, fields[f"{name}_id"], team_id)

    @staticmethod
    def _ids(fields):
        for name in list(fields):
            value = fields[name]
            if isinstance(value, models.Model) and name != "event":
                fields[f"{name}_id"] = fields.pop(name).pk
        return fields

    def create(self, *, by, m2m=None, **fields):
        fields = self._ids(dict(fields))
        event_id = fields.get("event_id") or getattr(fields.get("event"), "pk", None)
        with transaction.atomic():
            self._check(event_id, fields)
            return super().create(by=by, m2m=m2m, **fields)

    def update(self, obj, *, by, m2m=None, **fields):
        fields = self._ids(dict(fields))
        if "event_id" in fields and fields["event_id"] != obj.event_id or "event" in fields:
            raise ValidationError({"event": _("A record cannot move to another event.")})
        with transaction.atomic():
            self._check(obj.event_id, fields)
            return super().update(obj, by=by, m2m=m2m, **fields)


class TaskService(EventChildService):
    user_fields = ("owner",)


class KeyNodeService(EventChildService):
    user_fields = ("owner",)


class LeadService(EventChildService):
    user_fields = ("assigned_to",)


class SeriesService(core.RecordService):
    pass


series = SeriesService(m.EventSeries)
cost_lines = EventChildService(m.CostLine)
paid_steps = EventChildService(m.PaidStep)
tasks = TaskService(m.ExecutionTask)
key_nodes = KeyNodeService(m.KeyNode)
leads = LeadService(m.Lead)
registrations = EventChildService(m.RegistrationCount)
series_retrospectives = core.RecordService(m.SeriesRetrospective)


# --- warm-up: registrations and the curve (O8) -------------------------------------------

def registration_total(event: m.Event, *, until: dt.date | None = None) -> int:
    qs = event.registrations.all()
    if until is not None:
        qs = qs.filter(day__lte=until)
    return qs.aggregate(n=Sum("count"))["n"] or 0


def curve_status(event: m.Event, *, day: dt.date) -> curve.CurveStatus | None:
    """Where the event's cumulative registrations stand on ``day`` (None: no target)."""
    if not event.registration_target:
        return None
    return curve.status(
        target=event.registration_target, warmup_start=event.effective_warmup_start(),
        event_start=event.start_date, day=day, actual=registration_total(event, until=day),
        exponent=event.curve_exponent, tolerance=event.curve_tolerance,
    )


def curve_alert(event: m.Event, *, day: dt.date) -> curve.CurveStatus | None:
    """O8: below the growth curve → the owner is told to step up publicity (at most one
    notification per event and day). Returns the status when an alert was sent."""
    if day > event.start_date:
        return None
    status = curve_status(event, day=day)
    if status is None or not status.below:
        return None
    _notify(
        [event.owner], kind="events.registrations_below_curve",
        title=_("Registrations for “%(event)s” are below the expected curve") % {"event": event},
        body=_("%(day)s: %(actual)s registrations so far, %(expected)s expected (alert below "
               "%(floor)s). Step up the publicity plan.") % {
            "day": day.isoformat(), "actual": status.actual, "expected": status.expected,
            "floor": status.floor},
        url=event.get_absolute_url() + "registrations/", team=event.team, by=None,
        dedupe_key=f"events:curve:{event.pk}:{day.isoformat()}",
    )
    return status


def registration_set(event: m.Event, *, by, day: dt.date, channel: str, count: int
                     ) -> m.RegistrationCount:
    """Enter (or correct) the registrations of one channel on one day, then check the
    curve for that day."""
    channel = (channel or "").strip()
    with transaction.atomic():
        existing = (m.RegistrationCount.objects.select_for_update()
                    .filter(event=event, day=day, channel=channel).first())
        if existing is None:
            row = core.create(m.RegistrationCount, by=by, event=event, day=day,
                              channel=channel, count=count)
        else:
            row = core.update(existing, by=by, count=count)
        curve_alert(event, day=day)
    return row


def registration_delete(row: m.RegistrationCount, *, by) -> None:
    core.delete(row, by=by)


def curve_alerts_run(*, now: dt.datetime | None = None) -> list[tuple[m.Event, curve.CurveStatus]]:
    """The daily check for the scheduler: every running event in its warm-up period with
    a registration target, on its team's today."""
    now = now or timezone.now()
    sent = []
    candidates = (m.Event.objects.select_related("team", "owner")
                  .filter(decision=m.Event.Decision.GO, registration_target__isnull=False,
                          start_date__gte=(now - dt.timedelta(days=1)).date()))
    for event in candidates:
        day = team_today(event.team, now)
        if event.effective_warmup_start() <= day <= event.start_date:
            with transaction.atomic():
                status = curve_alert(event, day=day)
            if status is not None:
                sent.append((event, status))
    return sent


# --- leads (O10) ---------------------------------------------------------------------------

def leads_hand_to_sales(event: m.Event, lead_ids: list[int], *, to, by) -> int:
    """O10: hand leads to a sales user for follow-up (客户跟进和分配) and tell them."""
    if to is None or not to.is_active or to.role != Role.SALES or not _may_own(to, event.team_id):
        raise ValidationError({"assigned_to": _("Choose a sales member of the event's team.")})
    with transaction.atomic():
        rows = list(m.Lead.objects.select_for_update().filter(event=event, pk__in=lead_ids))
        if len(rows) != len(set(lead_ids)):
            raise ValidationError({"leads": _("Some of the leads are not leads of this event.")})
        now = timezone.now()
        for lead in rows:
            core.update(lead, by=by, assigned_to=to, handed_at=now)
        if rows:
            _notify([to], kind="events.leads_handed",
                    title=_("%(n)s leads from “%(event)s” are yours to follow up") % {
                        "n": len(rows), "event": event},
                    body="\n".join(str(lead) for lead in rows[:20]),
                    url=event.get_absolute_url() + "retrospective/", team=event.team, by=by,
                    dedupe_key="")
    return len(rows)


# --- retrospective (O10) -------------------------------------------------------------------

@dataclass(frozen=True)
class RetroNumbers:
    budget: Decimal | None
    planned_spend: Decimal
    actual_spend: Decimal
    registrations: int
    registration_target: int | None
    attendance: int | None
    attendance_target: int | None
    leads: int
    leads_handed: int
    cost_per_lead: Decimal | None


def retrospective_numbers(event: m.Event) -> RetroNumbers:
    """O10 standards 1–3: effect vs estimate, spend vs budget, leads and their follow-up.
    Cost per lead = actual spend / leads captured (none when no lead was captured)."""
    money = event.cost_lines.aggregate(planned=Sum("planned_amount"), actual=Sum("actual_amount"))
    # quantized: SQLite sums decimals without their scale ("12000.5")
    planned = (money["planned"] or Decimal(0)).quantize(CENT)
    actual = (money["actual"] or Decimal(0)).quantize(CENT)
    lead_counts = event.leads.aggregate(
        total=models.Count("id"), handed=models.Count("id", filter=Q(assigned_to__isnull=False)))
    n_leads = lead_counts["total"]
    return RetroNumbers(
        budget=event.budget, planned_spend=planned, actual_spend=actual,
        registrations=registration_total(event),
        registration_target=event.registration_target,
        attendance=event.actual_attendance, attendance_target=event.expected_attendees,
        leads=n_leads, leads_handed=lead_counts["handed"],
        cost_per_lead=(actual / n_leads).quantize(CENT, rounding=ROUND_HALF_UP) if n_leads else None,
    )


def _numbers_fields(event) -> dict:
    n = retrospective_numbers(event)
    return {"budget": n.budget, "planned_spend": n.planned_spend, "actual_spend": n.actual_spend,
            "registrations": n.registrations, "registration_target": n.registration_target,
            "attendance": n.attendance, "attendance_target": n.attendance_target,
            "leads": n.leads, "leads_handed": n.leads_handed, "cost_per_lead": n.cost_per_lead,
            "numbers_at": timezone.now()}


def retrospective_open(event: m.Event, *, by=None) -> m.Retrospective:
    """O10: the event's retrospective, created once and pre-filled with its numbers.
    Called when the run reaches its retrospective stage (the engine's transition hook)
    or by hand; a second call returns the existing one."""
    with transaction.atomic():
        m.Event.objects.select_for_update().filter(pk=event.pk).first()
        existing = m.Retrospective.objects.filter(event=event).first()
        if existing is not None:
            return existing
        retro = core.create(m.Retrospective, by=by, event=event, **_numbers_fields(event))
        _notify([event.owner], kind="events.retrospective_open",
                title=_("The retrospective of “%(event)s” is open") % {"event": event},
                body=_("Spend, registrations, attendance and leads are filled in; add the "
                       "strengths, weaknesses, overall value and improvements."),
                url=event.get_absolute_url() + "retrospective/", team=event.team, by=by,
                dedupe_key=f"events:retro:{event.pk}")
    return retro


def retrospective_refresh(retro: m.Retrospective, *, by) -> m.Retrospective:
    """Take the numbers again (late invoices, leads imported after the event)."""
    return core.update(retro, by=by, **_numbers_fields(retro.event))


def retrospective_update(retro: m.Retrospective, *, by, **texts) -> m.Retrospective:
    allowed = {"strengths", "weaknesses", "overall_value", "improvements"}
    if refused := sorted(set(texts) - allowed):
        raise ValidationError({name: _("The numbers are taken from the event's records.")
                               for name in refused})
    return core.update(retro, by=by, **texts)


@dataclass(frozen=True)
class SeriesRow:
    event: m.Event
    numbers: RetroNumbers


@dataclass(frozen=True)
class SeriesSummary:
    rows: list[SeriesRow]
    events: int
    budget: Decimal
    actual_spend: Decimal
    registrations: int
    registration_target: int
    attendance: int
    leads: int
    cost_per_lead: Decimal | None


def series_summary(series_obj: m.EventSeries) -> SeriesSummary:
    """O10 series retrospective: the events of a series side by side, and their totals."""
    rows = [SeriesRow(e, retrospective_numbers(e))
            for e in series_obj.events.select_related("team").order_by("start_date", "id")]
    spend = sum((r.numbers.actual_spend for r in rows), Decimal("0.00")).quantize(CENT)
    n_leads = sum(r.numbers.leads for r in rows)
    return SeriesSummary(
        rows=rows, events=len(rows),
        budget=sum((r.numbers.budget or Decimal(0) for r in rows), Decimal("0.00")).quantize(CENT),
        actual_spend=spend,
        registrations=sum(r.numbers.registrations for r in rows),
        registration_target=sum(r.numbers.registration_target or 0 for r in rows),
        attendance=sum(r.numbers.attendance or 0 for r in rows),
        leads=n_leads,
        cost_per_lead=(spend / n_leads).quantize(CENT, rounding=ROUND_HALF_UP) if n_leads else None,
    )


# --- imports -------------------------------------------------------------------------------

@dataclass(frozen=True)
class ImportResult:
    """What an import did. ``written`` rows were created; ``errors`` name row, column and
    reason; when ``refused`` (a file problem, or a bad row without ``skip_bad_rows``),
    nothing was written."""

    kind: str
    encoding: str = ""
    total: int = 0
    written: int = 0
    errors: list[imports.RowError] = field(default_factory=list)
    file_error: str = ""
    batch: m.ImportBatch | None = None

    @property
    def refused(self) -> bool:
        return self.batch is None

    @property
    def error_count(self) -> int:
        return len(self.errors) + (1 if self.file_error else 0)

    def reported_errors(self) -> list[imports.RowError]:
        return self.errors[: imports.MAX_REPORTED_ERRORS]


class _Maker:
    """Builds many instances of one model fast: positional construction from a row of
    defaults (Django's quick ``__init__`` path), with the given attributes filled in.
    Callable defaults that return a fresh object (a list or dict) are called per row."""

    def __init__(self, model: type[models.Model], **fixed):
        self.model = model
        fields = model._meta.concrete_fields
        self.index = {}
        for i, f in enumerate(fields):
            self.index[f.attname] = i
            self.index.setdefault(f.name, i)
        self.defaults = [None if f.primary_key else f.get_default() for f in fields]
        self.fresh = [(i, f) for i, f in enumerate(fields)
                      if isinstance(self.defaults[i], (list, dict))]
        for name, value in fixed.items():
            self.defaults[self.index[name]] = value

    def __call__(self, values: dict) -> models.Model:
        row = list(self.defaults)
        for i, f in self.fresh:
            row[i] = f.get_default()
        for name, value in values.items():
            row[self.index[name]] = value
        return self.model(*row)


def _audit_bulk(objs: list[models.Model], *, by, message: str, fields: list[str]) -> None:
    """One ``create`` audit entry per written row, inserted in bulk. The entry holds the
    values the import set (``fields``, by attribute name) — every other field has its
    default — which keeps 50,000 entries cheap to build and store."""
    if not objs:
        return
    actor_id = by.pk if by is not None and by.is_authenticated else None
    actor_name = by.get_username() if actor_id else ""
    ct_id = ContentType.objects.get_for_model(objs[0], for_concrete_model=False).pk
    rid = request_id.get()
    root_ct_ids: dict[type, int] = {}
    entries = []
    make = _Maker(AuditEntry, action=AuditEntry.Action.CREATE, actor_id=actor_id,
                  actor_name=actor_name, content_type_id=ct_id, message=message[:300],
                  request_id=rid)
    for obj in objs:
        root = obj.audit_root
        root_ct_id = root_ct_ids.get(type(root))
        if root_ct_id is None:
            root_ct_id = root_ct_ids[type(root)] = ContentType.objects.get_for_model(
                root, for_concrete_model=False).pk
        after = {name: audit.snapshot_value(getattr(obj, name)) for name in fields}
        entries.append(make({
            "object_id": str(obj.pk), "object_repr": str(obj)[:300], "root_type_id": root_ct_id,
            "root_id": str(root.pk), "team_id": obj.owning_team_id(), "changes": {"after": after},
        }))
    _bulk_insert(AuditEntry, entries, vary={"object_id", "object_repr", "root_id", "team_id",
                                            "changes", "root_type_id"})


def _bulk_insert(model: type[models.Model], objs: list[models.Model], *, vary: set[str]) -> list:
    """Insert ``objs`` in batches and set their primary keys — ``bulk_create`` without
    the ORM compiler's per-value overhead, which costs ~0.5 ms a row on a 60-column table
    and would dominate a 50,000-row import.

    Values are prepared exactly as the ORM prepares them (``pre_save`` and
    ``get_db_prep_save``), but only the attributes in ``vary`` are prepared per row; every
    other column holds the same value in every row (its default, or one timestamp for
    ``auto_now``/``auto_now_add``) and is prepared once. ``INSERT … RETURNING`` gives the
    keys in row order, as Django's own bulk_create relies on (SQLite ≥ 3.35). On
    PostgreSQL a batch is one ``INSERT … SELECT * FROM unnest(<one array per column>)``:
    a short statement instead of tens of thousands of placeholders, and ``unnest`` keeps
    the arrays' order, so the returned keys follow the rows.
    """
    if not objs:
        return objs
    connection = transaction.get_connection(router.db_for_write(model))
    meta = model._meta
    pk = meta.pk
    fields = [f for f in meta.concrete_fields if f is not pk]
    now = timezone.now()
    first = objs[0]
    constant: dict[str, object] = {}
    varying = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for obj in objs:
                setattr(obj, f.attname, now)
            constant[f.attname] = f.get_db_prep_save(now, connection)
        elif f.attname in vary or f.name in vary:
            varying.append(f)
        else:
            constant[f.attname] = f.get_db_prep_save(getattr(first, f.attname), connection)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    limit = connection.features.max_query_params or 65_000
    per_batch = max(1, min(WRITE_BATCH, limit // len(fields), 65_000 // len(fields)))
    varying_names = {f.attname for f in varying}
    template = [(f, f.attname in varying_names, constant.get(f.attname)) for f in fields]
    insert = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "
    arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
    returning = f" RETURNING {quote(pk.column)}"

    def row_params(obj):
        return [f.get_db_prep_save(getattr(obj, f.attname), connection) if varies else value
                for f, varies, value in template]

    with connection.cursor() as cursor:
        for start in range(0, len(objs), per_batch):
            chunk = objs[start:start + per_batch]
            if connection.vendor == "postgresql":
                # One array per column, unnested by the server: a short statement that
                # psycopg and PostgreSQL parse once per batch, whatever its row count.
                rows = [row_params(o) for o in chunk]
                cursor.execute(
                    f"{insert[:-len(' VALUES ')]} SELECT * FROM unnest({arrays}){returning}",
                    [[row[i] for row in rows] for i in range(len(fields))])
                keys = [row[0] for row in cursor.fetchall()]
            else:
                params = [p for obj in chunk for p in row_params(obj)]
                cursor.execute(insert + ", ".join([row_sql] * len(chunk)) + returning, params)
                keys = [row[0] for row in cursor.fetchall()]
            for obj, key in zip(chunk, keys, strict=True):
                setattr(obj, pk.attname, key)
                obj._state.adding = False
                obj._state.db = connection.alias
    return objs


def _read(data: bytes | None, filename: str, rows: list[dict] | None) -> imports.Table:
    if rows is not None:
        return imports.read_json_rows(rows)
    return imports.read_file(data or b"", filename)


def _validated(obj: models.Model, keys: set[str]) -> None:
    """Validate the fields an import set (and the model's cross-field rules); every other
    field holds its default. Relations are checked once per import by the caller."""
    exclude = _unset_fields(type(obj), frozenset(keys))
    obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


_UNSET_CACHE: dict[tuple, list[str]] = {}


def _unset_fields(model, keys: frozenset) -> list[str]:
    cache_key = (model, keys)
    if cache_key not in _UNSET_CACHE:
        _UNSET_CACHE[cache_key] = [f.name for f in model._meta.concrete_fields
                                   if f.name not in keys or f.is_relation]
    return _UNSET_CACHE[cache_key]


def _run_import(*, kind: str, team: Team, event: m.Event | None, by, columns, build,
                write, data: bytes | None, filename: str, rows: list[dict] | None,
                skip_bad_rows: bool, fixed: tuple[str, ...]) -> ImportResult:
    """Read, validate every row, then write all (or, with skip_bad_rows, the good ones)
    in one transaction. ``build(parsed_row, keys) -> instance`` raises ValidationError;
    ``write(instances, batch, vary) -> list of created objects`` (``vary``: the attributes
    that differ between rows); ``fixed`` names the
    attributes every row gets from the import itself (team, owner, event)."""
    try:
        table = _read(data, filename, rows)
        parsed, errors = imports.parse_rows(table, columns)
    except imports.FileRefused as exc:
        return ImportResult(kind=kind, file_error=exc.message)
    total = len(table.rows) + len(table.ragged)
    keys = {c.key for c in imports.map_headers(table.headers, columns)}
    instances = []
    for row in parsed:
        try:
            instances.append(build(row, keys))
        except ValidationError as exc:
            errors.extend(imports.model_errors(row, exc))
    errors.sort(key=lambda e: e.row)
    if not errors and not instances:
        return ImportResult(kind=kind, encoding=table.encoding, file_error=_(
            "There are no rows to import below the header row."))
    if (errors and not skip_bad_rows) or not instances:
        return ImportResult(kind=kind, encoding=table.encoding, total=total, errors=errors)
    source = filename or ("API" if rows is not None else "")
    with transaction.atomic():
        batch = m.ImportBatch(
            team=team, event=event, kind=kind, source=source[:200], encoding=table.encoding,
            skip_bad_rows=skip_bad_rows, rows_total=total, rows_written=len(instances),
            rows_refused=len({e.row for e in errors}),
            errors=[e.as_dict() for e in errors[: imports.MAX_REPORTED_ERRORS]], created_by=by)
        batch.full_clean()
        batch.save()
        audit.record("create", batch, actor=by, changes={"after": {
            "kind": kind, "source": batch.source, "encoding": batch.encoding,
            "rows_total": total, "rows_written": len(instances),
            "rows_refused": batch.rows_refused}},
            message=f"import of {len(instances)} {kind}")
        created = write(instances, batch, {*keys, *fixed})
        audited = ["id", *fixed, *sorted(k for k in keys if k in _attnames(type(instances[0])))]
        _audit_bulk(created, by=by, message=f"import #{batch.pk}", fields=audited)
    return ImportResult(kind=kind, encoding=table.encoding, total=total, written=len(instances),
                        errors=errors, batch=batch)


def _attnames(model) -> set[str]:
    return {f.attname for f in model._meta.concrete_fields}


def import_events(*, team: Team, by, data: bytes | None = None, filename: str = "",
                  rows: list[dict] | None = None, skip_bad_rows: bool = False) -> ImportResult:
    """O3: event opportunities from a spreadsheet or JSON rows, into ``team``; each new
    opportunity is owned by the importer unless the ``owner`` column names a team member
    (by username) and starts at the first screening."""
    members = {u.username.casefold(): u.pk for u in get_user_model().objects.filter(
        Q(memberships__team=team) | Q(role__in=COMPANY_WIDE), is_active=True)}
    make = _Maker(m.Event, team_id=team.pk)

    def build(row: imports.ParsedRow, keys: set[str]) -> m.Event:
        values = dict(row.values)
        owner_name = values.pop("owner", None)
        owner_id = by.pk
        if owner_name:
            owner_id = members.get(owner_name.casefold())
            if owner_id is None:
                raise ValidationError({"owner": _("“%(name)s” is not a member of the team.") % {
                    "name": owner_name}})
        values = {k: v for k, v in values.items() if v is not None}
        if values.get("end_date") is None:
            values["end_date"] = values.get("start_date")
        event = make({"owner_id": owner_id, **values})
        _validated(event, keys | {"end_date"})
        return event

    def write(instances, batch, vary):
        return _bulk_insert(m.Event, instances, vary=vary)

    return _run_import(kind=m.ImportBatch.Kind.EVENTS, team=team, event=None, by=by,
                       columns=imports.event_columns(m.Event), build=build, write=write,
                       data=data, filename=filename, rows=rows, skip_bad_rows=skip_bad_rows,
                       fixed=("team_id", "owner_id", "end_date"))


def import_leads(event: m.Event, *, by, data: bytes | None = None, filename: str = "",
                 rows: list[dict] | None = None, skip_bad_rows: bool = False) -> ImportResult:
    """O10: the lead list captured at the event."""

    make = _Maker(m.Lead, event_id=event.pk)

    def build(row: imports.ParsedRow, keys: set[str]) -> m.Lead:
        values = {k: v for k, v in row.values.items() if v is not None}
        lead = make(values)
        lead.event = event
        _validated(lead, keys)
        return lead

    def write(instances, batch, vary):
        return _bulk_insert(m.Lead, instances, vary=vary)

    return _run_import(kind=m.ImportBatch.Kind.LEADS, team=event.team, event=event, by=by,
                       columns=imports.lead_columns(), build=build, write=write, data=data,
                       filename=filename, rows=rows, skip_bad_rows=skip_bad_rows,
                       fixed=("event_id",))


def import_registrations(event: m.Event, *, by, data: bytes | None = None, filename: str = "",
                         rows: list[dict] | None = None, skip_bad_rows: bool = False
                         ) -> ImportResult:
    """O8: registration counts per day and channel. A (day, channel) already entered is
    replaced by the file's count; the same (day, channel) twice in one file is an error."""
    seen: dict[tuple, int] = {}

    def build(row: imports.ParsedRow, keys: set[str]) -> m.RegistrationCount:
        values = row.values
        key = (values["day"], (values["channel"] or "").strip())
        if key in seen:
            raise ValidationError({"channel": _("Row %(row)s already gives this day and "
                                                "channel.") % {"row": seen[key]}})
        seen[key] = row.row
        reg = m.RegistrationCount(event=event, day=values["day"], channel=key[1],
                                  count=values["count"])
        _validated(reg, keys)
        return reg

    def write(instances, batch, vary):
        existing = {(r.day, r.channel): r for r in m.RegistrationCount.objects
                    .select_for_update().filter(event=event)}
        new, changed = [], []
        for reg in instances:
            old = existing.get((reg.day, reg.channel))
            if old is None:
                new.append(reg)
            elif old.count != reg.count:
                audit.record("update", old, actor=by, message=f"import #{batch.pk}",
                             changes={"before": {"count": old.count},
                                      "after": {"count": reg.count}})
                old.count = reg.count
                changed.append(old)
        m.RegistrationCount.objects.bulk_update(changed, ["count"], batch_size=WRITE_BATCH)
        created = _bulk_insert(m.RegistrationCount, new, vary=vary)
        if instances:
            curve_alert(event, day=max(r.day for r in instances))
        return created

    return _run_import(kind=m.ImportBatch.Kind.REGISTRATIONS, team=event.team, event=event,
                       by=by, columns=imports.registration_columns(), build=build, write=write,
                       data=data, filename=filename, rows=rows, skip_bad_rows=skip_bad_rows,
                       fixed=("event_id",))


# --- the SOP engine's view of an event (marketdesk.sop.items) ------------------------------

#: The stage of every ``event-*`` definition whose entry opens the retrospective (O10).
RETROSPECTIVE_STAGE = "retrospective"


class EventAdapter(sop_items.ItemAdapter):
    """How the engine reads an event: team, owner, key dates, flags and priority (O5–O10)."""

    def team_id(self, item: m.Event) -> int:
        return item.sop_team_id()

    def owner(self, item: m.Event):
        return item.sop_owner()

    def dates(self, item: m.Event) -> dict:
        return item.sop_dates()

    def flags(self, item: m.Event) -> dict[str, bool]:
        return item.sop_flags()

    def priority(self, item: m.Event) -> str:
        return item.sop_priority()

    def field(self, item: m.Event, name: str):
        return item.sop_field(name)

    def on_transition(self, item: m.Event, run, *, before, after, completed, by) -> None:
        # O10: reaching the retrospective stage opens the pre-filled retrospective.
        if after == RETROSPECTIVE_STAGE:
            retrospective_open(item, by=by)
