"""HTMX pages: the inbox, the team webhooks and their delivery log.

Function-based views (STYLE 8): they read through the permission gate (the inbox through
its owner), write through notify.services and return a named partial of the page when
the request comes from HTMX.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, OuterRef, Q, Subquery, Value, When
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from marketdesk.accounts.models import Team
from marketdesk.core import permissions as gate
from marketdesk.notify import services
from marketdesk.notify.forms import DeliveryFilterForm, InboxFilterForm, WebhookForm
from marketdesk.notify.models import Delivery, DeliveryAttempt, Notification, WebhookEndpoint

PAGE_SIZE = 50


def _partial(request) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- inbox -------------------------------------------------------------------------------

def _own(request):
    """The user's own notifications: another user's notification does not exist here."""
    return Notification.objects.filter(recipient=request.user)


def _inbox_context(request) -> dict:
    form = InboxFilterForm(request.GET or None)
    unread_only = form.is_valid() and form.cleaned_data["unread"]
    notes = _own(request).select_related("actor", "team")
    if unread_only:
        notes = notes.filter(read_at__isnull=True)
    # Unread first, then newest.
    notes = notes.annotate(read_rank=Case(When(read_at__isnull=True, then=Value(0)),
                                          default=Value(1))).order_by("read_rank", "-created_at", "-id")
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    return {"form": form, "page": page, "unread": services.unread_count(request.user),
            "unread_only": unread_only,
            "query": "unread=on" if unread_only else ""}


@login_required
@require_GET
def inbox(request):
    context = _inbox_context(request)
    template = "notify/inbox.html#results" if _partial(request) else "notify/inbox.html"
    return render(request, template, context)


@login_required
@require_POST
def notification_read(request, pk):
    note = get_object_or_404(_own(request), pk=pk)
    services.mark_read(note, by=request.user)
    if _partial(request):
        response = render(request, "notify/inbox.html#row_update", {
            "note": note, "unread": services.unread_count(request.user)})
        response["HX-Trigger"] = "nav-badges-changed"
        return response
    return redirect("notify:inbox")


@login_required
@require_POST
def notification_read_all(request):
    count = services.mark_all_read(request.user)
    if _partial(request):
        response = render(request, "notify/inbox.html#results_update", _inbox_context(request))
        response["HX-Trigger"] = "nav-badges-changed"
        return response
    messages.success(request, _("Marked %(n)d notifications read.") % {"n": count})
    return redirect("notify:inbox")


@login_required
@require_GET
def notification_open(request, pk):
    """Follow a notification's link and mark it read on the way."""
    note = get_object_or_404(_own(request), pk=pk)
    services.mark_read(note, by=request.user)
    target = note.url if note.url and url_has_allowed_host_and_scheme(
        note.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()) else ""
    return redirect(target or "notify:inbox")


