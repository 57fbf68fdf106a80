"""Read models of the event pipeline: the ranked intake list (O4), the board by stage,
the weekly evaluation meeting agenda (O4/O15 周会活动评估), the registration curve and
the daily effect report of major events (O8) — as frozen dataclasses, with Markdown
exports. Callers pass querysets already scoped by the permission gate.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from marketdesk.accounts.models import Team
from marketdesk.events import curve, services
from marketdesk.events import models as m

CARDS_PER_COLUMN = 30


# --- the ranked intake list (O4) -----------------------------------------------------------

def ranked(qs: QuerySet) -> QuerySet:
    """Score (highest first; not yet evaluated last), then start date, then id."""
    return qs.order_by(F("score").desc(nulls_last=True), "start_date", "id")


def filter_intake(qs: QuerySet, *, q="", team=None, stage="", source_channel="",
                  event_type="") -> QuerySet:
    E = m.Event
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(organiser__icontains=q) | Q(city__icontains=q))
    if team is not None:
        qs = qs.filter(team=team)
    if source_channel:
        qs = qs.filter(source_channel=source_channel)
    if event_type:
        qs = qs.filter(event_type=event_type)
    if stage == "new":
        qs = qs.filter(screening=E.Screening.NEW)
    elif stage == "to_evaluate":
        qs = qs.filter(screening=E.Screening.ACCEPTED, score__isnull=True,
                       decision=E.Decision.PENDING)
    elif stage == "undecided":
        qs = qs.filter(screening=E.Screening.ACCEPTED, score__isnull=False,
                       decision=E.Decision.PENDING)
    elif stage == "go":
        qs = qs.filter(decision=E.Decision.GO)
    elif stage == "declined":
        qs = qs.filter(Q(screening=E.Screening.REJECTED) | Q(decision=E.Decision.NO_GO))
    else:
        qs = qs.exclude(screening=E.Screening.REJECTED).exclude(decision=E.Decision.NO_GO)
    return qs


# --- the board by stage --------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    key: str
    label: str
    rule: str
    cards: list
    count: int


def _event_definitions():
    """The latest built-in event definitions (exhibition, summit, salon, livestream)."""
    from marketdesk.sop.models import ProcessDefinition  # noqa: PLC0415

    latest = {}
    for pd in ProcessDefinition.objects.filter(
            key__in=[f"event-{t}" for t in m.Event.Type.values], team__isnull=True,
            is_active=True).order_by("key", "-version"):
        latest.setdefault(pd.key, pd)
    return [latest[k] for k in sorted(latest)]


def stage_columns() -> list[tuple[str, str, str]]:
    """(key, label, rule) of every stage of the event processes, in process order."""
    order: list[str] = []
    labels: dict[str, tuple[str, str]] = {}
    for pd in _event_definitions():
        previous = None
        for stage in pd.parsed.stages:
            if stage.key not in labels:
                labels[stage.key] = (str(stage.label), stage.rule)
                at = order.index(previous) + 1 if previous in order else len(order)
                order.insert(at, stage.key)
            previous = stage.key
    return [(k, labels[k][0], labels[k][1]) for k in order]


def board(events: QuerySet, *, limit: int = CARDS_PER_COLUMN) -> list[Column]:
    """Columns = the SOP stages; cards = events. An opportunity not yet decided sits in
    the intake column (to screen) or the evaluation column (accepted); a decided event
    in its run's stage; a finished run in the last column. Rejected and declined
    opportunities are not on the board."""
    from marketdesk.sop.models import ProcessRun  # noqa: PLC0415

    E = m.Event
    events = events.exclude(screening=E.Screening.REJECTED).exclude(decision=E.Decision.NO_GO)
    base = events.select_related("team", "owner")
    columns = stage_columns()
    cards: dict[str, list] = {key: [] for key, _l, _r in columns}
    counts: dict[str, int] = dict.fromkeys(cards, 0)
    undecided = {
        services.INTAKE_STAGE: base.filter(screening=E.Screening.NEW, decision=E.Decision.PENDING),
        services.EVALUATION_STAGE: base.filter(screening=E.Screening.ACCEPTED,
                                               decision=E.Decision.PENDING),
    }
    for key, qs in undecided.items():
        if key in cards:
            counts[key] = qs.count()
            cards[key] = list(ranked(qs)[:limit])
    going = list(base.filter(decision=E.Decision.GO).order_by("start_date", "id"))
    ct = ContentType.objects.get_for_model(E)
    runs: dict[int, ProcessRun] = {}
    for run in (ProcessRun.objects.filter(content_type=ct, object_id__in=[e.pk for e in going])
                .exclude(status=ProcessRun.Status.CANCELLED).order_by("started_at", "id")):
        runs[run.object_id] = run  # the latest run of each event wins
    done: list = []
    for event in going:
        run = runs.get(event.pk)
        if run is None:
            continue
        if run.status == ProcessRun.Status.COMPLETED:
            done.append(event)
        elif run.stage in cards:
            counts[run.stage] += 1
            if len(cards[run.stage]) < limit:
                cards[run.stage].append(event)
    result = [Column(key, label, rule, cards[key], counts[key]) for key, label, rule in columns]
    result.append(Column("done", _("Complete"), "O10", done[-limit:][::-1], len(done)))
    return result


# --- the weekly evaluation meeting (O4, O15) ---------------------------------------------

@dataclass(frozen=True)
class Agenda:
    team: Team
    week_start: dt.date  # the meeting's Monday
    since: dt.date  # opportunities received from this day (the previous meeting's Monday)
    new: list  # received since the last meeting, ranked
    to_evaluate: list  # accepted, not yet scored
    decisions: list  # evaluated, no decision yet, ranked
    starting: list  # decided events that start within the next four weeks
    deadlines: list  # open SOP deadlines of the team's events due within two weeks


AGENDA_HORIZON = dt.timedelta(days=14)
STARTING_HORIZON = dt.timedelta(days=28)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def agenda(team: Team, week: dt.date) -> Agenda:
    """The agenda of the weekly evaluation meeting of ``team`` in the week of ``week``:
    new opportunities received in the seven days before the meeting's Monday (team local
    time), ranked; accepted ones still to evaluate; evaluated ones awaiting a decision,
    ranked; decided events starting within four weeks; and the open SOP deadlines of
    the team's events due within two weeks of the Monday."""
    from marketdesk.sop.models import Deadline, ProcessRun  # noqa: PLC0415

    E = m.Event
    zone = zoneinfo.ZoneInfo(team.time_zone)
    monday = monday_of(week)
    since = monday - dt.timedelta(days=7)
    start_at = dt.datetime.combine(since, dt.time.min, tzinfo=zone)
    end_at = dt.datetime.combine(monday, dt.time.min, tzinfo=zone)
    events = E.objects.filter(team=team).select_related("owner")
    new = list(ranked(events.filter(created_at__gte=start_at, created_at__lt=end_at)
                      .exclude(screening=E.Screening.REJECTED)))
    to_evaluate = list(events.filter(screening=E.Screening.ACCEPTED, score__isnull=True,
                                     decision=E.Decision.PENDING, end_date__gte=monday)
                       .order_by("start_date", "id"))
    decisions = list(ranked(events.filter(screening=E.Screening.ACCEPTED, score__isnull=False,
                                          decision=E.Decision.PENDING, end_date__gte=monday)))
    starting = list(events.filter(decision=E.Decision.GO, start_date__gte=monday,
                                  start_date__lt=monday + STARTING_HORIZON)
                    .order_by("start_date", "id"))
    ct = ContentType.objects.get_for_model(E)
    deadline_rows = list(
        Deadline.objects.filter(run__team=team, run__content_type=ct,
                                run__status=ProcessRun.Status.ACTIVE, done_at__isnull=True,
                                due_at__lt=dt.datetime.combine(monday + AGENDA_HORIZON,
                                                               dt.time.min, tzinfo=zone))
        .select_related("run").order_by("due_at", "position", "id"))
    names = dict(E.objects.filter(pk__in={d.run.object_id for d in deadline_rows})
                 .values_list("pk", "name"))
    deadlines = [(d, names.get(d.run.object_id, "")) for d in deadline_rows]
    return Agenda(team=team, week_start=monday, since=since, new=new, to_evaluate=to_evaluate,
                  decisions=decisions, starting=starting, deadlines=deadlines)


