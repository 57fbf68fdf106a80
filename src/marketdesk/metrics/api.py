"""The metrics REST API (``/api/v1/metrics``): facts in JSON, the KPI registry, runs."""

from django.core.exceptions import PermissionDenied
from ninja import Router

router = Router(tags=["metrics"])


# --- imports (O14) ----------------------------------------------------------------------
# POST /imports: 201 the job (a small file has already run: its status is done or refused;
# a large one is queued for the worker), 401 not signed in, 403 not an editor or not a
# member of the team, 404 no such team, 422 an unknown preset or a bad form.
# GET /imports/{id}: 200 status, progress and the error report; 403 not an editor;
# 404 no such job or another team's.

from django.core.exceptions import ValidationError as _ValidationError  # noqa: E402
from django.http import Http404 as _Http404  # noqa: E402
from ninja import File as _File  # noqa: E402
from ninja import Form as _Form  # noqa: E402
from ninja import Schema as _Schema  # noqa: E402
from ninja import Status as _Status  # noqa: E402
from ninja.files import UploadedFile as _UploadedFile  # noqa: E402

from marketdesk.accounts.models import Team as _Team  # noqa: E402
from marketdesk.core import permissions as _gate  # noqa: E402
from marketdesk.core.api import READ_ERRORS as _READ_ERRORS  # noqa: E402
from marketdesk.core.api import WRITE_ERRORS as _WRITE_ERRORS  # noqa: E402
from marketdesk.metrics.models import ImportJob as _ImportJob  # noqa: E402


class ImportErrorOut(_Schema):
    row: int
    column: str
    reason: str


class ImportJobOut(_Schema):
    id: int
    team: int
    preset: str
    filename: str
    encoding: str
    status: str
    skip_bad_rows: bool
    rows_total: int
    rows_checked: int
    rows_done: int
    percent: int
    rows_written: int
    duplicates: int
    bad_rows: int
    error_count: int
    errors: list[ImportErrorOut]
    ignored_columns: list[str]
    message: str


def _job_out(job) -> dict:
    return {"id": job.pk, "team": job.team_id, "preset": job.preset, "filename": job.filename,
            "encoding": job.encoding, "status": job.status, "skip_bad_rows": job.skip_bad_rows,
            "rows_total": job.rows_total, "rows_checked": job.rows_checked,
            "rows_done": job.rows_done, "percent": job.percent,
            "rows_written": job.rows_written, "duplicates": job.duplicates,
            "bad_rows": job.bad_rows, "error_count": job.error_count, "errors": job.errors,
            "ignored_columns": job.ignored_columns, "message": job.message}


@router.post("/imports", response={201: ImportJobOut, **_WRITE_ERRORS},
             summary="Import a CSV/TSV/XLSX file of facts with a preset (O14): the job")
def import_create(request, team: _Form[int], preset: _Form[str], file: _File[_UploadedFile],
                  skip_bad_rows: _Form[bool] = False):
    from marketdesk.metrics import services  # noqa: PLC0415

    if not _gate.can(request.user, "add", _ImportJob):
        raise PermissionDenied
    team_obj = _Team.objects.filter(pk=team).first()
    if team_obj is None or not _gate.in_scope(request.user, team_obj.pk):
        raise _Http404
    _gate.check_team(request.user, "add", _ImportJob, team_obj.pk)
    try:
        job = services.import_start(team=team_obj, by=request.user, preset=preset, upload=file,
                                    filename=file.name or "", skip_bad_rows=skip_bad_rows)
    except _ValidationError as exc:
        return _Status(422, {"detail": "; ".join(exc.messages), "errors": [
            {"field": name, "message": str(m), "code": "invalid"}
            for name, messages in exc.message_dict.items() for m in messages]})
    return _Status(201, _job_out(job))


@router.get("/imports/{int:job_id}", response={200: ImportJobOut, **_READ_ERRORS},
            summary="An import job: status, progress and the error report (O14)")
def import_get(request, job_id: int):
    job = _gate.get_object(_ImportJob.objects.all(), request.user, "view", pk=job_id)
    return _job_out(job)


