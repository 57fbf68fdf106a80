import csv
import datetime as dt
import json

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from marketdesk.core import audit
from marketdesk.core import permissions as gate
from marketdesk.core.models import AuditEntry
from marketdesk.core.text import safe_cell


@login_required
def home(request):
    summaries = []
    for config in apps.get_app_configs():
        provider = getattr(config, "home_summary", None)
        if provider is not None:
            summaries.extend(provider(request.user))
    recent = AuditEntry.objects.select_related("content_type")
    if not gate.is_company_wide(request.user):
        recent = recent.filter(team_id__in=gate.team_ids(request.user))
    return render(request, "core/home.html", {"summaries": summaries, "recent": recent[:12]})


@login_required
def search(request):
    query = request.GET.get("q", "").strip()
    groups = []
    if len(query) >= 1:
        for config in apps.get_app_configs():
            for model_label, fields in getattr(config, "search", ()):
                model = apps.get_model(model_label)
                if not gate.can(request.user, "view", model):
                    continue
                cond = Q()
                for field in fields:
                    cond |= Q(**{f"{field}__icontains": query})
                hits = list(gate.scope(model.objects.filter(cond), request.user)[:10])
                if hits:
                    groups.append({"label": model._meta.verbose_name_plural, "hits": hits})
    return render(request, "core/search.html", {"search_query": query, "groups": groups})


def _history_object(request, type_id: int, object_id: int):
    try:
        ct = ContentType.objects.get_for_id(type_id)
    except ContentType.DoesNotExist:
        raise Http404 from None
    model = ct.model_class()
    if model is None or not hasattr(model, "gate_rules"):
        raise Http404
    return gate.get_object(model.objects.all(), request.user, "view", pk=object_id)


@login_required
def history(request, type_id: int, object_id: int):
    """The History tab of any gated record (HTMX partial, or a page of its own)."""
    obj = _history_object(request, type_id, object_id)
    entries = Paginator(audit.history_for(obj), 50).get_page(request.GET.get("page"))
    template = "core/history.html#history" if request.htmx else "core/history.html"
    return render(request, template, {"object": obj, "entries": entries})


def _audit_filtered(request):
    if not gate.is_company_wide(request.user):
        raise PermissionDenied
    qs = AuditEntry.objects.select_related("content_type")
    params = request.GET
    if q := params.get("q", "").strip():
        qs = qs.filter(Q(actor_name__icontains=q) | Q(object_repr__icontains=q)
                       | Q(message__icontains=q) | Q(request_id=q))
    if action := params.get("action"):
        qs = qs.filter(action=action)
    if type_id := params.get("type"):
        if type_id.isdigit():
            qs = qs.filter(content_type_id=int(type_id))
    tz = timezone.get_current_timezone()
    for key, lookup in (("since", "created_at__gte"), ("until", "created_at__lt")):
        value = params.get(key)
        if not value:
            continue
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            continue
        if key == "until":
            day += dt.timedelta(days=1)
        qs = qs.filter(**{lookup: dt.datetime.combine(day, dt.time.min, tzinfo=tz)})
    return qs


@login_required
def audit_log(request):
    qs = _audit_filtered(request)
    entries = Paginator(qs, 50).get_page(request.GET.get("page"))
    types = ContentType.objects.filter(
        pk__in=AuditEntry.objects.values("content_type").distinct()
    ).order_by("model")
    template = "core/audit_log.html#results" if request.htmx else "core/audit_log.html"
    return render(request, template, {
        "entries": entries, "types": types, "actions": AuditEntry.Action.choices,
        "params": request.GET,
    })


@login_required
def audit_log_csv(request):
    qs = _audit_filtered(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="marketdesk-audit-log.csv"'
    response.write("\ufeff")  # BOM: Excel on Chinese Windows then reads UTF-8 correctly
    writer = csv.writer(response)
    writer.writerow([_("time (UTC)"), _("actor"), _("action"), _("type"), _("object id"),
                     _("object"), _("changes"), _("message"), _("request id")])
    for e in qs.iterator(chunk_size=2000):
        writer.writerow([safe_cell(v) for v in (
            e.created_at.astimezone(dt.UTC).isoformat(), e.actor_name, e.action,
            e.content_type.model if e.content_type else "", e.object_id, e.object_repr,
            json.dumps(e.changes, ensure_ascii=False), e.message, e.request_id)])
    return response
