"""REST interface of the event pipeline under /api/v1/events.

The plain records (events, series, cost lines, paid-path records, execution tasks, key
nodes, registration counts, leads, retrospectives) are uniform resources; the steps of
the pipeline are operations of their own: screening (O3), evaluation and the ranked list
(O4), decisions that start the SOP run (O5), imports of JSON rows or files (O3, O8, O10),
registrations against the curve and the daily report (O8), handing leads to sales and
opening the retrospective (O10), the weekly evaluation meeting agenda (O4/O15) and the
team's scoring weights.

Import errors use the common error shape: each error's ``field`` is
``rows[<row>].<column>`` — the row number as a spreadsheet counts it for files (header =
row 1) or the 1-based position in ``rows`` for JSON — and ``message`` the reason.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from marketdesk.accounts.models import Team, User
from marketdesk.core import permissions as gate
from marketdesk.core import services as core
from marketdesk.core.api import READ_ERRORS, WRITE_ERRORS, ErrorOut
from marketdesk.core.crud_api import PageIn, Resource, register
from marketdesk.events import models as m
from marketdesk.events import reports, scoring, services

router = Router(tags=["events"])

EVENT_FIELDS = [
    "team", "owner", "series", "name", "organiser", "source_channel", "source_note",
    "source_url", "event_type", "city", "region_tier", "venue", "online", "start_date",
    "end_date", "expected_attendees", "price", "currency", "our_role", "description", "plan",
    "cross_team_nodes", "publicity_rhythm", "materials", "registration_path", "budget",
    "registration_target", "warmup_start", "curve_exponent", "curve_tolerance",
    "fallback_plan", "actual_attendance",
]
EVENT_READ_ONLY = [
    "screening", "rejection_reason", "screened_at", "score",
    *(f"score_{k}" for k in scoring.CRITERION_KEYS),
    *(f"check_{k}" for k in scoring.CHECK_KEYS),
    "evaluation_note", "evaluated_at", "decision", "free", "heavyweight", "important",
    "high_frequency", "priority", "needs_business_support", "decision_note", "decided_at",
]


class RetrospectiveApi:
    """A retrospective is opened with the event's numbers (``retrospective_open``); only
    the team's texts are written through the API."""

    def create(self, *, by, m2m=None, event_id, **texts):
        event = m.Event.objects.get(pk=event_id)
        retro = services.retrospective_open(event, by=by)
        return services.retrospective_update(retro, by=by, **texts) if texts else retro

    def update(self, obj, *, by, m2m=None, **texts):
        return services.retrospective_update(obj, by=by, **texts)

    def delete(self, obj, *, by):
        core.delete(obj, by=by)


RESOURCES = [
    Resource(m.Event, "events", services.events, EVENT_FIELDS, read_only=EVENT_READ_ONLY,
             filters=["team", "owner", "series", "screening", "decision", "event_type",
                      "source_channel", "priority"],
             search=["name", "organiser", "city"], ordering=["start_date", "id"]),
    Resource(m.EventSeries, "event-series", services.series, ["team", "name", "description"],
             filters=["team"], search=["name"], ordering=["name"]),
    Resource(m.CostLine, "cost-lines", services.cost_lines,
             ["event", "category", "description", "planned_amount", "actual_amount", "paid_on"],
             filters=["event", "category"], search=["description"]),
    Resource(m.PaidStep, "paid-steps", services.paid_steps,
             ["event", "rights_notes", "confirmed_price", "contract_no", "contract_date",
              "payment_date", "payment_amount"], filters=["event"]),
    Resource(m.ExecutionTask, "execution-tasks", services.tasks,
             ["event", "title", "owner", "priority", "due_on", "cross_team", "done"],
             filters=["event", "owner", "priority", "done"], search=["title"],
             ordering=["due_on", "id"]),
    Resource(m.KeyNode, "key-nodes", services.key_nodes, ["event", "node", "owner", "at", "note"],
             filters=["event", "owner"], search=["node"], ordering=["at", "id"]),
    Resource(m.RegistrationCount, "registration-counts", services.registrations,
             ["event", "day", "channel", "count"], filters=["event", "channel"],
             ordering=["day", "channel"]),
    Resource(m.Lead, "event-leads", services.leads,
             ["event", "name", "company", "title", "phone", "email", "interest"],
             read_only=["assigned_to", "handed_at"], filters=["event", "assigned_to"],
             search=["name", "company"]),
    Resource(m.Retrospective, "retrospectives", RetrospectiveApi(),
             ["event", *m.Retrospective.TEXT_FIELDS],
             read_only=["budget", "planned_spend", "actual_spend", "registrations",
                        "registration_target", "attendance", "attendance_target", "leads",
                        "leads_handed", "cost_per_lead", "numbers_at"],
             filters=["event"]),
    Resource(m.SeriesRetrospective, "series-retrospectives", services.series_retrospectives,
             ["series", "strengths", "weaknesses", "overall_value", "improvements"],
             filters=["series"]),
]
for resource in RESOURCES:
    register(router, resource, tag="events")


