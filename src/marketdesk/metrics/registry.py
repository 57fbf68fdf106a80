"""The KPI registry (DOMAIN K1–K10, F2–F5, O16): one declaration per KPI, read by every
page, API call, CLI command, export and test.

A declaration (:class:`Kpi`) carries the KPI's names in both languages, its formula and
convention as shown next to the number, its unit, the dimensions it may be cut by, its
DOMAIN id, and its query: a function that builds an Ibis expression from a
:class:`RunContext` (so ``explain`` can show the SQL without running it), or — for the
KPIs that are whole reports (funnel, attribution, ROI) — a runner that calls the report
module and returns its rows and SQL.

Periods are bucketed in the team's time zone (``timezone(zone, ts)``: a function both
DuckDB, with its built-in ICU, and PostgreSQL provide); ``start``/``end`` are local days,
both included, turned into UTC instants before they reach the query, so the partition key
(the UTC date) still prunes files.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.datatypes as dtypes
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from marketdesk.metrics.schema import NONE_LABEL

PERIODS = ("day", "week", "month", "quarter")
_TRUNCATE = {"day": "D", "week": "W", "month": "M", "quarter": "Q"}
UNITS = ("ratio", "percent", "count", "currency", "score", "days")

#: Every dimension a KPI may be cut by (``by``) or filtered on (``filters``); a KPI lists
#: the ones it supports.
DIMENSIONS = {
    "period": _("Period"),
    "channel": _("Channel"),
    "campaign": _("Campaign"),
    "content": _("Content"),
    "product": _("Product"),
    "region": _("Region"),
    "owner": _("Sales rep"),
    "platform": _("Platform"),
    "feature": _("Feature"),
    "kind": _("Activity kind"),
    "stage": _("Stage"),
    "survey": _("Survey"),
    "event": _("Event"),
    "step": _("Step"),
}

#: The roles KPIs are grouped by on the catalogue page (DOMAIN K1 … K8, then F).
ROLES = {
    "email": _("K1 Email marketing"),
    "blog": _("K2 Blog"),
    "enablement": _("K3 Sales enablement"),
    "social": _("K4 Social media"),
    "product": _("K5 Product marketing (F5)"),
    "conversion": _("K6 Conversion and optimisation"),
    "campaign": _("K7 Campaign manager"),
    "sales": _("K8 Sales manager"),
    "success": _("F Feedback, ROI and penetration"),
    "attribution": _("K10 Attribution"),
}


class KpiParameterError(ValueError):
    """A run parameter that the KPI does not accept: names the parameter and the reason."""

    def __init__(self, parameter: str, message: str):
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


class UnknownKpi(LookupError):
    def __init__(self, kpi_id: str):
        super().__init__(f"unknown KPI {kpi_id!r}")
        self.kpi_id = kpi_id


@ibis.udf.scalar.builtin(signature=((dtypes.string, dtypes.Timestamp(timezone="UTC")),
                                    dtypes.timestamp))
def timezone(zone, ts):  # noqa: ARG001 — a built-in SQL function of DuckDB and PostgreSQL
    """The local wall-clock time of a UTC instant in ``zone``."""


@dataclass(frozen=True)
class Option:
    """A KPI-specific run option (e.g. the attribution window), with its allowed values."""

    name: str
    label: Any
    default: Any
    choices: tuple = ()
    kind: type = str
    minimum: float | None = None
    maximum: float | None = None

    def parse(self, raw):
        if raw is None or raw == "":
            return self.default
        try:
            value = self.kind(raw)
        except (TypeError, ValueError):
            raise KpiParameterError(self.name, f"not a {self.kind.__name__}: {raw!r}") from None
        if self.choices and value not in self.choices:
            raise KpiParameterError(self.name, f"{raw!r} is not one of {', '.join(map(str, self.choices))}")
        if self.minimum is not None and value < self.minimum:
            raise KpiParameterError(self.name, f"must be at least {self.minimum:g}")
        if self.maximum is not None and value > self.maximum:
            raise KpiParameterError(self.name, f"must be at most {self.maximum:g}")
        return value


@dataclass(frozen=True)
class Kpi:
    """One KPI. Names, formula and notes are literal in both languages (so the registry
    needs no translation catalogue to be complete)."""

    id: str
    domain: str
    role: str
    name_en: str
    name_zh: str
    formula_en: str
    formula_zh: str
    unit: str
    dimensions: tuple[str, ...]
    notes_en: str = ""
    notes_zh: str = ""
    #: builds the expression from a RunContext (columns: the keys, then the measures,
    #: then ``value``)
    query: Callable[[RunContext], Any] | None = None
    #: for report KPIs: returns (columns, rows, sql) itself
    runner: Callable[[RunContext], tuple[list[str], list[list], str]] | None = None
    #: the fact tables the query reads
    tables: tuple[str, ...] = ()
    #: run options beyond period/start/end/by/filters
    options: tuple[Option, ...] = ()
    #: a dimension the KPI is always cut by (a per-platform reach, a funnel's steps)
    required_by: str | None = None
    #: other DOMAIN ids that cite this KPI
    also: tuple[str, ...] = ()

    def __post_init__(self):
        if self.unit not in UNITS:
            raise ValueError(f"{self.id}: unit {self.unit!r} is not one of {UNITS}")
        unknown = set(self.dimensions) - set(DIMENSIONS)
        if unknown:
            raise ValueError(f"{self.id}: unknown dimensions {sorted(unknown)}")
        if (self.query is None) == (self.runner is None):
            raise ValueError(f"{self.id}: declare exactly one of query and runner")
        if self.role not in ROLES:
            raise ValueError(f"{self.id}: unknown role {self.role!r}")

    @property
    def _zh(self) -> bool:
        return (translation.get_language() or "").lower().startswith("zh")

    @property
    def name(self) -> str:
        """The name in the active language."""
        return self.name_zh if self._zh else self.name_en

    @property
    def formula(self) -> str:
        return self.formula_zh if self._zh else self.formula_en

    @property
    def notes(self) -> str:
        return self.notes_zh if self._zh else self.notes_en

    @property
    def domains(self) -> tuple[str, ...]:
        return (self.domain, *self.also)

    @property
    def cut_by(self) -> tuple[str, ...]:
        """The dimensions ``by`` may name (period is its own parameter)."""
        return tuple(d for d in self.dimensions if d != "period")

    @property
    def has_period(self) -> bool:
        return "period" in self.dimensions


@dataclass(frozen=True)
class RunContext:
    """What a KPI's query is built from."""

    con: Any
    kpi: Kpi
    period: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    by: str | None = None
    filters: Mapping[str, str] = field(default_factory=dict)
    tz: str = "Asia/Shanghai"
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.tz)

    @property
    def start_utc(self) -> dt.datetime | None:
        """The first instant of the local day ``start``, in UTC."""
        if self.start is None:
            return None
        return dt.datetime.combine(self.start, dt.time(), self.zone).astimezone(dt.UTC)

    @property
    def end_utc(self) -> dt.datetime | None:
        """The first instant after the local day ``end`` (exclusive bound), in UTC."""
        if self.end is None:
            return None
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(),
                                   self.zone).astimezone(dt.UTC)

    def table(self, name: str):
        return self.con.table(name)

    def in_range(self, table, column: str = "ts"):
        """Rows of ``table`` whose ``column`` lies in [start, end] (local days)."""
        ts = table[column]
        if self.start_utc is not None:
            table = table.filter(ts >= ibis.literal(self.start_utc, type="timestamp('UTC')"))
        if self.end_utc is not None:
            table = table.filter(ts < ibis.literal(self.end_utc, type="timestamp('UTC')"))
        return table

    def bucket(self, ts):
        """The local period (a date: its first day) of a UTC timestamp."""
        return timezone(self.tz, ts).truncate(_TRUNCATE[self.period]).cast("date")

    def option(self, name: str):
        return self.options[name]


