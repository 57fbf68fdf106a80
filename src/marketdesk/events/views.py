"""HTMX pages of the event pipeline (O3–O10).

Function-based views (STYLE 8): each reads through the permission gate, writes through
events.services, and returns a named partial of its page template when the request comes
from HTMX. A service's ValidationError is shown on the form and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from marketdesk.accounts.models import Team
from marketdesk.core import permissions as gate
from marketdesk.core import services as core_services
from marketdesk.core.services import RecordService
from marketdesk.events import forms as f
from marketdesk.events import models as m
from marketdesk.events import reports, scoring, services

TABS = {
    "overview": gettext_lazy("Overview"),
    "plan": gettext_lazy("Plan"),
    "execution": gettext_lazy("Execution"),
    "registrations": gettext_lazy("Registrations"),
    "onsite": gettext_lazy("On site"),
    "costs": gettext_lazy("Costs"),
    "retrospective": gettext_lazy("Retrospective"),
    "history": gettext_lazy("History"),
}


@dataclass(frozen=True)
class Gated:
    """A model as the ``can`` template tag sees it (without a record at hand)."""

    model: type

    @property
    def gate_rules(self):
        return self.model.gate_rules


# --- shared machinery ------------------------------------------------------------------

def _partial(request) -> bool:
    """An HTMX swap gets the partial; a history restore needs the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _split(form) -> dict:
    """The form's cleaned data as service fields; a foreign key goes as its id."""
    concrete = {fld.name: fld for fld in form._meta.model._meta.concrete_fields}
    fields = {}
    for name, value in form.cleaned_data.items():
        fld = concrete.get(name)
        if fld is None:
            continue
        if fld.is_relation:
            fields[fld.attname] = value.pk if value is not None else None
        else:
            fields[name] = value
    return fields


def _form_page(request, form, *, title, cancel_url, event=None, template="events/form.html",
               extra=None):
    context = {"form": form, "title": title, "cancel_url": cancel_url, "event": event,
               **(extra or {})}
    return render(request, template, context, status=400 if form.is_bound else 200)


def _require(user, action, model) -> None:
    if not gate.can(user, action, model):
        raise PermissionDenied


def _saved(request, obj):
    messages.success(request, _("Saved %(kind)s “%(name)s”.") % {
        "kind": obj._meta.verbose_name, "name": obj})


def _event(request, pk, action="view"):
    return gate.get_object(m.Event.objects.select_related("team", "owner", "series"),
                           request.user, action, pk=pk)


def _tab_url(event, tab):
    return reverse("events:tab", args=[event.pk, tab])