def _event(request, event_id: int, action: str = "view") -> m.Event:
    return gate.get_object(m.Event.objects.select_related("team", "owner"), request.user,
                           action, pk=event_id)


class EventBrief(Schema):
    id: int
    team: int = Field(..., alias="team_id")
    name: str
    organiser: str
    source_channel: str
    city: str
    event_type: str
    start_date: dt.date
    end_date: dt.date
    screening: str
    decision: str
    priority: str
    score: Decimal | None


# --- screening, evaluation, decisions (O3–O5) -------------------------------------------

class ScreenIn(Schema):
    accept: bool
    reason: str = Field("", max_length=500)


@router.post("/events/{int:event_id}/screen", response={200: EventBrief, **WRITE_ERRORS},
             summary="First screening: accept, or reject with a reason (O3)")
def screen(request, event_id: int, payload: ScreenIn):
    event = _event(request, event_id, "change")
    return services.event_screen(event, by=request.user, accept=payload.accept,
                                 reason=payload.reason)


Score = int


class EvaluateIn(Schema):
    scores: dict[str, Score] = Field(..., description="criterion → 0–5: " + ", ".join(
        scoring.CRITERION_KEYS))
    checks: dict[str, Literal["yes", "no", "unknown"]] = Field(
        {}, description="participation check → yes/no/unknown: " + ", ".join(scoring.CHECK_KEYS))
    note: str | None = Field(None, max_length=10000)


@router.post("/events/{int:event_id}/evaluate", response={200: EventBrief, **WRITE_ERRORS},
             summary="Score the six criteria and answer the participation checks (O4)")
def evaluate(request, event_id: int, payload: EvaluateIn):
    event = _event(request, event_id, "change")
    unknown = sorted(set(payload.scores) - set(scoring.CRITERION_KEYS))
    unknown += sorted(set(payload.checks) - set(scoring.CHECK_KEYS))
    if unknown:
        raise ValidationError({name: ValidationError(_("Unknown criterion or check."),
                                                     code="unknown") for name in unknown})
    return services.event_evaluate(event, by=request.user, scores=payload.scores,
                                   checks=payload.checks, note=payload.note)


class DecideIn(Schema):
    decision: Literal["pending", "go", "no_go"]
    event_type: Literal["", "exhibition", "summit", "salon", "livestream"] = ""
    our_role: Literal["attend", "speak", "sponsor", "host"] | None = None
    free: bool = True
    heavyweight: bool = False
    important: bool = False
    high_frequency: bool = False
    priority: Literal["P0", "P1", "P2", "P3"] = "P2"
    needs_business_support: bool = False
    note: str = Field("", max_length=500)


class DecisionOut(EventBrief):
    run: int | None = None
    stage: str | None = None


def _with_run(event):
    run = services.run_of(event) or services.latest_run_of(event)
    out = DecisionOut.from_orm(event).model_dump(by_alias=True)
    out.update(run=run.pk if run else None, stage=run.stage if run else None)
    return out


@router.post("/events/{int:event_id}/decide", response={200: DecisionOut, **WRITE_ERRORS},
             summary="Decide (O5); taking part starts the event's SOP process")
def decide(request, event_id: int, payload: DecideIn):
    event = _event(request, event_id, "decide")
    event = services.event_decide(event, by=request.user, **payload.model_dump())
    return _with_run(event)


class RankedOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[EventBrief]


class RankedFilter(Schema):
    team: int | None = None
    stage: Literal["", "new", "to_evaluate", "undecided", "go", "declined"] = ""
    source_channel: str = ""
    event_type: str = ""
    q: str = Field("", max_length=100)


@router.get("/ranked", response={200: RankedOut, **READ_ERRORS},
            summary="The ranked opportunities: score desc, then start date (O4)")
def ranked(request, filters: Query[RankedFilter], paging: Query[PageIn]):
    qs = gate.restrict(m.Event.objects.all(), request.user)
    qs = reports.ranked(reports.filter_intake(
        qs, q=filters.q, team=filters.team, stage=filters.stage,
        source_channel=filters.source_channel, event_type=filters.event_type))
    count = qs.count()
    start = (paging.page - 1) * paging.page_size
    return {"count": count, "page": paging.page, "page_size": paging.page_size,
            "items": list(qs[start:start + paging.page_size])}


class WeightsOut(Schema):
    team: int
    topic_fit: Decimal
    organiser: Decimal
    attendees: Decimal
    cost_effectiveness: Decimal
    references: Decimal
    other: Decimal


class WeightsIn(Schema):
    topic_fit: Decimal | None = None
    organiser: Decimal | None = None
    attendees: Decimal | None = None
    cost_effectiveness: Decimal | None = None
    references: Decimal | None = None
    other: Decimal | None = None


def _team(request, team_id: int) -> Team:
    team = Team.objects.filter(pk=team_id).first()
    if team is None or not gate.in_scope(request.user, team.pk):
        raise Http404
    return team


@router.get("/weights/{int:team_id}", response={200: WeightsOut, **READ_ERRORS},
            summary="A team's scoring weights (default: equal) (O4)")
def weights_get(request, team_id: int):
    team = _team(request, team_id)
    return {"team": team.pk, **services.weights_for(team.pk)}


@router.put("/weights/{int:team_id}", response={200: WeightsOut, **WRITE_ERRORS},
            summary="Tune a team's weights; its evaluated events are scored again (O4)")
def weights_put(request, team_id: int, payload: WeightsIn):
    team = _team(request, team_id)
    if not gate.can(request.user, "change", m.TeamScoringWeights):
        raise PermissionDenied
    row = services.weights_set(team, by=request.user, **payload.model_dump(exclude_none=True))
    return {"team": team.pk, **row.as_dict()}


# --- imports (O3, O8, O10) ---------------------------------------------------------------

class ImportRowsIn(Schema):
    rows: list[dict] = Field(..., max_length=50_000,
                             description="objects keyed by column header (English or Chinese)")
    skip_bad_rows: bool = False


class EventImportIn(ImportRowsIn):
    team: int


class RowErrorOut(Schema):
    row: int
    column: str
    reason: str


class ImportOut(Schema):
    batch: int
    encoding: str
    total: int
    written: int
    errors: list[RowErrorOut]


def _import_response(result):
    if result.refused:
        errors = [{"field": "file" if result.file_error else "", "message": result.file_error,
                   "code": "file"}] if result.file_error else []
        errors += [{"field": f"rows[{e.row}].{e.column}" if e.column else f"rows[{e.row}]",
                    "message": e.reason, "code": "row"} for e in result.reported_errors()]
        detail = (_("The import was refused; nothing was written.") if result.file_error else
                  ngettext("%(n)s problem in the rows; nothing was written.",
                           "%(n)s problems in the rows; nothing was written.",
                           len(result.errors)) % {"n": len(result.errors)})
        return Status(422, {"detail": detail, "errors": errors})
    return Status(201, {"batch": result.batch.pk, "encoding": result.encoding,
                        "total": result.total, "written": result.written,
                        "errors": [e.as_dict() for e in result.reported_errors()]})


@router.post("/import", response={201: ImportOut, 422: ErrorOut, **WRITE_ERRORS},
             summary="Import event opportunities as JSON rows (O3); all-or-nothing unless "
                     "skip_bad_rows")
