"""Pages of the metrics area (HTMX): KPIs, funnels, attribution, imports, data health."""


# --- imports (O14) ----------------------------------------------------------------------

from django.contrib import messages  # noqa: E402
from django.contrib.auth.decorators import login_required  # noqa: E402
from django.core.exceptions import PermissionDenied  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.shortcuts import redirect, render  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402
from django.utils.translation import gettext_lazy as _lazy  # noqa: E402
from django.views.decorators.http import require_GET  # noqa: E402

from marketdesk.core import permissions as gate  # noqa: E402
from marketdesk.metrics import forms as metrics_forms  # noqa: E402
from marketdesk.metrics import imports as metrics_imports  # noqa: E402
from marketdesk.metrics import services as metrics_services  # noqa: E402
from marketdesk.metrics.models import ImportJob  # noqa: E402


def _import_job(request, pk) -> ImportJob:
    return gate.get_object(ImportJob.objects.select_related("team", "created_by"),
                           request.user, "view", pk=pk)


@login_required
def imports_list(request):
    """The import jobs of the user's teams, and the upload form (editors only)."""
    jobs = gate.restrict(ImportJob.objects.select_related("team", "created_by"), request.user)
    if not gate.can(request.user, "add", ImportJob):
        raise PermissionDenied
    form = metrics_forms.ImportForm(request.POST or None, request.FILES or None,
                                    user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            team = form.cleaned_data["team"]
            gate.check_team(request.user, "add", ImportJob, team.pk)
            upload = form.cleaned_data["file"]
            job = metrics_services.import_start(
                team=team, by=request.user, preset=form.cleaned_data["preset"], upload=upload,
                filename=upload.name, skip_bad_rows=form.cleaned_data["skip_bad_rows"])
            if job.status == ImportJob.Status.DONE:
                messages.success(request, _("Import finished: %(n)s facts written.") % {
                    "n": job.rows_written})
            return redirect("metrics:import_detail", pk=job.pk)
        status = 400
    return render(request, "metrics/imports.html", {
        "form": form, "jobs": jobs[:50], "presets": metrics_imports.PRESETS.values(),
    }, status=status)


@login_required
@require_GET
def import_detail(request, pk):
    """One job: its progress (polled by HTMX while it runs) and its error report."""
    job = _import_job(request, pk)
    preset = metrics_imports.PRESETS.get(job.preset)
    context = {"job": job, "preset": preset}
    if request.headers.get("HX-Request") == "true":
        return render(request, "metrics/imports_detail.html#progress", context)
    return render(request, "metrics/imports_detail.html", context)


@login_required
@require_GET
def import_errors_csv(request, pk):
    """The error report of a job as CSV (formula-safe cells)."""
    job = _import_job(request, pk)
    response = HttpResponse(metrics_imports.errors_csv(job.errors),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response


# --- data health (O14) ------------------------------------------------------------------

@login_required
@require_GET
def health(request):
    """Rows, files and the latest event per fact table; per source (origin): when it last
    sent, what was written and how many rows were rejected. Editors only."""
    from marketdesk.metrics import ingest  # noqa: PLC0415
    from marketdesk.metrics.models import ANALYTICS  # noqa: PLC0415

    if not gate.can(request.user, "add", ANALYTICS):
        raise PermissionDenied
    tables, origins = ingest.health()
    return render(request, "metrics/health.html", {"tables": tables, "origins": origins})


# --- KPIs: the role dashboard, the catalogue, one KPI (K1–K10, F2–F5, O16) --------------

def _analytics_viewer(request) -> None:
    from marketdesk.metrics.models import ANALYTICS  # noqa: PLC0415

    if not gate.can(request.user, "view", ANALYTICS):
        raise PermissionDenied


def _kpi_or_404(kpi_id: str):
    from django.http import Http404  # noqa: PLC0415

    from marketdesk.metrics import registry  # noqa: PLC0415

    try:
        return registry.get(kpi_id)
    except registry.UnknownKpi:
        raise Http404 from None


def _can_edit_facts(request) -> bool:
    from marketdesk.metrics.models import ANALYTICS  # noqa: PLC0415

    return gate.can(request.user, "add", ANALYTICS)


def _cells(kpi, columns, rows) -> list[list[str]]:
    """Rows as shown: the ``value`` in the KPI's unit, other numbers to 4 decimals at most,
    a missing value as a dash."""
    from marketdesk.metrics import registry  # noqa: PLC0415

    def shown(column, value):
        if column == "value":
            return registry.format_value(kpi, value)
        if value is None:
            return "–"
        if isinstance(value, float):
            if abs(value) >= 100:  # amounts: cents at most
                return f"{value:,.2f}"
            return f"{value:,.4f}".rstrip("0").rstrip(".")
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}"
        return str(value)

    return [[shown(c, v) for c, v in zip(columns, row, strict=True)] for row in rows]


#: Headings of the measure columns KPIs return (the dimensions have theirs in DIMENSIONS).
COLUMN_LABELS = {
    "value": _lazy("Value"), "numerator": _lazy("Numerator"), "denominator": _lazy("Denominator"),
    "count": _lazy("Persons"), "rate": _lazy("Rate"), "cost": _lazy("Cost"),
    "return": _lazy("Return"), "roi": _lazy("ROI"), "credit": _lazy("Credit"),
    "model": _lazy("Model"), "deals": _lazy("Deals"), "promoters": _lazy("Promoters"),
    "passives": _lazy("Passives"), "detractors": _lazy("Detractors"),
    "responses": _lazy("Responses"), "conversions": _lazy("Conversions"),
}


def column_labels(columns) -> list[str]:
    from marketdesk.metrics import registry  # noqa: PLC0415

    return [str(registry.DIMENSIONS.get(c) or COLUMN_LABELS.get(c) or c) for c in columns]


def _measure_column(columns: list[str]) -> str | None:
    """The column a chart and a dashboard card show: ``value``, else a funnel's count."""
    for name in ("value", "count", "credit", "roi"):
        if name in columns:
            return name
    return None


def chart_data(result) -> dict | None:
    """ECharts input for a run: a line over periods (one series per ``by`` value), or bars
    per ``by`` value; None when there is nothing to draw."""
    from marketdesk.metrics import registry  # noqa: PLC0415

    measure = _measure_column(result.columns)
    if measure is None or not result.rows:
        return None
    col = {name: i for i, name in enumerate(result.columns)}
    keys = registry.key_columns(result.context) if result.context else []
    keys = [k for k in keys if k in col]
    if not keys:
        return None
    if keys[0] == "period":
        periods = sorted({row[col["period"]] for row in result.rows})
        series: dict[str, dict] = {}
        other = keys[1] if len(keys) > 1 else None
        for row in result.rows:
            name = str(row[col[other]]) if other else result.kpi.name
            series.setdefault(name, {})[row[col["period"]]] = row[col[measure]]
        return {"type": "line", "x": [p.isoformat() if hasattr(p, "isoformat") else str(p)
                                      for p in periods],
                "series": [{"name": name, "data": [values.get(p) for p in periods]}
                           for name, values in list(series.items())[:12]]}
    rows = result.rows[:40]
    return {"type": "bar", "x": [str(row[col[keys[0]]]) for row in rows],
            "series": [{"name": result.kpi.name, "data": [row[col[measure]] for row in rows]}]}


@login_required
@require_GET
def kpi_dashboard(request):
    """The KPIs the user's role is judged by (DOMAIN K), each card loaded on its own so
    the page answers at once however large the facts are."""
    from marketdesk.metrics import registry  # noqa: PLC0415

    _analytics_viewer(request)
    ids = registry.DASHBOARDS.get(getattr(request.user, "role", ""), registry.DASHBOARDS["marketer"])
    return render(request, "metrics/dashboard.html", {
        "kpis": [registry.get(i) for i in ids], "can_edit_facts": _can_edit_facts(request),
    })


@login_required
@require_GET
def kpi_card(request, kpi_id):
    """One dashboard card (HTMX): the KPI over all stored facts, or its first rows."""
    from marketdesk.metrics import registry  # noqa: PLC0415

    _analytics_viewer(request)
    kpi = _kpi_or_404(kpi_id)
    result = registry.run(kpi.id)
    total = result.total
    return render(request, "metrics/_card.html", {
        "kpi": kpi, "result": result,
        "shown": registry.format_value(kpi, total) if total is not None else None,
        "preview": _cells(kpi, result.columns, result.rows[:5]),
        "headings": column_labels(result.columns),
    })


@login_required
@require_GET
def kpi_catalogue(request):
    """Every KPI by role, with its formula, unit and DOMAIN id."""
    from marketdesk.metrics import registry  # noqa: PLC0415

    _analytics_viewer(request)
    return render(request, "metrics/catalogue.html", {
        "groups": registry.by_role(), "can_edit_facts": _can_edit_facts(request)})


@login_required
@require_GET
def kpi_detail(request, kpi_id):
    """One KPI: the run form (period, dates, cut, options; any dimension filter can be given
    in the URL), the numbers as a chart and a table, the SQL, and the exports."""
    from urllib.parse import urlencode  # noqa: PLC0415

    from marketdesk.metrics import registry  # noqa: PLC0415

    _analytics_viewer(request)
    kpi = _kpi_or_404(kpi_id)
    query = dict(request.GET.items())
    error = None
    result = None
    try:
        result = registry.run(kpi.id, **registry.params_from(kpi.id, query))
    except registry.KpiParameterError as exc:
        error = exc
    context = {
        "kpi": kpi, "query": query, "error": error, "result": result,
        "periods": registry.PERIODS, "dimensions": [(d, registry.DIMENSIONS[d]) for d in kpi.cut_by],
        "options": [(o, query.get(o.name, "")) for o in kpi.options],
        "filters": [(name, value) for name, value in query.items() if name in kpi.cut_by],
        "chart": chart_data(result) if result else None,
        "formatted": _cells(kpi, result.columns, result.rows) if result else [],
        "headings": column_labels(result.columns) if result else [],
        "keys": len(registry.key_columns(result.context)) if result and result.context else 0,
        "total_shown": (registry.format_value(kpi, result.total)
                        if result and result.total is not None else None),
        "export_query": urlencode(query), "can_edit_facts": _can_edit_facts(request),
    }
    return render(request, "metrics/kpi_detail.html", context, status=400 if error else 200)