# --- facts in JSON (O14) ----------------------------------------------------------------
# POST /facts/{table} {"rows": [...], "skip_bad_rows": false}: the same facts as imports
# and the collector, through ingest (origin "api").
# 200 the IngestResult (written, duplicates; with skip_bad_rows the refused rows in
#     ``errors``, each naming its 1-based ``row``, ``field`` and ``reason``);
# 401 not signed in; 403 not an editor (gate "add" on the analytics area) or a session
#     write without the CSRF token; 404 no such fact table;
# 422 a body that is not {"rows": [...]}, more than MAX_FACT_ROWS rows, or (all-or-nothing)
#     any bad row: nothing is written and each error's field is ``rows.<index>.<column>``
#     (the 0-based index in ``rows``, as JSON paths count).

MAX_FACT_ROWS = 10_000


class FactsIn(_Schema):
    rows: list[dict]
    skip_bad_rows: bool = False


class FactErrorOut(_Schema):
    row: int
    field: str
    reason: str


class IngestResultOut(_Schema):
    table: str
    received: int
    written: int
    duplicates: int
    refused: bool
    errors: list[FactErrorOut]


@router.post("/facts/{table}", response={200: IngestResultOut, **_WRITE_ERRORS},
             summary="Store facts of one table in JSON (O14): validated, normalised, de-duplicated")
def facts_create(request, table: str, payload: FactsIn):
    from django.utils.translation import gettext as _  # noqa: PLC0415

    from marketdesk.metrics import ingest, schema  # noqa: PLC0415
    from marketdesk.metrics.models import ANALYTICS  # noqa: PLC0415

    if not _gate.can(request.user, "add", ANALYTICS):
        raise PermissionDenied
    if table not in schema.TABLES:
        raise _Http404
    if len(payload.rows) > MAX_FACT_ROWS:
        return _Status(422, {"detail": _("The request is not valid."), "errors": [{
            "field": "rows", "code": "too_many",
            "message": _("At most %(max)d rows per request; this one has %(n)d.") % {
                "max": MAX_FACT_ROWS, "n": len(payload.rows)}}]})
    result = ingest.ingest(table, payload.rows, origin="api",
                           skip_bad_rows=payload.skip_bad_rows)
    if result.refused:
        return _Status(422, {
            "detail": _("Nothing was written: %(n)d rows have errors.") % {
                "n": len({e.row for e in result.errors})},
            "errors": [{"field": f"rows.{e.row - 1}.{e.field}" if e.field else f"rows.{e.row - 1}",
                        "message": e.reason, "code": "invalid"} for e in result.errors]})
    return result.as_dict()


# --- the KPI registry (K1–K10, F2–F5, O16) ------------------------------------------------
# GET /kpis: every KPI's declaration (names in the active language and both literals).
# GET /kpis/{id}: one declaration; 404 an unknown KPI.
# GET /kpis/{id}/run?period=&start=&end=&by=&tz=&<dimension>=<value>&<option>=<value>:
#     200 columns, rows and the total; 422 a parameter the KPI does not take or a bad
#     value (the error's field names the parameter).
# GET /kpis/{id}/explain?…: the SQL the same run executes.
# GET /kpis/{id}/export?format=csv|json|xlsx&…: the run as a download (formula-safe cells).
# Every KPI is readable by every role (gate "view" on the analytics area); 401 signed out.

from typing import Any as _Any  # noqa: E402

from django.http import HttpResponse as _HttpResponse  # noqa: E402


class KpiOptionOut(_Schema):
    name: str
    label: str
    default: _Any
    choices: list[_Any]


class KpiOut(_Schema):
    id: str
    domain: list[str]
    role: str
    name: str
    name_en: str
    name_zh: str
    formula: str
    formula_en: str
    formula_zh: str
    notes: str
    unit: str
    dimensions: list[str]
    cut_by: list[str]
    has_period: bool
    required_by: str | None
    options: list[KpiOptionOut]
    tables: list[str]


class KpiRunOut(_Schema):
    kpi: str
    name: str
    domain: list[str]
    unit: str
    formula: str
    notes: str
    parameters: dict
    columns: list[str]
    rows: list[list[_Any]]
    total: _Any = None


class KpiSqlOut(_Schema):
    kpi: str
    sql: str