def import_event_rows(request, payload: EventImportIn):
    team = _team(request, payload.team)
    gate.check_team(request.user, "add", m.Event, team.pk)
    return _import_response(services.import_events(
        team=team, by=request.user, rows=payload.rows, skip_bad_rows=payload.skip_bad_rows))


@router.post("/import-file", response={201: ImportOut, 422: ErrorOut, **WRITE_ERRORS},
             summary="Import event opportunities from a CSV (UTF-8, UTF-8 BOM, GB18030) or "
                     "XLSX file (O3)")
def import_event_file(request, team: Form[int], file: File[UploadedFile],
                      skip_bad_rows: Form[bool] = False):
    team_obj = _team(request, team)
    gate.check_team(request.user, "add", m.Event, team_obj.pk)
    return _import_response(services.import_events(
        team=team_obj, by=request.user, data=file.read(), filename=file.name or "",
        skip_bad_rows=skip_bad_rows))


@router.post("/events/{int:event_id}/import/leads",
             response={201: ImportOut, 422: ErrorOut, **WRITE_ERRORS},
             summary="Import the event's lead list as JSON rows (O10)")
def import_lead_rows(request, event_id: int, payload: ImportRowsIn):
    event = _event(request, event_id)
    gate.check_team(request.user, "add", m.Lead, event.team_id)
    return _import_response(services.import_leads(
        event, by=request.user, rows=payload.rows, skip_bad_rows=payload.skip_bad_rows))


@router.post("/events/{int:event_id}/import/registrations",
             response={201: ImportOut, 422: ErrorOut, **WRITE_ERRORS},
             summary="Import registration counts (day, channel, count) as JSON rows (O8)")
def import_registration_rows(request, event_id: int, payload: ImportRowsIn):
    event = _event(request, event_id)
    gate.check_team(request.user, "add", m.RegistrationCount, event.team_id)
    return _import_response(services.import_registrations(
        event, by=request.user, rows=payload.rows, skip_bad_rows=payload.skip_bad_rows))


# --- warm-up (O8) ---------------------------------------------------------------------------

class RegistrationIn(Schema):
    day: dt.date
    channel: str = Field(..., min_length=1, max_length=60)
    count: int = Field(..., ge=0)


class RegistrationOut(Schema):
    id: int
    event: int = Field(..., alias="event_id")
    day: dt.date
    channel: str
    count: int


@router.put("/events/{int:event_id}/registrations",
            response={200: RegistrationOut, **WRITE_ERRORS},
            summary="Enter or correct one day's registrations of one channel (O8)")
def registration_put(request, event_id: int, payload: RegistrationIn):
    event = _event(request, event_id)
    gate.check_team(request.user, "add", m.RegistrationCount, event.team_id)
    return services.registration_set(event, by=request.user, **payload.model_dump())


class CurveStatusOut(Schema):
    day: dt.date
    index: int
    days: int
    expected: Decimal
    floor: Decimal
    actual: int
    shortfall: Decimal
    below: bool


class CurveOut(Schema):
    target: int | None
    warmup_start: dt.date
    exponent: Decimal
    tolerance: Decimal
    status: CurveStatusOut | None
    days: list[str]
    expected: list[float]
    floor: list[float]
    actual: list[int | None]


@router.get("/events/{int:event_id}/curve", response={200: CurveOut, **READ_ERRORS},
            summary="Registrations against the expected growth curve (O8)")
def registration_curve(request, event_id: int, day: dt.date | None = None):
    event = _event(request, event_id)
    day = day or min(services.team_today(event.team), event.start_date)
    series = reports.curve_series(event, today=day)
    return {"target": event.registration_target, "warmup_start": event.effective_warmup_start(),
            "exponent": event.curve_exponent, "tolerance": event.curve_tolerance,
            "status": services.curve_status(event, day=day),
            "days": series.days if series else [], "expected": series.expected if series else [],
            "floor": series.floor if series else [], "actual": series.actual if series else []}


class ChannelLineOut(Schema):
    channel: str
    today: int
    cumulative: int


class DailyReportOut(Schema):
    event: int
    day: dt.date
    lines: list[ChannelLineOut]
    total_today: int
    total_cumulative: int
    target: int | None
    percent_of_target: Decimal | None
    status: CurveStatusOut | None
    markdown: str


