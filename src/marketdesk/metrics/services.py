"""Every write of the metrics area's records (decision 0006). Facts are written by ingest;
this module runs the import jobs that feed it (O14)."""

from __future__ import annotations

import logging
import shutil
import zoneinfo
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from marketdesk.core import audit, tabular
from marketdesk.metrics import imports
from marketdesk.metrics.models import ImportJob

logger = logging.getLogger("marketdesk.metrics")

#: Files with fewer data rows than this run inline (in the request); larger ones in the worker.
INLINE_MAX_ROWS = 5000


def imports_dir() -> Path:
    return Path(settings.DATA_DIR) / "imports"


def job_file(job: ImportJob | int) -> Path:
    return imports_dir() / str(job if isinstance(job, int) else job.pk)


def _estimate_rows(path: Path, filename: str) -> int:
    """A cheap upper bound of a file's rows (line breaks; for a workbook, its dimension)."""
    with open(path, "rb") as handle:
        head = handle.read(8)
        if tabular.is_xlsx(head, filename):
            import openpyxl  # noqa: PLC0415

            try:
                book = openpyxl.load_workbook(path, read_only=True)
                rows = book.worksheets[0].max_row or 0
                book.close()
            except Exception:  # noqa: BLE001 — the run reports a broken workbook
                return 0
            return rows
        handle.seek(0)
        count = 0
        while block := handle.read(1 << 20):
            count += block.count(b"\n")
        return count


def _save_upload(upload, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        if isinstance(upload, (bytes, bytearray)):
            out.write(upload)
        elif hasattr(upload, "chunks"):
            for piece in upload.chunks():
                out.write(piece)
        else:
            shutil.copyfileobj(upload, out)


def import_start(*, team, by, preset: str, upload, filename: str = "",
                 skip_bad_rows: bool = False, inline: bool | None = None) -> ImportJob:
    """Start importing a file (bytes or an uploaded file) into the store with ``preset``:
    the job is recorded (and audited), the file kept until the job ends; a small file
    (< INLINE_MAX_ROWS rows) runs now, a large one in the worker after commit."""
    if preset not in imports.PRESETS:
        raise ValidationError({"preset": _("“%(id)s” is not an import preset.") % {"id": preset}})
    filename = (filename or getattr(upload, "name", "") or "")[:200]
    with transaction.atomic():
        job = ImportJob(team=team, preset=preset, filename=filename, skip_bad_rows=skip_bad_rows,
                        created_by=by)
        job.full_clean()
        job.save()
        audit.record("create", job, actor=by, changes={"after": {
            "preset": preset, "filename": filename, "skip_bad_rows": skip_bad_rows}},
            message=f"import of {filename or 'a file'} with {preset}")
        path = job_file(job)
        _save_upload(upload, path)
        if inline is None:
            inline = _estimate_rows(path, filename) <= INLINE_MAX_ROWS
        if not inline:
            from marketdesk.metrics.tasks import import_run_task  # noqa: PLC0415

            transaction.on_commit(partial(import_run_task.enqueue, job.pk), robust=True)
    if inline:
        return import_run(job.pk)
    return job


def _progress(job_id: int):
    def report(phase: str, rows: int) -> None:
        column = "rows_checked" if phase == "checked" else "rows_done"
        ImportJob.objects.filter(pk=job_id).update(**{column: F(column) + rows},
                                                   updated_at=timezone.now())
    return report


def import_run(job_id: int) -> ImportJob:
    """Run a queued job (once: a second call finds it no longer queued and returns it)."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now(), updated_at=timezone.now())
    job = ImportJob.objects.select_related("team", "created_by").get(pk=job_id)
    if not claimed:
        return job
    path = job_file(job)
    tz = zoneinfo.ZoneInfo(job.team.time_zone or settings.DEFAULT_TEAM_TIME_ZONE)
    try:
        with open(path, "rb") as handle:
            try:
                total = imports.count_rows(job.preset, handle, job.filename)
            except tabular.FileRefused:
                total = 0  # the run below reports why
            ImportJob.objects.filter(pk=job_id).update(rows_total=total)
            outcome = imports.run(job.preset, handle, job.filename, tz=tz,
                                  skip_bad_rows=job.skip_bad_rows, progress=_progress(job_id))
    except Exception as exc:
        logger.exception("import job %s failed", job_id)
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED, message=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(), updated_at=timezone.now())
        job.refresh_from_db()
        _finish(job)
        return job
    status = ImportJob.Status.REFUSED if outcome.refused else ImportJob.Status.DONE
    ImportJob.objects.filter(pk=job_id).update(
        status=status, encoding=outcome.encoding, rows_total=outcome.rows_total,
        rows_checked=outcome.rows_checked, rows_done=outcome.rows_done,
        rows_written=outcome.written, duplicates=outcome.duplicates, bad_rows=outcome.bad_rows,
        error_count=outcome.error_count, errors=[e.as_dict() for e in outcome.errors],
        ignored_columns=outcome.ignored_columns, message=outcome.message,
        finished_at=timezone.now(), updated_at=timezone.now())
    job.refresh_from_db()
    _finish(job)
    return job


def _finish(job: ImportJob) -> None:
    """The job's end in the audit log; its file is removed."""
    audit.record("transition", job, actor=job.created_by, changes={
        "before": {"status": ImportJob.Status.RUNNING},
        "after": {"status": job.status, "rows_total": job.rows_total,
                  "rows_written": job.rows_written, "duplicates": job.duplicates,
                  "error_count": job.error_count}},
        message=f"import {job.status}")
    job_file(job).unlink(missing_ok=True)