def _md(text) -> str:
    """A table cell: no pipes or line breaks."""
    return str(text or "").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _score(event) -> str:
    return f"{event.score}" if event.score is not None else "—"


def agenda_markdown(a: Agenda) -> str:
    zone = zoneinfo.ZoneInfo(a.team.time_zone)
    lines = [
        "# " + _("Weekly event evaluation — %(team)s, week of %(day)s") % {
            "team": a.team.name, "day": a.week_start.isoformat()},
        "",
        _("Opportunities received %(since)s – %(until)s; ranked by score, then start date.") % {
            "since": a.since.isoformat(),
            "until": (a.week_start - dt.timedelta(days=1)).isoformat()},
        "",
    ]

    def table(title: str, rows: list, empty: str) -> None:
        lines.extend([f"## {title} ({len(rows)})", ""])
        if not rows:
            lines.extend([empty, ""])
            return
        lines.append("| # | " + " | ".join([_("Event"), _("Score"), _("Start"), _("City"),
                                             _("Organiser"), _("Source"), _("Screening")]) + " |")
        lines.append("|---|" + "---|" * 7)
        for i, e in enumerate(rows, start=1):
            lines.append(f"| {i} | " + " | ".join(_md(v) for v in (
                e.name, _score(e), e.start_date.isoformat(), e.city, e.organiser,
                e.get_source_channel_display(), e.get_screening_display())) + " |")
        lines.append("")

    table(_("New opportunities since the last meeting"), a.new, _("None."))
    table(_("Accepted, still to evaluate"), a.to_evaluate, _("None."))
    table(_("Decisions needed"), a.decisions, _("None."))
    lines.extend([f"## {_('Events starting in the next four weeks')} ({len(a.starting)})", ""])
    if a.starting:
        for e in a.starting:
            lines.append(f"- {e.start_date.isoformat()} · {_md(e.name)} · "
                         f"{_md(e.get_event_type_display())} · {e.priority}")
    else:
        lines.append(_("None."))
    lines.append("")
    lines.extend([f"## {_('Deadlines in the next two weeks')} ({len(a.deadlines)})", ""])
    if a.deadlines:
        for d, name in a.deadlines:
            due = d.due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if d.due_at else "—"
            lines.append(f"- {due} · {_md(name)} · {_md(d.label)}")
    else:
        lines.append(_("None."))
    return "\n".join(lines).rstrip("\n") + "\n"