def labelled(value):
    """A dimension value with a missing value shown (and grouped) as "(none)"."""
    return ibis.coalesce(value, ibis.literal(NONE_LABEL))


def grouped(ctx: RunContext, table, dims: Mapping[str, Callable], *, time="ts", **measures):
    """Apply the context's filters, then aggregate ``measures`` (functions of the table)
    per period bucket (of column ``time``) and per ``ctx.by`` (a function in ``dims``)."""
    for name, wanted in ctx.filters.items():
        table = table.filter(dims[name](table) == wanted)
    keys = []
    if ctx.period:
        keys.append(ctx.bucket(table[time]).name("period"))
    if ctx.by:
        keys.append(dims[ctx.by](table).name(ctx.by))
    metrics = {name: fn(table) for name, fn in measures.items()}
    if keys:
        return table.group_by(keys).aggregate(**metrics)
    return table.aggregate(**metrics)


def ratio(numerator, denominator):
    """numerator / denominator as a float, NULL when the denominator is 0."""
    return numerator.cast("float64") / ibis.ifelse(denominator == 0, ibis.null(), denominator)


def key_columns(ctx: RunContext) -> list[str]:
    return ([("period")] if ctx.period else []) + ([ctx.by] if ctx.by else [])


# --- The catalogue -----------------------------------------------------------------------