@router.get("/events/{int:event_id}/daily-report", response={200: DailyReportOut, **READ_ERRORS},
            summary="The daily effect report: registrations per channel, today and in total (O8)")
def daily_report(request, event_id: int, day: dt.date | None = None):
    event = _event(request, event_id)
    day = day or min(services.team_today(event.team), event.end_date)
    report = reports.daily_report(event, day)
    return {"event": event.pk, "day": report.day, "lines": report.lines,
            "total_today": report.total_today, "total_cumulative": report.total_cumulative,
            "target": report.target, "percent_of_target": report.percent_of_target,
            "status": report.status, "markdown": reports.daily_report_markdown(report)}


# --- leads and the retrospective (O10) -------------------------------------------------------

class HandIn(Schema):
    leads: list[int] = Field(..., min_length=1, max_length=10_000)
    to: int


class HandOut(Schema):
    handed: int


@router.post("/events/{int:event_id}/leads/hand", response={200: HandOut, **WRITE_ERRORS},
             summary="Hand leads to a sales member of the team, who is notified (O10)")
def leads_hand(request, event_id: int, payload: HandIn):
    event = _event(request, event_id, "change")
    to = User.objects.filter(pk=payload.to).first()
    return {"handed": services.leads_hand_to_sales(event, payload.leads, to=to, by=request.user)}


class RetrospectiveOut(Schema):
    id: int
    event: int = Field(..., alias="event_id")
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
    strengths: str
    weaknesses: str
    overall_value: str
    improvements: str


@router.post("/events/{int:event_id}/retrospective",
             response={200: RetrospectiveOut, 201: RetrospectiveOut, **WRITE_ERRORS},
             summary="Open the event's retrospective, pre-filled with its numbers (O10)")
def retrospective_open(request, event_id: int):
    event = _event(request, event_id)
    gate.check_team(request.user, "add", m.Retrospective, event.team_id)
    existed = m.Retrospective.objects.filter(event=event).exists()
    retro = services.retrospective_open(event, by=request.user)
    return Status(200 if existed else 201, retro)


class SeriesSummaryOut(Schema):
    series: int
    events: int
    budget: Decimal
    actual_spend: Decimal
    registrations: int
    registration_target: int
    attendance: int
    leads: int
    cost_per_lead: Decimal | None


@router.get("/event-series/{int:series_id}/summary", response={200: SeriesSummaryOut, **READ_ERRORS},
            summary="The series retrospective's numbers across its events (O10)")
def series_summary(request, series_id: int):
    series = gate.get_object(m.EventSeries.objects.all(), request.user, "view", pk=series_id)
    s = services.series_summary(series)
    return {"series": series.pk, "events": s.events, "budget": s.budget,
            "actual_spend": s.actual_spend, "registrations": s.registrations,
            "registration_target": s.registration_target, "attendance": s.attendance,
            "leads": s.leads, "cost_per_lead": s.cost_per_lead}


# --- the weekly evaluation meeting (O4, O15) -------------------------------------------------

class DeadlineOut(Schema):
    event: str
    label: str
    due_at: dt.datetime | None


class AgendaOut(Schema):
    team: int
    week_start: dt.date
    since: dt.date
    new: list[EventBrief]
    to_evaluate: list[EventBrief]
    decisions: list[EventBrief]
    starting: list[EventBrief]
    deadlines: list[DeadlineOut]
    markdown: str


@router.get("/agenda", response={200: AgendaOut, **READ_ERRORS},
            summary="The weekly evaluation meeting's agenda for a team and week (O4/O15)")
def agenda(request, team: int, week: dt.date):
    team_obj = _team(request, team)
    gate.check_team(request.user, "view", m.Event, team_obj.pk)
    a = reports.agenda(team_obj, week)
    return {"team": team_obj.pk, "week_start": a.week_start, "since": a.since, "new": a.new,
            "to_evaluate": a.to_evaluate, "decisions": a.decisions, "starting": a.starting,
            "deadlines": [{"event": name, "label": str(d.label), "due_at": d.due_at}
                          for d, name in a.deadlines],
            "markdown": reports.agenda_markdown(a)}
