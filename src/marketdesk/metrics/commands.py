"""``marketdesk metrics list|run|explain`` (issue 4 surfaces): the KPI registry from the
command line, with the same parameters as the API and the same exports.

    marketdesk metrics list [--role email] [--format table|json]
    marketdesk metrics run lead_to_customer --period month --by owner --start 2026-01-01
    marketdesk metrics run attribution --param model=w_shaped --format xlsx -o credits.xlsx
    marketdesk metrics explain funnel --param window_days=30

``--param name=value`` sets a dimension filter (``channel=email``) or a KPI option
(``window_days=30``), exactly as a URL query of ``/api/v1/metrics/kpis/<id>/run`` does.
A bad parameter is one line on stderr naming it, exit code 2; nothing is written.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from marketdesk import cli as base

_ = base._

metrics_app = typer.Typer(
    help=_("The KPI registry: list the KPIs, run one, show the SQL it runs."),
    no_args_is_help=True,
)

Period = Annotated[str | None, typer.Option("--period", help=_("day, week, month or quarter."))]
Start = Annotated[str | None, typer.Option("--start", help=_("First local day (YYYY-MM-DD)."))]
End = Annotated[str | None, typer.Option("--end", help=_("Last local day, included (YYYY-MM-DD)."))]
By = Annotated[str | None, typer.Option("--by", help=_("A dimension to cut by (channel, campaign, owner …)."))]
Tz = Annotated[str | None, typer.Option("--tz", help=_("Time zone of the periods (default: the team zone)."))]
Params = Annotated[list[str] | None, typer.Option(
    "--param", "-p", help=_("A filter or option as name=value; repeat for more."))]
OUTPUT_FORMATS = ("table", "csv", "json", "xlsx")


def _kwargs(kpi_id: str, period, start, end, by, tz, params) -> dict:
    from marketdesk.metrics import registry  # noqa: PLC0415

    query = {"period": period, "start": start, "end": end, "by": by, "tz": tz}
    for pair in params or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            base._fail(_("--param takes name=value, not %(value)r.") % {"value": pair}, 2)
        if name.strip() in query and query[name.strip()] is not None:
            base._fail(_("%(name)s is given twice.") % {"name": name.strip()}, 2)
        query[name.strip()] = value
    try:
        return registry.params_from(kpi_id, query)
    except registry.UnknownKpi:
        base._fail(_("Unknown KPI %(kpi)r; `marketdesk metrics list` shows them.") % {"kpi": kpi_id}, 2)
    except registry.KpiParameterError as exc:
        base._fail(str(exc), 2)


def _known(kpi_id: str):
    from marketdesk.metrics import registry  # noqa: PLC0415

    try:
        return registry.get(kpi_id)
    except registry.UnknownKpi:
        base._fail(_("Unknown KPI %(kpi)r; `marketdesk metrics list` shows them.") % {"kpi": kpi_id}, 2)


@metrics_app.command("list", help=_("Every KPI with its DOMAIN id, unit and formula."))
def list_kpis(
    role: Annotated[str | None, typer.Option("--role", help=_("Only the KPIs of one role (email, blog, sales …)."))] = None,
    fmt: Annotated[str, typer.Option("--format", help=_("table or json."))] = "table",
):
    base._ready()
    from marketdesk.metrics import registry  # noqa: PLC0415

    if fmt not in ("table", "json"):
        base._fail(_("--format is table or json, not %(value)r.") % {"value": fmt}, 2)
    if role is not None and role not in registry.ROLES:
        base._fail(_("Unknown role %(role)r (one of: %(roles)s).") % {
            "role": role, "roles": ", ".join(registry.ROLES)}, 2)
    kpis = [k for k in registry.catalogue().values() if role is None or k.role == role]
    if fmt == "json":
        typer.echo(json.dumps([{"id": k.id, "domain": list(k.domains), "role": k.role,
                                "name": k.name, "unit": k.unit, "formula": k.formula,
                                "cut_by": list(k.cut_by), "period": k.has_period,
                                "options": [o.name for o in k.options]} for k in kpis],
                              ensure_ascii=False, indent=1))
        return
    base._print_table([_("KPI"), _("DOMAIN"), _("unit"), _("name"), _("formula")],
                      [[k.id, "/".join(k.domains), k.unit, k.name, k.formula] for k in kpis])


def _table(result) -> None:
    from marketdesk.metrics import registry  # noqa: PLC0415

    def shown(column, value):
        if value is None:
            return "–"
        if column == "value":
            return registry.format_value(result.kpi, value)
        if isinstance(value, float):
            return f"{value:,.4f}".rstrip("0").rstrip(".")
        return str(value)

    typer.echo(f"{result.kpi.name} ({'/'.join(result.kpi.domains)}) = {result.kpi.formula}")
    if not result.rows:
        typer.echo(_("No data for these parameters."))
        return
    base._print_table(list(result.columns),
                      [[shown(c, v) for c, v in zip(result.columns, row, strict=True)]
                       for row in result.rows])


@metrics_app.command(help=_("Run a KPI and print or save its numbers."))
def run(
    kpi: Annotated[str, typer.Argument(help=_("The KPI id (see `marketdesk metrics list`)."))],
    period: Period = None, start: Start = None, end: End = None, by: By = None, tz: Tz = None,
    param: Params = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help=_("table, csv, json or xlsx."))] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help=_("Write to this file instead of the terminal."))] = None,
):
    base._ready()
    from marketdesk.metrics import exports, registry  # noqa: PLC0415

    _known(kpi)
    if fmt not in OUTPUT_FORMATS:
        base._fail(_("--format is one of %(formats)s, not %(value)r.") % {
            "formats": ", ".join(OUTPUT_FORMATS), "value": fmt}, 2)
    if fmt == "xlsx" and output is None and sys.stdout.isatty():
        base._fail(_("An XLSX file is binary: give --output FILE."), 2)
    kwargs = _kwargs(kpi, period, start, end, by, tz, param)
    try:
        result = registry.run(kpi, **kwargs)
    except registry.KpiParameterError as exc:
        base._fail(str(exc), 2)
    if fmt == "table":
        if output is not None:
            base._fail(_("--output needs --format csv, json or xlsx."), 2)
        _table(result)
        return
    data = exports.render(result, fmt)
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data if fmt == "xlsx" else data.removeprefix("\ufeff".encode()))
        sys.stdout.buffer.flush()
        return
    try:
        tmp = output.with_name(output.name + ".part")
        tmp.write_bytes(data)
        tmp.replace(output)
    except OSError as exc:
        base._fail(_("Cannot write %(file)s: %(reason)s") % {"file": output, "reason": exc.strerror})
    typer.echo(_("%(rows)d rows written to %(file)s.") % {"rows": len(result.rows), "file": output})


@metrics_app.command(help=_("Show the SQL a KPI runs with these parameters."))
def explain(
    kpi: Annotated[str, typer.Argument(help=_("The KPI id (see `marketdesk metrics list`)."))],
    period: Period = None, start: Start = None, end: End = None, by: By = None, tz: Tz = None,
    param: Params = None,
):
    base._ready()
    from marketdesk.metrics import registry  # noqa: PLC0415

    _known(kpi)
    kwargs = _kwargs(kpi, period, start, end, by, tz, param)
    try:
        typer.echo(registry.explain(kpi, **kwargs))
    except registry.KpiParameterError as exc:
        base._fail(str(exc), 2)
