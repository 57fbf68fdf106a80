"""Pages of the SOP engine: process definitions (list, detail with the flowchart, the
team copy editor), the review inbox, and the run actions (review, advance, tick) that the
item pages embed through the ``sop/_review_panel.html`` and ``sop/_timeline.html`` partials
(``{% load sop %}{% sop_review_panel run %}{% sop_timeline run %}``).

Function-based views (STYLE 8): read through the permission gate, write through
sop.services, and answer HTMX requests with the refreshed panel.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from marketdesk.core import permissions as gate
from marketdesk.sop import forms as f
from marketdesk.sop import services
from marketdesk.sop.definitions import RULE_TITLES, DefinitionError, split_rules
from marketdesk.sop.models import ProcessDefinition, ProcessRun
from marketdesk.sop.templatetags.sop import review_panel_context, timeline_context


def _visible_definitions(user):
    """Built-in definitions and the team copies inside the user's scope."""
    copies = gate.scope(ProcessDefinition.objects.filter(team__isnull=False), user)
    return ProcessDefinition.objects.filter(team__isnull=True) | copies


def _get_definition(user, pk) -> ProcessDefinition:
    """A built-in definition (everyone's), or a team copy inside the user's scope (404
    outside it); the gate's scope alone would hide the built-ins, which have no team."""
    gate.restrict(ProcessDefinition.objects.all(), user, "view")
    try:
        return _visible_definitions(user).select_related("team", "created_by").get(pk=pk)
    except ProcessDefinition.DoesNotExist:
        raise Http404 from None


@login_required
@require_GET
def definition_list(request):
    gate.restrict(ProcessDefinition.objects.all(), request.user, "view")
    definitions = (_visible_definitions(request.user).select_related("team")
                   .annotate(run_count=Count("runs")).order_by("key", "team__name", "-version"))
    latest = {}
    for row in (_visible_definitions(request.user).values("key", "team_id")
                .annotate(latest=Max("version"))):
        latest[(row["key"], row["team_id"])] = row["latest"]
    builtin, copies = [], []
    for definition in definitions:
        definition.is_latest = latest.get((definition.key, definition.team_id)) == definition.version
        (builtin if definition.is_builtin else copies).append(definition)
    return render(request, "sop/definition_list.html", {
        "builtin": builtin, "copies": copies,
        "may_edit": f.editable_teams(request.user).exists(),
    })


def _rules_cited(parsed):
    return [(rule, RULE_TITLES.get(rule, "")) for rule in parsed.rules()]


@login_required
@require_GET
def definition_detail(request, pk):
    definition = _get_definition(request.user, pk)
    parsed = definition.parsed
    versions = (_visible_definitions(request.user).filter(key=definition.key)
                .select_related("team").order_by("team__name", "-version"))
    editable = list(f.editable_teams(request.user))
    in_use = []
    for team in editable:
        try:
            current = services.definition_for(definition.key, team)
        except ProcessDefinition.DoesNotExist:
            continue
        in_use.append((team, current))
    return render(request, "sop/definition_detail.html", {
        "definition": definition,
        "parsed": parsed,
        "flowchart": mark_safe(services.flowchart_svg(definition)),  # noqa: S308 — every text escaped
        "rules": _rules_cited(parsed),
        "versions": versions,
        "editable_teams": editable,
        "in_use": in_use,
        "split_rules": split_rules,
    })


