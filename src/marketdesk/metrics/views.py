"""Pages of the metrics area (HTMX): KPIs, funnels, attribution, imports, data health."""


# --- imports (O14) ----------------------------------------------------------------------

from django.contrib import messages  # noqa: E402
from django.contrib.auth.decorators import login_required  # noqa: E402
from django.core.exceptions import PermissionDenied  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.shortcuts import redirect, render  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402
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