def catalogue() -> dict[str, Kpi]:
    """Every KPI, by id, in declaration order."""
    from marketdesk.metrics import kpis  # noqa: PLC0415 — the declarations import this module

    return kpis.KPIS


def get(kpi_id: str) -> Kpi:
    try:
        return catalogue()[kpi_id]
    except KeyError:
        raise UnknownKpi(kpi_id) from None


def by_role() -> list[tuple[str, Any, list[Kpi]]]:
    """(role, label, KPIs) in the catalogue's order of roles."""
    groups: dict[str, list[Kpi]] = {role: [] for role in ROLES}
    for kpi in catalogue().values():
        groups[kpi.role].append(kpi)
    return [(role, ROLES[role], items) for role, items in groups.items() if items]


#: The dashboard each role lands on at /metrics/ (DOMAIN K: what the role is judged by).
DASHBOARDS = {
    "director": ("roi", "new_recurring_revenue", "revenue_per_rep", "funnel", "nps",
                 "market_penetration"),
    "marketer": ("leads_per_campaign", "email_open_rate", "email_ctr", "blog_external_visits",
                 "leads_per_post", "cta_ctr", "landing_page_submission_rate"),
    "sales": ("lead_to_customer", "opportunity_to_customer", "leads_handed_to_sales",
              "revenue_per_rep", "sales_activities"),
}
DASHBOARDS["admin"] = DASHBOARDS["director"]
DASHBOARDS["team_leader"] = DASHBOARDS["marketer"]
DASHBOARDS["reviewer"] = DASHBOARDS["marketer"]


# --- Running -----------------------------------------------------------------------------

@dataclass(frozen=True)
class KpiResult:
    kpi: Kpi
    columns: list[str]
    rows: list[list]
    sql: str
    context: RunContext | None = None

    def as_dicts(self) -> list[dict]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    @property
    def total(self):
        """The single ``value`` of an uncut run (None when cut or without a value)."""
        if len(self.rows) == 1 and "value" in self.columns \
                and not (self.context and (self.context.by or self.context.period)):
            return self.rows[0][self.columns.index("value")]
        return None