@login_required
@require_GET
def definition_flowchart(request, pk):
    definition = _get_definition(request.user, pk)
    response = HttpResponse(services.flowchart_svg(definition), content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{definition.key}-v{definition.version}.svg"'
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@login_required
def definition_edit(request, pk):
    """The team copy editor: edit the YAML, see every problem with its line and key, save a
    new version of the team's copy."""
    source = _get_definition(request.user, pk)
    teams = f.editable_teams(request.user)
    if not teams.exists():
        raise PermissionDenied
    problems = []
    if request.method == "POST":
        form = f.DefinitionCopyForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                saved, created = services.definition_save_copy(
                    source, team=form.cleaned_data["team"], yaml_text=form.cleaned_data["yaml_text"],
                    by=request.user)
            except DefinitionError as exc:
                problems = exc.problems
                form.add_error("yaml_text", _("The definition has %(n)s problem(s); see the list below.")
                               % {"n": len(problems)})
            else:
                if created:
                    messages.success(request, _("Saved as version %(v)s of %(team)s's copy. New items follow it; "
                                                "running items keep their version.")
                                     % {"v": saved.version, "team": saved.team})
                else:
                    messages.info(request, _("Nothing changed: the text gives the same process as version %(v)s.")
                                  % {"v": saved.version})
                return redirect(saved)
    else:
        initial_team = request.GET.get("team") or (source.team_id if source.team_id else None)
        if initial_team is None and teams.count() == 1:
            initial_team = teams.first().pk
        form = f.DefinitionCopyForm(initial={"team": initial_team, "yaml_text": source.yaml_text},
                                    user=request.user)
    return render(request, "sop/definition_edit.html", {
        "source": source, "form": form, "problems": problems,
    })


@login_required
@require_POST
def definition_use_builtin(request, pk):
    definition = _get_definition(request.user, pk)
    if definition.team_id is None:
        raise PermissionDenied
    count = services.definition_use_builtin(team=definition.team_id, key=definition.key, by=request.user)
    messages.success(request, _("%(team)s now follows the built-in definition (%(n)s copy version(s) switched off).")
                     % {"team": definition.team, "n": count})
    builtin = services.definition_for(definition.key, None)
    return redirect(builtin)


@login_required
@require_GET
def review_inbox(request):
    reviews = list(services.pending_reviews_for(request.user))
    rows = []
    for review in reviews:
        run = review.run
        item = run.item
        deadline = run.deadlines.filter(key=f"{review.stage}.review.{review.step}").first()
        rows.append({"review": review, "run": run, "item": item,
                     "url": item.get_absolute_url() if hasattr(item, "get_absolute_url") else "",
                     "deadline": deadline})
    return render(request, "sop/review_inbox.html", {"rows": rows})


# --- run actions (posted from the partials on item pages) ------------------------------

def _run(request, pk) -> ProcessRun:
    return gate.get_object(ProcessRun.objects.select_related("definition", "team"), request.user, "view", pk=pk)


def _back(request, run) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    item = run.item
    if item is not None and hasattr(item, "get_absolute_url"):
        return item.get_absolute_url()
    return reverse("sop:review_inbox")


def _respond(request, run, *, ok: str | None = None, error: str | None = None, details=(),
             level: str = "danger"):
    """HTMX: the refreshed panel (and the timeline, out of band) with the outcome inline.
    Otherwise: a message and a redirect back to the item."""
    if request.htmx:
        context = review_panel_context(request, run)
        context.update({"notice": ok or error, "notice_level": "success" if ok else level,
                        "notice_details": list(details), "next": _back(request, run)})
        context["timeline_oob"] = timeline_context(request, run)
        return render(request, "sop/_panel_response.html", context)
    if ok:
        messages.success(request, ok)
    else:
        text = error if not details else f"{error} {'; '.join(details)}"
        (messages.warning if level == "warning" else messages.error)(request, text)
    return redirect(_back(request, run))


def _refused(request, run, exc):
    if isinstance(exc, services.ConcurrentChange):
        return _respond(request, run, error=exc.message, level="warning")
    return _respond(request, run, error=exc.reason, details=exc.details)


@login_required
@require_POST
def review(request, pk):
    run = _run(request, pk)
    form = f.ReviewForm(request.POST)
    if not form.is_valid():
        return _respond(request, run, error=_("The review form is incomplete; reload the page."))
    try:
        done = services.run_review(run, decision=form.cleaned_data["decision"], by=request.user,
                                   comment=form.cleaned_data["comment"],
                                   expected_version=form.cleaned_data["expected_version"])
    except (services.TransitionRefused, services.ConcurrentChange) as exc:
        return _refused(request, run, exc)
    if done.decision == "approved":
        ok = _("Approved: %(step)s.") % {"step": done.step_label}
    else:
        ok = _("Changes requested: the item went back to its author.")
    return _respond(request, run, ok=ok)


@login_required
@require_POST
def advance(request, pk):
    run = _run(request, pk)
    form = f.AdvanceForm(request.POST)
    if not form.is_valid():
        return _respond(request, run, error=_("The form is incomplete; reload the page."))
    before = run.stage_label
    try:
        moved = services.run_advance(run, to_stage=form.cleaned_data["to_stage"] or None, by=request.user,
                                     expected_version=form.cleaned_data["expected_version"])
    except (services.TransitionRefused, services.ConcurrentChange) as exc:
        return _refused(request, run, exc)
    if moved.status == ProcessRun.Status.COMPLETED:
        ok = _("“%(stage)s” is done; the process is complete.") % {"stage": before}
    else:
        ok = _("Moved from “%(before)s” to “%(after)s”.") % {"before": before, "after": moved.stage_label}
    return _respond(request, moved, ok=ok)


@login_required
@require_POST
def tick(request, pk):
    run = _run(request, pk)
    form = f.TickForm(request.POST)
    if not form.is_valid():
        return _respond(request, run, error=_("The form is incomplete; reload the page."))
    try:
        services.run_tick(run, item_key=form.cleaned_data["item_key"], checked=form.cleaned_data["checked"],
                          by=request.user, expected_version=form.cleaned_data["expected_version"])
    except (services.TransitionRefused, services.ConcurrentChange) as exc:
        return _refused(request, run, exc)
    return _respond(request, run, ok=_("Checklist saved."))


@login_required
@require_GET
def panel(request, pk):
    """The run panel alone (HTMX refresh after another user acted)."""
    run = _run(request, pk)
    context = review_panel_context(request, run)
    context["next"] = _back(request, run)
    return render(request, "sop/_review_panel.html", context)