# --- registrations and the daily effect report (O8) ----------------------------------------

@dataclass(frozen=True)
class ChannelLine:
    channel: str
    today: int
    cumulative: int


@dataclass(frozen=True)
class DailyReport:
    event: m.Event
    day: dt.date
    lines: list[ChannelLine]
    total_today: int
    total_cumulative: int
    target: int | None
    percent_of_target: Decimal | None
    status: curve.CurveStatus | None


def daily_report(event: m.Event, day: dt.date) -> DailyReport:
    """O8: per channel, the registrations of ``day`` and the cumulative count up to it,
    against the target and the expected curve."""
    rows = (event.registrations.filter(day__lte=day).values("channel")
            .annotate(cumulative=Sum("count"), today=Sum("count", filter=Q(day=day)))
            .order_by("channel"))
    lines = [ChannelLine(r["channel"], r["today"] or 0, r["cumulative"] or 0) for r in rows]
    lines.sort(key=lambda line: (-line.cumulative, line.channel))
    total = sum(line.cumulative for line in lines)
    target = event.registration_target
    percent = (Decimal(total * 100) / target).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) \
        if target else None
    return DailyReport(event=event, day=day, lines=lines,
                       total_today=sum(line.today for line in lines), total_cumulative=total,
                       target=target, percent_of_target=percent,
                       status=services.curve_status(event, day=day))


def daily_report_markdown(r: DailyReport) -> str:
    e = r.event
    lines = [
        "# " + _("Daily effect report — %(event)s, %(day)s") % {"event": e.name,
                                                                 "day": r.day.isoformat()},
        "",
        _("Event on %(start)s · %(type)s · %(priority)s") % {
            "start": e.start_date.isoformat(), "type": e.get_event_type_display() or "—",
            "priority": e.priority},
        "",
        "| " + " | ".join([_("Channel"), _("Today"), _("Cumulative")]) + " |",
        "|---|---:|---:|",
    ]
    for line in r.lines:
        lines.append(f"| {_md(line.channel)} | {line.today} | {line.cumulative} |")
    lines.append(f"| **{_('Total')}** | **{r.total_today}** | **{r.total_cumulative}** |")
    lines.append("")
    if r.target:
        lines.append(_("Target: %(target)s registrations — %(pct)s%% reached.") % {
            "target": r.target, "pct": r.percent_of_target})
    if r.status is not None:
        lines.append(_("Expected by the curve today: %(expected)s (alert below %(floor)s).") % {
            "expected": r.status.expected, "floor": r.status.floor})
        lines.append(_("Below the curve: step up the publicity plan.") if r.status.below
                     else _("Within the normal growth range."))
    return "\n".join(lines).rstrip("\n") + "\n"


@dataclass(frozen=True)
class CurveSeries:
    days: list[str]
    expected: list[float]
    actual: list[int | None]
    floor: list[float]


def curve_series(event: m.Event, *, today: dt.date) -> CurveSeries | None:
    """The expected curve, its tolerance floor and the actual cumulative registrations
    per warm-up day (actual up to ``today`` only), for the chart."""
    if not event.registration_target:
        return None
    points = curve.curve(event.registration_target, event.effective_warmup_start(),
                         event.start_date, event.curve_exponent)
    per_day = dict(event.registrations.values_list("day").annotate(n=Sum("count"))
                   .values_list("day", "n"))
    before = sum(n for d, n in per_day.items() if d < points[0].day) if points else 0
    running = before
    actual: list[int | None] = []
    for p in points:
        running += per_day.get(p.day, 0)
        actual.append(running if p.day <= today else None)
    tolerance = 1 - Decimal(event.curve_tolerance) / 100
    return CurveSeries(days=[p.day.isoformat() for p in points],
                       expected=[float(p.expected) for p in points], actual=actual,
                       floor=[float((p.expected * tolerance).quantize(Decimal("0.01")))
                              for p in points])