@require_GET
def unread_badge(request):
    """The nav badge (loaded by HTMX after the page): the unread count, or nothing."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return render(request, "notify/_badge.html", {"unread": services.unread_count(request.user)})


# --- webhooks ----------------------------------------------------------------------------

def _teams_for(user, action: str):
    """The teams in which the user may ``action`` webhooks."""
    if not gate.can(user, action, WebhookEndpoint):
        return Team.objects.none()
    teams = Team.objects.order_by("name")
    return teams if gate.is_company_wide(user) else teams.filter(pk__in=gate.team_ids(user))


@login_required
@require_GET
def webhook_list(request):
    last = Delivery.objects.filter(endpoint=OuterRef("pk")).order_by("-created_at", "-id")
    endpoints = gate.restrict(
        WebhookEndpoint.objects.select_related("team").annotate(
            last_status=Subquery(last.values("status")[:1]),
            last_at=Subquery(last.values("created_at")[:1]),
            failed_count=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED)),
        ),
        request.user,
    ).order_by("team__name", "name")
    endpoints = list(endpoints)
    for endpoint in endpoints:
        endpoint.last_status_label = (Delivery.Status(endpoint.last_status).label
                                      if endpoint.last_status else "")
    return render(request, "notify/webhook_list.html", {
        "endpoints": endpoints,
        "may_add": _teams_for(request.user, "add").exists(),
        "may_change": gate.can(request.user, "change", WebhookEndpoint),
        "may_delete": gate.can(request.user, "delete", WebhookEndpoint),
        "may_test": gate.can(request.user, "add", Delivery),
    })


def _form_page(request, form, *, title, endpoint=None):
    return render(request, "notify/webhook_form.html", {
        "form": form, "title": title, "endpoint": endpoint,
        "cancel_url": reverse("notify:webhook_list"),
    }, status=400 if form.is_bound else 200)


@login_required
def webhook_create(request):
    teams = _teams_for(request.user, "add")
    if not gate.can(request.user, "add", WebhookEndpoint) or not teams.exists():
        raise PermissionDenied
    title = _("New team webhook")
    if request.method != "POST":
        return _form_page(request, WebhookForm(teams=teams, initial={"team": teams.first()}),
                          title=title)
    form = WebhookForm(request.POST, teams=teams)
    if form.is_valid():
        fields = form.service_fields()
        gate.check_team(request.user, "add", WebhookEndpoint, fields["team"].pk)
        try:
            endpoint = services.webhook_create(by=request.user, **fields)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Saved the webhook “%(name)s”.") % {"name": endpoint})
            return redirect("notify:webhook_list")
    return _form_page(request, form, title=title)


def _endpoint(request, pk, action="view"):
    return gate.get_object(WebhookEndpoint.objects.select_related("team"), request.user,
                           action, pk=pk)


@login_required
def webhook_edit(request, pk):
    endpoint = _endpoint(request, pk, "change")
    teams = _teams_for(request.user, "change")
    title = _("Change the webhook “%(name)s”") % {"name": endpoint}
    if request.method != "POST":
        return _form_page(request, WebhookForm(instance=endpoint, teams=teams), title=title,
                          endpoint=endpoint)
    # The form works on a copy: the endpoint is changed by the service only.
    form = WebhookForm(request.POST, instance=WebhookEndpoint.objects.get(pk=endpoint.pk),
                       teams=teams)
    if form.is_valid():
        try:
            endpoint = services.webhook_update(endpoint, by=request.user, **form.service_fields())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Saved the webhook “%(name)s”.") % {"name": endpoint})
            return redirect("notify:webhook_list")
    return _form_page(request, form, title=title, endpoint=endpoint)


@login_required
def webhook_delete(request, pk):
    endpoint = _endpoint(request, pk, "delete")
    if request.method == "POST":
        name = str(endpoint)
        services.webhook_delete(endpoint, by=request.user)
        messages.success(request, _("Deleted the webhook “%(name)s”.") % {"name": name})
        return redirect("notify:webhook_list")
    return render(request, "notify/confirm_delete.html", {
        "endpoint": endpoint, "deliveries": endpoint.deliveries.count(),
        "cancel_url": reverse("notify:webhook_list"),
    })


@login_required
@require_POST
def webhook_test(request, pk):
    endpoint = _endpoint(request, pk, "view")
    gate.check(request.user, "add", Delivery(endpoint=endpoint))
    delivery = services.webhook_test(endpoint, by=request.user)
    delivery.refresh_from_db()
    if _partial(request):
        return render(request, "notify/_test_result.html", {"delivery": delivery,
                                                            "endpoint": endpoint})
    messages.info(request, _("Test message queued for “%(name)s”: %(status)s.") % {
        "name": endpoint, "status": delivery.get_status_display()})
    return redirect("notify:delivery_log", pk=endpoint.pk)


@login_required
@require_GET
def delivery_log(request, pk):
    endpoint = _endpoint(request, pk, "view")
    form = DeliveryFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    deliveries = endpoint.deliveries.prefetch_related("attempt_log").order_by("-created_at", "-id")
    if status:
        deliveries = deliveries.filter(status=status)
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "endpoint": endpoint, "form": form, "page": page,
        "query": f"status={status}" if status else "",
        "may_test": gate.can(request.user, "add", Delivery),
        "counts": dict(endpoint.deliveries.values_list("status").annotate(n=Count("id"))
                       .order_by()),
    }
    template = "notify/delivery_log.html#results" if _partial(request) else "notify/delivery_log.html"
    return render(request, template, context)


@login_required
@require_GET
def delivery_row(request, pk):
    """One delivery's row, polled by HTMX while it is still on its way."""
    delivery = gate.get_object(Delivery.objects.select_related("endpoint__team"), request.user,
                               "view", pk=pk)
    attempts = list(DeliveryAttempt.objects.filter(delivery=delivery))
    return render(request, "notify/_test_result.html", {
        "delivery": delivery, "endpoint": delivery.endpoint, "attempts": attempts})