def _parse_date(name: str, value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        raise KpiParameterError(name, "give a date (YYYY-MM-DD), not a time")
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise KpiParameterError(name, f"not a date (YYYY-MM-DD): {value!r}") from None


def context(kpi_id: str, *, con=None, period=None, start=None, end=None, by=None,
            filters=None, tz=None, options=None) -> RunContext:
    """Check every parameter against the KPI's declaration and build its run context."""
    kpi = get(kpi_id)
    if period in ("", None):
        period = None
    elif not kpi.has_period:
        raise KpiParameterError("period", f"{kpi.id} is not cut by period")
    elif period not in PERIODS:
        raise KpiParameterError("period", f"{period!r} is not one of {', '.join(PERIODS)}")
    start = _parse_date("start", start)
    end = _parse_date("end", end)
    if start and end and start > end:
        raise KpiParameterError("end", "the end is before the start")
    by = by or kpi.required_by or None
    if by is not None and by not in kpi.cut_by:
        allowed = ", ".join(kpi.cut_by) or "nothing"
        raise KpiParameterError("by", f"{kpi.id} can be cut by {allowed}, not {by!r}")
    clean_filters = {}
    for name, value in (filters or {}).items():
        if name not in kpi.cut_by:
            raise KpiParameterError(name, f"{kpi.id} cannot be filtered on {name!r}")
        if not isinstance(value, str) or not value:
            raise KpiParameterError(name, "a filter value is a non-empty text")
        clean_filters[name] = value
    tz = tz or settings.DEFAULT_TEAM_TIME_ZONE
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise KpiParameterError("tz", f"unknown time zone {tz!r}") from None
    known = {o.name: o for o in kpi.options}
    extra = set(options or {}) - set(known)
    if extra:
        raise KpiParameterError(sorted(extra)[0], f"{kpi.id} has no option {sorted(extra)[0]!r}")
    parsed = {name: option.parse((options or {}).get(name)) for name, option in known.items()}
    if con is None:
        from marketdesk.metrics import store  # noqa: PLC0415

        con = store.connect(kpi.tables or None)
    return RunContext(con=con, kpi=kpi, period=period, start=start, end=end, by=by,
                      filters=clean_filters, tz=tz, options=parsed)


#: The run parameters every KPI takes (beside its filters and options).
RUN_PARAMETERS = ("period", "start", "end", "by", "tz")


def params_from(kpi_id: str, query: Mapping[str, str]) -> dict:
    """Run keyword arguments from flat name → text pairs, as a URL query or the CLI's
    ``--param name=value`` give them: ``period``, ``start``, ``end``, ``by``, ``tz``; a
    dimension's name is a filter (``channel=email``); an option's name sets the option
    (``window_days=30``). Empty values are ignored; an unknown name is a
    :class:`KpiParameterError` naming it."""
    kpi = get(kpi_id)
    options = {o.name for o in kpi.options}
    out: dict[str, Any] = {}
    filters: dict[str, str] = {}
    chosen: dict[str, str] = {}
    for name, value in query.items():
        if value is None or value == "":
            continue
        if name in RUN_PARAMETERS:
            out[name] = value
        elif name in options:
            chosen[name] = value
        elif name in kpi.cut_by:
            filters[name] = value
        else:
            known = [*RUN_PARAMETERS, *kpi.cut_by, *sorted(options)]
            raise KpiParameterError(name, f"{kpi.id} takes no parameter {name!r} "
                                          f"(it takes: {', '.join(known)})")
    if filters:
        out["filters"] = filters
    if chosen:
        out["options"] = chosen
    return out


def _plain(value):
    """Python values a page, JSON or a spreadsheet can take (no numpy/pandas scalars)."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and value != value:  # NaN
        return None
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() and value.tzinfo is None else value
    return value


def _dialect(con) -> str:
    return getattr(con, "name", "duckdb")


def run(kpi_id: str, **params) -> KpiResult:
    """Run a KPI: ``period``, ``start``, ``end`` (local dates), ``by``, ``filters``,
    ``tz``, ``options``, ``con`` (an Ibis connection; the store's by default)."""
    ctx = context(kpi_id, **params)
    kpi = ctx.kpi
    if kpi.runner is not None:
        columns, rows, sql = kpi.runner(ctx)
        return KpiResult(kpi, list(columns), [[_plain(v) for v in row] for row in rows], sql, ctx)
    expr = kpi.query(ctx)
    keys = key_columns(ctx)
    if keys:
        expr = expr.order_by(keys)
    sql = ibis.to_sql(expr, dialect=_dialect(ctx.con))
    table = ctx.con.to_pyarrow(expr)
    columns = list(table.column_names)
    rows = [[_plain(row[c]) for c in columns] for row in table.to_pylist()]
    return KpiResult(kpi, columns, rows, sql, ctx)


def explain(kpi_id: str, **params) -> str:
    """The SQL the KPI runs with these parameters (its report's SQL for report KPIs)."""
    ctx = context(kpi_id, **params)
    if ctx.kpi.runner is not None:
        return ctx.kpi.runner(ctx)[2]
    expr = ctx.kpi.query(ctx)
    keys = key_columns(ctx)
    if keys:
        expr = expr.order_by(keys)
    return str(ibis.to_sql(expr, dialect=_dialect(ctx.con)))


def format_value(kpi: Kpi, value) -> str:
    """A number as shown beside its formula."""
    if value is None:
        return "–"
    if kpi.unit == "ratio":
        return f"{value * 100:.1f}%"
    if kpi.unit == "percent":
        return f"{value:.2f}%"
    if kpi.unit == "count":
        return f"{value:,.0f}"
    if kpi.unit == "currency":
        return f"{value:,.2f}"
    if kpi.unit == "score":
        return f"{value:.1f}"
    return f"{value:.1f}"