def _delete_page(request, obj, *, service, success_url, cancel_url):
    if request.method == "POST":
        name, kind = str(obj), obj._meta.verbose_name
        try:
            service.delete(obj, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(cancel_url)
        messages.success(request, _("Deleted %(kind)s “%(name)s”.") % {"kind": kind, "name": name})
        return redirect(success_url)
    return render(request, "events/confirm_delete.html", {
        "object": obj, "kind": obj._meta.verbose_name, "cascade": core_services.cascade_counts(obj),
        "cancel_url": cancel_url,
    })


# --- the ranked intake list and the board (O3, O4) ------------------------------------

@login_required
@require_GET
def event_list(request):
    """O4: the ranked list of opportunities (score desc, then start date)."""
    form = f.IntakeFilterForm(request.GET, user=request.user)
    events = gate.restrict(m.Event.objects.select_related("team", "owner"), request.user)
    if form.is_valid():
        data = form.cleaned_data
        events = reports.filter_intake(events, q=data["q"], team=data["team"], stage=data["stage"],
                                       source_channel=data["source_channel"],
                                       event_type=data["event_type"])
    else:
        events = events.none()
    page = Paginator(reports.ranked(events), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "events/event_list.html#results" if _partial(request) else "events/event_list.html"
    return render(request, template, {
        "form": form, "page": page, "query": query.urlencode(), "event_kind": Gated(m.Event),
        "first_rank": page.start_index()})


@login_required
@require_GET
def board(request):
    """The events by SOP stage."""
    team_id = request.GET.get("team", "")
    events = gate.restrict(m.Event.objects.all(), request.user)
    teams = f.user_teams(request.user)
    team = None
    if team_id.isdigit():
        team = teams.filter(pk=team_id).first()
        if team is not None:
            events = events.filter(team=team)
    return render(request, "events/board.html", {
        "columns": reports.board(events), "teams": teams, "team": team,
        "event_kind": Gated(m.Event)})


# --- one event -----------------------------------------------------------------------------

def _run_context(event):
    run = services.run_of(event) or services.latest_run_of(event)
    return {"run": run}


def _tab_context(request, event, tab) -> dict:
    user = request.user
    today = services.team_today(event.team)
    if tab == "overview":
        weights = services.weights_for(event.team_id)
        scores = event.criterion_scores()
        return {
            "criteria": [(c, scores[c.key], weights[c.key]) for c in scoring.CRITERIA],
            "checks": [(c, event.check_answers()[c.key]) for c in scoring.CHECKS],
            "screen_form": f.ScreenForm(initial={"accept": "accept"}),
        }
    if tab == "plan":
        return {"paid_step": m.PaidStep.objects.filter(event=event).first()}
    if tab == "execution":
        return {"tasks": event.tasks.select_related("owner")}
    if tab == "registrations":
        regs = event.registrations.order_by("-day", "channel")
        status = services.curve_status(event, day=min(today, event.start_date))
        series = reports.curve_series(event, today=today)
        return {
            "registrations": regs, "status": status, "today": today,
            "total": services.registration_total(event),
            "curve": series.__dict__ if series else None,
            "registration_form": f.RegistrationForm(user=user, event=event, autofocus=False,
                                                    initial={"day": today}),
        }
    if tab == "onsite":
        return {"nodes": event.key_nodes.select_related("owner")}
    if tab == "costs":
        lines = list(event.cost_lines.all())
        numbers = services.retrospective_numbers(event)
        return {"lines": lines, "numbers": numbers,
                "remaining": (event.budget - numbers.actual_spend) if event.budget is not None
                else None}
    if tab == "retrospective":
        retro = m.Retrospective.objects.filter(event=event).first()
        return {"retro": retro, "numbers": services.retrospective_numbers(event),
                "leads": event.leads.select_related("assigned_to"),
                "series_summary": services.series_summary(event.series) if event.series else None}
    return {}


def _render_event(request, event, tab, extra=None):
    context = {
        "event": event, "tab": tab, "kinds": KINDS,
        "tabs": [(key, label, _tab_url(event, key)) for key, label in TABS.items()],
        **_run_context(event), **_tab_context(request, event, tab), **(extra or {}),
    }
    template = "events/event_detail.html#tabs" if _partial(request) else "events/event_detail.html"
    return render(request, template, context)


@login_required
@require_GET
def event_detail(request, pk, tab="overview"):
    if tab not in TABS:
        raise Http404
    return _render_event(request, _event(request, pk), tab)


@login_required
def event_create(request):
    """O3: a new opportunity from the form."""
    _require(request.user, "add", m.Event)
    form = f.EventForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        gate.check_team(request.user, "add", m.Event, form.team_id())
        fields = _split(form)
        if fields.get("owner_id") is None:
            fields.pop("owner_id")
        try:
            event = services.events.create(by=request.user, **fields)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            _saved(request, event)
            return redirect(event.get_absolute_url())
    return _form_page(request, form, title=_("New event opportunity"),
                      cancel_url=reverse("events:list"),
                      extra={"crumb": (_("Opportunities"), reverse("events:list"))})


@login_required
def event_edit(request, pk):
    event = _event(request, pk, "change")
    form = f.EventForm(request.POST or None, instance=event, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = _split(form)
        if fields.get("owner_id") is None:
            fields.pop("owner_id")
        try:
            saved = services.events.update(event, by=request.user, **fields)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            _saved(request, saved)
            return redirect(saved.get_absolute_url())
    return _form_page(request, form, title=_("Edit event"), event=event,
                      cancel_url=event.get_absolute_url())


@login_required
def event_delete(request, pk):
    event = _event(request, pk, "delete")
    return _delete_page(request, event, service=services.events,
                        success_url=reverse("events:list"), cancel_url=event.get_absolute_url())


@login_required
@require_POST
def event_screen(request, pk):
    """O3 first screening, from the event page (HTMX: the screening box is swapped)."""
    event = _event(request, pk, "change")
    form = f.ScreenForm(request.POST)
    if form.is_valid():
        try:
            event = services.event_screen(event, by=request.user,
                                          accept=form.cleaned_data["accept"],
                                          reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if not _partial(request):
                messages.success(request, _("Screening saved."))
                return redirect(event.get_absolute_url())
            form = f.ScreenForm(initial={"accept": "accept"})
    if not _partial(request):
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return redirect(event.get_absolute_url())
    return render(request, "events/event/_overview.html#screening",
                  {"event": event, "screen_form": form},
                  status=400 if form.errors else 200)


@login_required
def event_evaluate(request, pk):
    """O4: score the six criteria and answer the participation checks."""
    event = _event(request, pk, "change")
    form = f.EvaluationForm(request.POST or None, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_evaluate(event, by=request.user, scores=form.scores(),
                                    checks=form.checks(), note=form.cleaned_data["note"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Evaluation saved."))
            return redirect(event.get_absolute_url())
    weights = services.weights_for(event.team_id)
    return _form_page(request, form, title=_("Evaluate “%(event)s”") % {"event": event},
                      event=event, cancel_url=event.get_absolute_url(),
                      template="events/evaluate.html",
                      extra={"weights": [(c, weights[c.key]) for c in scoring.CRITERIA]})


@login_required
def event_decide(request, pk):
    """O5: the team leader's decisions; taking part starts the event's process."""
    event = _event(request, pk, "decide")
    form = f.DecisionForm(request.POST or None, instance=event, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.event_decide(
                event, by=request.user, decision=data["decision"],
                event_type=data["event_type"], our_role=data["our_role"], free=data["free"],
                heavyweight=data["heavyweight"], important=data["important"],
                high_frequency=data["high_frequency"], priority=data["priority"],
                needs_business_support=data["needs_business_support"],
                note=data["decision_note"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Decision saved."))
            return redirect(event.get_absolute_url())
    return _form_page(request, form, title=_("Decide on “%(event)s”") % {"event": event},
                      event=event, cancel_url=event.get_absolute_url())


SECTIONS = {
    "plan": (f.PlanForm, "plan", gettext_lazy("Event plan")),
    "execution": (f.ExecutionForm, "execution", gettext_lazy("Execution follow-up plan")),
    "warmup": (f.WarmupForm, "registrations", gettext_lazy("Warm-up and registration target")),
    "onsite": (f.OnsiteForm, "onsite", gettext_lazy("On site")),
}


@login_required
def section_edit(request, pk, section):
    """The plan (O7), execution plan (O7), warm-up settings (O8) and on-site (O9) parts."""
    if section not in SECTIONS:
        raise Http404
    form_class, tab, title = SECTIONS[section]
    event = _event(request, pk, "change")
    form = form_class(request.POST or None, instance=event, user=request.user, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            services.events.update(event, by=request.user, **_split(form))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(_tab_url(event, tab))
    return _form_page(request, form, title=title, event=event, cancel_url=_tab_url(event, tab))


# --- records of an event ---------------------------------------------------------------------

@dataclass(frozen=True)
class ChildKind:
    model: type
    form: type
    service: RecordService
    tab: str

    @property
    def gate_rules(self):
        return self.model.gate_rules


KINDS = {
    "costs": ChildKind(m.CostLine, f.CostLineForm, services.cost_lines, "costs"),
    "tasks": ChildKind(m.ExecutionTask, f.TaskForm, services.tasks, "execution"),
    "nodes": ChildKind(m.KeyNode, f.KeyNodeForm, services.key_nodes, "onsite"),
    "leads": ChildKind(m.Lead, f.LeadForm, services.leads, "retrospective"),
    "registrations": ChildKind(m.RegistrationCount, f.RegistrationForm, services.registrations,
                               "registrations"),
}


def _kind(kind) -> ChildKind:
    spec = KINDS.get(kind)
    if spec is None:
        raise Http404
    return spec


def _save_child(request, spec, event, form, obj=None):
    fields = _split(form)
    if spec.model is m.RegistrationCount and obj is None:
        # O8: one count per day and channel; entering it again corrects it.
        return services.registration_set(event, by=request.user, **fields)
    if obj is None:
        return spec.service.create(by=request.user, event=event, **fields)
    return spec.service.update(obj, by=request.user, **fields)


@login_required
def child_create(request, pk, kind):
    spec = _kind(kind)
    event = _event(request, pk)
    gate.check_team(request.user, "add", spec.model, event.team_id)
    form = spec.form(request.POST or None, user=request.user, event=event,
                     instance=spec.model(event=event))
    back = _tab_url(event, spec.tab)
    if request.method == "POST" and form.is_valid():
        try:
            obj = _save_child(request, spec, event, form)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            _saved(request, obj)
            return redirect(back)
    title = _("New %(kind)s") % {"kind": spec.model._meta.verbose_name}
    return _form_page(request, form, title=title, event=event, cancel_url=back)


def _child(request, spec, event, child_id, action):
    return gate.get_object(spec.model.objects.all(), request.user, action, pk=child_id,
                           event=event)


@login_required
def child_edit(request, pk, kind, child_id):
    spec = _kind(kind)
    event = _event(request, pk)
    obj = _child(request, spec, event, child_id, "change")
    form = spec.form(request.POST or None, user=request.user, event=event, instance=obj)
    back = _tab_url(event, spec.tab)
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save_child(request, spec, event, form, obj)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            _saved(request, saved)
            return redirect(back)
    title = _("Edit %(kind)s") % {"kind": spec.model._meta.verbose_name}
    return _form_page(request, form, title=title, event=event, cancel_url=back)


@login_required
def child_delete(request, pk, kind, child_id):
    spec = _kind(kind)
    event = _event(request, pk)
    obj = _child(request, spec, event, child_id, "delete")
    back = _tab_url(event, spec.tab)
    return _delete_page(request, obj, service=spec.service, success_url=back, cancel_url=back)


@login_required
def paid_step_edit(request, pk):
    """O6: the paid path — negotiation notes, confirmed price, contract, payment."""
    event = _event(request, pk)
    step = m.PaidStep.objects.filter(event=event).first()
    if step is None:
        gate.check_team(request.user, "add", m.PaidStep, event.team_id)
    else:
        gate.check(request.user, "change", step)
    form = f.PaidStepForm(request.POST or None, user=request.user, event=event,
                          instance=step or m.PaidStep(event=event))
    back = _tab_url(event, "plan")
    if request.method == "POST" and form.is_valid():
        try:
            if step is None:
                saved = services.paid_steps.create(by=request.user, event=event, **_split(form))
            else:
                saved = services.paid_steps.update(step, by=request.user, **_split(form))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            _saved(request, saved)
            return redirect(back)
    return _form_page(request, form, title=_("Paid event: rights, contract and payment"),
                      event=event, cancel_url=back)


# --- warm-up (O8) ----------------------------------------------------------------------------

@login_required
@require_POST
def registration_add(request, pk):
    """Enter one day's registrations of one channel from the registrations tab (HTMX)."""
    event = _event(request, pk)
    gate.check_team(request.user, "add", m.RegistrationCount, event.team_id)
    form = f.RegistrationForm(request.POST, user=request.user, event=event, autofocus=False)
    if form.is_valid():
        try:
            services.registration_set(event, by=request.user, **_split(form))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if not _partial(request):
                messages.success(request, _("Registrations saved."))
                return redirect(_tab_url(event, "registrations"))
            return _render_event(request, event, "registrations")
    if not _partial(request):
        return _form_page(request, form, title=_("Enter registrations"), event=event,
                          cancel_url=_tab_url(event, "registrations"))
    response = _render_event(request, event, "registrations", {"registration_form": form})
    response.status_code = 400
    return response


def _report_day(request, event) -> dt.date:
    form = f.DayForm(request.GET)
    if request.GET.get("day") and form.is_valid():
        return form.cleaned_data["day"]
    return min(services.team_today(event.team), event.end_date)


@login_required
@require_GET
def daily_report(request, pk):
    """O8: the daily effect report of a major event (registrations per channel)."""
    event = _event(request, pk)
    day = _report_day(request, event)
    report = reports.daily_report(event, day)
    return render(request, "events/daily_report.html", {
        "event": event, "report": report, "day_form": f.DayForm(initial={"day": day})})


@login_required
@require_GET
def daily_report_markdown(request, pk):
    event = _event(request, pk)
    report = reports.daily_report(event, _report_day(request, event))
    response = HttpResponse(reports.daily_report_markdown(report),
                            content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="event-{event.pk}-daily-{report.day.isoformat()}.md"')
    return response


# --- leads and the retrospective (O10) -------------------------------------------------------

@login_required
def leads_hand(request, pk):
    event = _event(request, pk)
    gate.check(request.user, "change", event)
    form = f.HandToSalesForm(request.POST or None, event=event)
    back = _tab_url(event, "retrospective")
    if request.method == "POST" and form.is_valid():
        try:
            n = services.leads_hand_to_sales(event, [lead.pk for lead in form.cleaned_data["leads"]],
                                             to=form.cleaned_data["to"], by=request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("%(n)s leads handed to %(who)s.") % {
                "n": n, "who": form.cleaned_data["to"]})
            return redirect(back)
    return _form_page(request, form, title=_("Hand leads to sales"), event=event,
                      cancel_url=back)


@login_required
@require_POST
def retrospective_open(request, pk):
    event = _event(request, pk)
    gate.check_team(request.user, "add", m.Retrospective, event.team_id)
    services.retrospective_open(event, by=request.user)
    messages.success(request, _("The retrospective is open, with the event's numbers."))
    return redirect(_tab_url(event, "retrospective"))


@login_required
@require_POST
def retrospective_refresh(request, pk):
    event = _event(request, pk)
    retro = gate.get_object(m.Retrospective.objects.all(), request.user, "change", event=event)
    services.retrospective_refresh(retro, by=request.user)
    messages.success(request, _("The numbers were taken again."))
    return redirect(_tab_url(event, "retrospective"))


@login_required
def retrospective_edit(request, pk):
    event = _event(request, pk)
    retro = gate.get_object(m.Retrospective.objects.all(), request.user, "change", event=event)
    form = f.RetrospectiveForm(request.POST or None, instance=retro, user=request.user,
                               event=event)
    back = _tab_url(event, "retrospective")
    if request.method == "POST" and form.is_valid():
        try:
            services.retrospective_update(retro, by=request.user, **_split(form))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Retrospective saved."))
            return redirect(back)
    return _form_page(request, form, title=_("Retrospective"), event=event, cancel_url=back)


# --- imports (O3, O8, O10) -------------------------------------------------------------------

IMPORT_KINDS = {
    "leads": (services.import_leads, m.Lead, "retrospective", gettext_lazy("Import leads")),
    "registrations": (services.import_registrations, m.RegistrationCount, "registrations",
                      gettext_lazy("Import registrations")),
}


def _columns(kind):
    from marketdesk.events import imports  # noqa: PLC0415

    return {"events": imports.event_columns(m.Event), "leads": imports.lead_columns(),
            "registrations": imports.registration_columns()}[kind]


def _import_page(request, *, form, result, title, kind, event=None, back):
    status = 200
    if result is not None and result.refused:
        status = 422
    elif form.is_bound and form.errors:
        status = 400
    return render(request, "events/import.html", {
        "form": form, "result": result, "title": title, "event": event,
        "columns": _columns(kind), "cancel_url": back,
        "history": (m.ImportBatch.objects.filter(event=event) if event is not None else
                    gate.scope(m.ImportBatch.objects.filter(kind="events"), request.user))
        .select_related("created_by")[:10],
    }, status=status)


@login_required
def import_events(request):
    """O3: opportunities from a CSV/XLSX file, all-or-nothing unless bad rows are skipped."""
    _require(request.user, "add", m.Event)
    form = f.ImportForm(request.POST or None, request.FILES or None, user=request.user,
                        with_team=True)
    result = None
    if request.method == "POST" and form.is_valid():
        team = form.cleaned_data["team"]
        gate.check_team(request.user, "add", m.Event, team.pk)
        upload = form.cleaned_data["file"]
        result = services.import_events(team=team, by=request.user, data=upload.read(),
                                        filename=upload.name,
                                        skip_bad_rows=form.cleaned_data["skip_bad_rows"])
        if not result.refused:
            messages.success(request, _("%(n)s opportunities imported.") % {"n": result.written})
    return _import_page(request, form=form, result=result, kind="events",
                        title=_("Import event opportunities"), back=reverse("events:list"))


@login_required
def import_for_event(request, pk, kind):
    if kind not in IMPORT_KINDS:
        raise Http404
    run_import, model, tab, title = IMPORT_KINDS[kind]
    event = _event(request, pk)
    gate.check_team(request.user, "add", model, event.team_id)
    form = f.ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = run_import(event, by=request.user, data=upload.read(), filename=upload.name,
                            skip_bad_rows=form.cleaned_data["skip_bad_rows"])
        if not result.refused:
            messages.success(request, _("%(n)s rows imported.") % {"n": result.written})
    return _import_page(request, form=form, result=result, kind=kind, title=title, event=event,
                        back=_tab_url(event, tab))


# --- the weekly evaluation meeting (O4, O15) --------------------------------------------------

def _agenda(request):
    _require(request.user, "view", m.Event)
    form = f.WeekForm(request.GET or None, user=request.user)
    if request.GET and form.is_valid():
        team, week = form.cleaned_data["team"], form.cleaned_data["week"]
    else:
        # By default the next meeting: this Monday, or the coming one (O4 weekly on Mondays).
        teams = f.user_teams(request.user)
        team = teams.first()
        today = services.team_today(team) if team else dt.date.today()
        week = today + dt.timedelta(days=(7 - today.weekday()) % 7)
        form = f.WeekForm(initial={"team": team.pk if team else None, "week": week},
                          user=request.user)
    if team is None:
        raise Http404
    gate.check_team(request.user, "view", m.Event, team.pk)
    return form, reports.agenda(team, week)


@login_required
@require_GET
def agenda(request):
    form, data = _agenda(request)
    template = "events/agenda.html#agenda" if _partial(request) else "events/agenda.html"
    return render(request, template, {"form": form, "agenda": data})


@login_required
@require_GET
def agenda_markdown(request):
    _form, data = _agenda(request)
    response = HttpResponse(reports.agenda_markdown(data), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="evaluation-meeting-{data.team.slug}-{data.week_start.isoformat()}.md"')
    return response


# --- scoring weights (O4) --------------------------------------------------------------------

@login_required
def weights(request, team_id):
    team = Team.objects.filter(pk=team_id).first()
    if team is None or not gate.in_scope(request.user, team.pk):
        raise Http404
    row = m.TeamScoringWeights.objects.filter(team=team).first()
    if request.method == "POST" and not gate.can(request.user, "change", m.TeamScoringWeights):
        raise PermissionDenied
    form = f.WeightsForm(request.POST or None, user=request.user,
                         instance=row or m.TeamScoringWeights(team=team))
    if request.method == "POST" and form.is_valid():
        try:
            services.weights_set(team, by=request.user, **{
                k: form.cleaned_data[k] for k in scoring.CRITERION_KEYS})
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Weights saved; the team's evaluated events are scored "
                                        "again."))
            return redirect(reverse("events:list") + f"?team={team.pk}")
    may_change = gate.can(request.user, "change", m.TeamScoringWeights)
    if not may_change:
        for field in form.fields.values():
            field.disabled = True
    return _form_page(request, form, title=_("Scoring weights of %(team)s") % {"team": team},
                      cancel_url=reverse("events:list"), template="events/weights.html",
                      extra={"may_change": may_change, "team": team,
                             "crumb": (_("Opportunities"), reverse("events:list"))})


# --- series (O10) ----------------------------------------------------------------------------

@login_required
@require_GET
def series_list(request):
    series = gate.restrict(m.EventSeries.objects.select_related("team"), request.user)
    return render(request, "events/series_list.html", {
        "series": series, "series_kind": Gated(m.EventSeries)})


def _series(request, pk, action="view"):
    return gate.get_object(m.EventSeries.objects.select_related("team"), request.user, action,
                           pk=pk)


@login_required
@require_GET
def series_detail(request, pk):
    series = _series(request, pk)
    retro = m.SeriesRetrospective.objects.filter(series=series).first()
    return render(request, "events/series_detail.html", {
        "series": series, "summary": services.series_summary(series), "retro": retro})


@login_required
def series_create(request):
    _require(request.user, "add", m.EventSeries)
    form = f.SeriesForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        gate.check_team(request.user, "add", m.EventSeries, form.team_id())
        try:
            series = services.series.create(by=request.user, **_split(form))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            _saved(request, series)
            return redirect(series.get_absolute_url())
    return _form_page(request, form, title=_("New event series"),
                      cancel_url=reverse("events:series_list"),
                      extra={"crumb": (_("Series"), reverse("events:series_list"))})


@login_required
def series_edit(request, pk):
    series = _series(request, pk, "change")
    form = f.SeriesForm(request.POST or None, instance=series, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.series.update(series, by=request.user, **_split(form))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            _saved(request, saved)
            return redirect(saved.get_absolute_url())
    return _form_page(request, form, title=_("Edit event series"),
                      cancel_url=series.get_absolute_url(),
                      extra={"crumb": (_("Series"), reverse("events:series_list"))})


@login_required
def series_retrospective_edit(request, pk):
    """O10: the retrospective of the whole series (系列活动复盘)."""
    series = _series(request, pk)
    retro = m.SeriesRetrospective.objects.filter(series=series).first()
    if retro is None:
        gate.check_team(request.user, "add", m.SeriesRetrospective, series.team_id)
    else:
        gate.check(request.user, "change", retro)
    form = f.SeriesRetrospectiveForm(request.POST or None, user=request.user,
                                     instance=retro or m.SeriesRetrospective(series=series))
    if request.method == "POST" and form.is_valid():
        try:
            if retro is None:
                services.series_retrospectives.create(by=request.user, series=series,
                                                      **_split(form))
            else:
                services.series_retrospectives.update(retro, by=request.user, **_split(form))
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Series retrospective saved."))
            return redirect(series.get_absolute_url())
    return _form_page(request, form, title=_("Series retrospective"),
                      cancel_url=series.get_absolute_url(),
                      extra={"crumb": (_("Series"), reverse("events:series_list"))})
