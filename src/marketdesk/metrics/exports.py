"""A KPI run as CSV, JSON or XLSX (the CLI, the API's export and the KPI pages use these).

Every text cell goes through :func:`marketdesk.core.text.safe_cell`, so a campaign called
``=HYPERLINK(…)`` stays text in Excel, WPS and LibreOffice; numbers stay numbers. CSV is
UTF-8 with a BOM (Excel on Chinese Windows otherwise reads it as GB18030).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from marketdesk.core.text import safe_cell
from marketdesk.metrics.registry import KpiResult

FORMATS = ("csv", "json", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _cell(value):
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return safe_cell(value)


def _json_value(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def parameters(result: KpiResult) -> dict:
    """The run's parameters, as the export records them beside the numbers."""
    ctx = result.context
    if ctx is None:
        return {}
    return {"period": ctx.period, "start": ctx.start.isoformat() if ctx.start else None,
            "end": ctx.end.isoformat() if ctx.end else None, "by": ctx.by,
            "filters": dict(ctx.filters), "tz": ctx.tz, "options": dict(ctx.options)}


def as_json(result: KpiResult) -> dict:
    kpi = result.kpi
    return {
        "kpi": kpi.id, "name": kpi.name, "domain": list(kpi.domains), "unit": kpi.unit,
        "formula": kpi.formula, "notes": kpi.notes, "parameters": parameters(result),
        "columns": result.columns,
        "rows": [[_json_value(v) for v in row] for row in result.rows],
        "total": result.total,
    }


def render(result: KpiResult, fmt: str) -> bytes:
    """The run in ``fmt`` (one of FORMATS)."""
    if fmt == "json":
        return json.dumps(as_json(result), ensure_ascii=False, indent=1).encode()
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([safe_cell(c) for c in result.columns])
        for row in result.rows:
            writer.writerow(["" if v is None else _cell(v) for v in row])
        return ("\ufeff" + out.getvalue()).encode()
    if fmt == "xlsx":
        import openpyxl  # noqa: PLC0415 — only XLSX exports need it

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet(result.kpi.id[:31])
        sheet.append([safe_cell(c) for c in result.columns])
        for row in result.rows:
            sheet.append([_cell(v) for v in row])
        about = book.create_sheet("about")
        kpi = result.kpi
        for key, value in (("KPI", kpi.id), ("name", kpi.name), ("DOMAIN", ", ".join(kpi.domains)),
                           ("formula", kpi.formula), ("unit", kpi.unit), ("notes", kpi.notes),
                           *((k, json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v)
                             for k, v in parameters(result).items())):
            about.append([key, safe_cell(value)])
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    raise ValueError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