def _kpi_out(kpi) -> dict:
    return {"id": kpi.id, "domain": list(kpi.domains), "role": kpi.role, "name": kpi.name,
            "name_en": kpi.name_en, "name_zh": kpi.name_zh, "formula": kpi.formula,
            "formula_en": kpi.formula_en, "formula_zh": kpi.formula_zh, "notes": kpi.notes,
            "unit": kpi.unit, "dimensions": list(kpi.dimensions), "cut_by": list(kpi.cut_by),
            "has_period": kpi.has_period, "required_by": kpi.required_by,
            "options": [{"name": o.name, "label": str(o.label), "default": o.default,
                         "choices": list(o.choices)} for o in kpi.options],
            "tables": list(kpi.tables)}


def _kpi_or_404(request, kpi_id: str):
    from marketdesk.metrics import registry  # noqa: PLC0415
    from marketdesk.metrics.models import ANALYTICS  # noqa: PLC0415

    if not _gate.can(request.user, "view", ANALYTICS):
        raise PermissionDenied
    try:
        return registry.get(kpi_id)
    except registry.UnknownKpi:
        raise _Http404 from None


def _parameter_error(exc) -> _Status:
    from django.utils.translation import gettext as _  # noqa: PLC0415

    return _Status(422, {"detail": _("The request is not valid."), "errors": [
        {"field": exc.parameter, "message": exc.message, "code": "invalid"}]})


def _query(request, *, drop=()) -> dict:
    return {k: v for k, v in request.GET.items() if k not in drop}


@router.get("/kpis", response={200: list[KpiOut], **_READ_ERRORS},
            summary="The KPI registry: every KPI with its formula, unit, dimensions and DOMAIN id")
def kpi_list(request):
    from marketdesk.metrics import registry  # noqa: PLC0415
    from marketdesk.metrics.models import ANALYTICS  # noqa: PLC0415

    if not _gate.can(request.user, "view", ANALYTICS):
        raise PermissionDenied
    return [_kpi_out(k) for k in registry.catalogue().values()]


@router.get("/kpis/{kpi_id}", response={200: KpiOut, **_READ_ERRORS}, summary="One KPI's declaration")
def kpi_get(request, kpi_id: str):
    return _kpi_out(_kpi_or_404(request, kpi_id))


def _with_params(request, kpi_id: str, call, *, drop=()):
    """``call(kpi, params)`` with the run parameters of the URL query; 422 naming a bad one."""
    from marketdesk.metrics import registry  # noqa: PLC0415

    kpi = _kpi_or_404(request, kpi_id)
    try:
        return call(kpi, registry.params_from(kpi.id, _query(request, drop=drop)))
    except registry.KpiParameterError as exc:
        return _parameter_error(exc)


@router.get("/kpis/{kpi_id}/run", response={200: KpiRunOut, **_READ_ERRORS},
            summary="Run a KPI: period, start, end, by, tz, dimension filters and options as query parameters")
def kpi_run(request, kpi_id: str):
    from marketdesk.metrics import exports, registry  # noqa: PLC0415

    return _with_params(request, kpi_id,
                        lambda kpi, params: exports.as_json(registry.run(kpi.id, **params)))


@router.get("/kpis/{kpi_id}/explain", response={200: KpiSqlOut, **_READ_ERRORS},
            summary="The SQL a KPI run executes (same parameters as run)")
def kpi_explain(request, kpi_id: str):
    from marketdesk.metrics import registry  # noqa: PLC0415

    return _with_params(request, kpi_id, lambda kpi, params: {
        "kpi": kpi.id, "sql": registry.explain(kpi.id, **params)})


@router.get("/kpis/{kpi_id}/export", response={200: None, **_READ_ERRORS},
            summary="A KPI run as a CSV, JSON or XLSX download (format=csv|json|xlsx)")
def kpi_export(request, kpi_id: str, format: str = "csv"):  # noqa: A002 — the query name
    from marketdesk.metrics import exports, registry  # noqa: PLC0415

    if format not in exports.FORMATS:
        _kpi_or_404(request, kpi_id)
        return _parameter_error(registry.KpiParameterError(
            "format", f"{format!r} is not one of {', '.join(exports.FORMATS)}"))

    def download(kpi, params):
        response = _HttpResponse(exports.render(registry.run(kpi.id, **params), format),
                                 content_type=exports.CONTENT_TYPES[format])
        response["Content-Disposition"] = f'attachment; filename="{kpi.id}.{format}"'
        return response

    return _with_params(request, kpi_id, download, drop={"format"})
