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
