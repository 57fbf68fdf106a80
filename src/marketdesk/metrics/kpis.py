"""The KPI declarations (DOMAIN K1–K10, F2–F5, O16), one :class:`registry.Kpi` each.

Every query reads the facts of decision 0006 only and is set-based (Ibis: group-bys,
joins and window functions; no Python loop over fact rows). Conventions that a reader of
the number needs are in the declaration's notes, shown next to the number.
"""

from __future__ import annotations

import ibis
from django.conf import settings

from marketdesk.metrics.registry import Kpi, Option, grouped, labelled, ratio
from marketdesk.metrics.schema import NONE_LABEL

#: A conversion with no eligible touch (DOMAIN conventions: never spread over channels).
UNATTRIBUTED = "(unattributed)"
_UTC = "timestamp('UTC')"


# --- Shared building blocks ----------------------------------------------------------------

def _touches(ctx):
    """Touchpoints with ``who`` (the person: the touch's own person id, else the person the
    anonymous id was stitched to later — decision 0006) and ``visitor`` (who, else the
    anonymous id)."""
    t = ctx.table("touchpoints")
    ids = ctx.table("identities")
    stitched = ids.group_by(anon=ids.anonymous_id).aggregate(stitched=ids.person_id.argmax(ids.ts))
    joined = t.left_join(stitched, t.anonymous_id == stitched.anon)
    joined = joined.select(*[joined[c] for c in t.columns],
                           who=ibis.coalesce(joined.person_id, joined.stitched))
    return joined.mutate(visitor=ibis.coalesce(joined.who, joined.anonymous_id))


TOUCH_DIMS = {
    "channel": lambda t: labelled(t.channel),
    "campaign": lambda t: labelled(t.campaign),
    "content": lambda t: labelled(t.content_id),
}


def _first_stage(ctx, stage: str):
    """Each person's first entry into a lifecycle stage (a back-dated or repeated stage
    row does not count twice): person_id, ts, owner (of that first row)."""
    lc = ctx.table("lifecycle")
    rows = lc.filter(lc.stage == stage)
    rows = rows.mutate(_rn=ibis.row_number().over(group_by=rows.person_id,
                                                   order_by=[rows.ts, rows.event_id]))
    return rows.filter(rows._rn == 0).select("person_id", "ts", "owner")


def _current_owner(ctx):
    """The sales rep of each person: the owner on their latest lifecycle row that names one."""
    lc = ctx.table("lifecycle")
    named = lc.filter(lc.owner.notnull())
    return named.group_by(pid=named.person_id).aggregate(rep=named.owner.argmax(named.ts))


def _won_deals(ctx):
    """One row per closed-won deal (its first closed_won row): deal_id, ts, amount, …"""
    d = ctx.table("deals")
    won = d.filter(d.stage == "closed_won")
    won = won.mutate(_rn=ibis.row_number().over(group_by=won.deal_id,
                                                 order_by=[won.ts, won.event_id]))
    return won.filter(won._rn == 0).drop("_rn")


DEAL_DIMS = {
    "owner": lambda t: labelled(t.owner),
    "product": lambda t: labelled(t.product),
    "region": lambda t: labelled(t.region),
}


def _with_value(expr):
    return expr.mutate(value=ratio(expr.numerator, expr.denominator))


# --- K1 Email marketing ----------------------------------------------------------------------

def _email_rate(kind: str):
    def query(ctx):
        t = ctx.in_range(ctx.table("touchpoints"))
        t = t.filter(t.event_type.isin(["email_delivered", kind]))
        # One open (click, unsubscribe) per recipient and email, however often repeated.
        recipient = ibis.coalesce(t.person_id, t.anonymous_id, t.event_id)
        email = ibis.coalesce(t.content_id, t.campaign, ibis.literal(NONE_LABEL))
        t = t.mutate(_k=recipient.concat("|", email))
        return _with_value(grouped(
            ctx, t, TOUCH_DIMS,
            numerator=lambda t: t._k.nunique(where=t.event_type == kind),
            denominator=lambda t: t._k.nunique(where=t.event_type == "email_delivered")))
    return query


_EMAIL_NOTES_EN = ("Counted once per recipient and email (content id, else campaign); "
                   "each event in the period it happened, in the team's time zone.")
_EMAIL_NOTES_ZH = "每位收件人每封邮件(内容编号,否则活动)只计一次;各事件按发生时间计入团队时区的周期。"


# --- K2 Blog ---------------------------------------------------------------------------------

_HOST = r"^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/@?#]*@)?([^/:?#]+)"


def _blog_external_visits(ctx):
    t = ctx.in_range(ctx.table("touchpoints"))
    t = t.filter((t.event_type == "page_view") & t.content_id.notnull())
    host = ibis.coalesce(t.referrer.re_extract(_HOST, 1).lower(), ibis.literal(""))
    internal = ibis.literal(False)
    for domain in getattr(settings, "MARKETDESK_OWN_DOMAINS", []):
        internal = internal | (host == domain) | host.endswith("." + domain)
    t = t.filter(~internal)
    return grouped(ctx, t, TOUCH_DIMS, value=lambda t: t.count())


def _leads_per_post(ctx):
    window = ctx.option("window_days")
    leads = ctx.in_range(_first_stage(ctx, "lead")).rename(lead_ts="ts")
    touches = _touches(ctx)
    # A post is a page view with a content id (an e-mail's content id is not a post).
    touches = touches.filter((touches.event_type == "page_view") & touches.content_id.notnull()
                             & touches.who.notnull())
    j = leads.inner_join(touches, [
        leads.person_id == touches.who,
        touches.ts < leads.lead_ts,
        touches.ts >= leads.lead_ts - ibis.interval(days=window)])
    j = j.select(person_id=j.person_id, content_id=j.content_id, ts=j.lead_ts).distinct()
    return grouped(ctx, j, {"content": lambda t: labelled(t.content_id)},
                   value=lambda t: t.person_id.nunique())


def _subscribers(ctx):
    t = _touches(ctx)
    t = t.filter(t.event_type == "subscribe")
    t = t.mutate(_rn=ibis.row_number().over(group_by=t.visitor, order_by=[t.ts, t.event_id]))
    first = ctx.in_range(t.filter(t._rn == 0))
    return grouped(ctx, first, TOUCH_DIMS, value=lambda t: t.visitor.nunique())


# --- K3 Sales enablement -------------------------------------------------------------------

def _stage_conversion(source: str, target: str):
    def query(ctx):
        cohort = ctx.in_range(_first_stage(ctx, source)).select("person_id", "ts")
        lc = ctx.table("lifecycle")
        reached = lc.filter(lc.stage == target).select(rid=lc.person_id, rts=lc.ts)
        j = cohort.left_join(reached, [cohort.person_id == reached.rid, reached.rts >= cohort.ts])
        per = j.group_by(["person_id", "ts"]).aggregate(converted=(j.rts.count() > 0).cast("int64"))
        owners = _current_owner(ctx)
        per = per.left_join(owners, per.person_id == owners.pid).select(
            "person_id", "ts", "converted", "rep")
        return _with_value(grouped(ctx, per, {"owner": lambda t: labelled(t.rep)},
                                   numerator=lambda t: t.converted.sum().fill_null(0),
                                   denominator=lambda t: t.count()))
    return query


def _attribution_runner(conversion: str, by_default: str):
    def runner(ctx):
        from marketdesk.metrics import attribution  # noqa: PLC0415

        result = attribution.run(
            ctx.con, conversion=ctx.options.get("conversion", conversion),
            by=ctx.by or by_default, window_days=ctx.option("window_days"),
            half_life_days=ctx.options.get("half_life_days", 7.0),
            start=ctx.start_utc, end=ctx.end_utc)
        models = list(result.models)
        key = ctx.by or by_default
        rows = [[credit["key"], *[credit[m] for m in models]] for credit in result.credits]
        if result.unattributed_value:
            rows.append([UNATTRIBUTED, *[result.unattributed_value] * len(models)])
        return [key, *models], rows, result.sql
    return runner


# --- K4 Social media -----------------------------------------------------------------------

SOCIAL_DIMS = {"platform": lambda t: labelled(t.platform)}


def _social_reach(ctx):
    s = ctx.in_range(ctx.table("social_stats"))
    s = s.filter(s.followers.notnull())
    part = [s.platform, s.handle] + ([ctx.bucket(s.ts)] if ctx.period else [])
    s = s.mutate(_rn=ibis.row_number().over(group_by=part, order_by=[s.ts.desc(), s.event_id.desc()]))
    return grouped(ctx, s.filter(s._rn == 0), SOCIAL_DIMS, value=lambda t: t.followers.sum())


def _social_leads(ctx):
    s = ctx.in_range(ctx.table("social_stats"))
    return grouped(ctx, s, SOCIAL_DIMS, value=lambda t: t.leads.sum().fill_null(0))


def _social_engagement(ctx):
    s = ctx.in_range(ctx.table("social_stats"))
    return _with_value(grouped(ctx, s, SOCIAL_DIMS,
                               numerator=lambda t: t.engagements.sum().fill_null(0),
                               denominator=lambda t: t.impressions.sum().fill_null(0)))


# --- K5 / F5 Product marketing ---------------------------------------------------------------

USAGE_DIMS = {"feature": lambda t: labelled(t.feature), "product": lambda t: labelled(t.product)}


def _feature_adoption(ctx):
    u = ctx.in_range(ctx.table("usage"))
    if "product" in ctx.filters:
        u = u.filter(labelled(u.product) == ctx.filters["product"])
    # Active accounts: any usage in the period (of the product when cut or filtered by it).
    keys = []
    if ctx.period:
        keys.append(ctx.bucket(u.ts).name("period"))
    if ctx.by == "product":
        keys.append(labelled(u.product).name("product"))
    active = (u.group_by(keys).aggregate(denominator=u.account_id.nunique()) if keys
              else u.aggregate(denominator=u.account_id.nunique()))
    adopters = grouped(ctx, u.filter(u.is_activation.fill_null(False)), USAGE_DIMS,
                       numerator=lambda t: t.account_id.nunique())
    shared = [k.get_name() for k in keys]
    if shared:
        j = adopters.inner_join(active, shared)
        j = j.select(*adopters.columns, "denominator")
    else:
        j = adopters.cross_join(active)
    return _with_value(j)


def _in_product_conversion(ctx):
    window = ctx.option("window_days")
    t = _touches(ctx)
    t = t.filter((t.event_type == "content_view") & t.content_id.notnull() & t.who.notnull())
    t = t.mutate(_rn=ibis.row_number().over(group_by=[t.who, t.content_id],
                                             order_by=[t.ts, t.event_id]))
    views = ctx.in_range(t.filter(t._rn == 0)).select(who="who", content_id="content_id", ts="ts")
    u = ctx.table("usage")
    act = u.filter(u.is_activation.fill_null(False) & u.person_id.notnull()).select(
        upid=u.person_id, uts=u.ts)
    j = views.left_join(act, [views.who == act.upid, act.uts >= views.ts,
                              act.uts < views.ts + ibis.interval(days=window)])
    per = j.group_by(["who", "content_id", "ts"]).aggregate(
        converted=(j.uts.count() > 0).cast("int64"))
    return _with_value(grouped(ctx, per, {"content": lambda t: labelled(t.content_id)},
                               numerator=lambda t: t.converted.sum().fill_null(0),
                               denominator=lambda t: t.count()))


def _revenue_by_feature(ctx):
    won = ctx.in_range(_won_deals(ctx))
    won = won.filter(won.account_id.notnull())
    u = ctx.table("usage")
    act = u.filter(u.is_activation.fill_null(False))
    first = act.group_by(acc=act.account_id, feat=act.feature).aggregate(ats=act.ts.min())
    j = won.inner_join(first, [won.account_id == first.acc, first.ats <= won.ts])
    j = j.select(ts=j.ts, amount=j.amount, feature=j.feat, product=j.product, region=j.region)
    return grouped(ctx, j, USAGE_DIMS | {"region": lambda t: labelled(t.region)},
                   value=lambda t: t.amount.sum().fill_null(0))


def _new_recurring_revenue(ctx):
    won = ctx.in_range(_won_deals(ctx))
    won = won.filter(won.recurring.fill_null(False))
    return grouped(ctx, won, DEAL_DIMS, value=lambda t: t.amount.sum().fill_null(0))


# --- K6 Conversion and optimisation ----------------------------------------------------------

def _organic_search_visits(ctx):
    t = ctx.in_range(ctx.table("touchpoints"))
    t = t.filter((t.event_type == "page_view") & (t.channel == "organic_search"))
    return grouped(ctx, t, TOUCH_DIMS, value=lambda t: t.count())


def _visit_to(target: str):
    def query(ctx):
        t = ctx.in_range(_touches(ctx))
        visits = t.filter(t.event_type == "page_view").select(v="visitor", vts="ts")
        if target == "subscriber":
            s = t.filter(t.event_type == "subscribe")
            hits = s.select(h="visitor", hts="ts")
        else:
            leads = ctx.in_range(_first_stage(ctx, "lead"))
            hits = leads.select(h="person_id", hts="ts")
        if ctx.period:
            visits = visits.select("v", period=ctx.bucket(visits.vts))
            hits = hits.select("h", hp=ctx.bucket(hits.hts))
        else:
            visits = visits.select("v")
            hits = hits.select("h")
        visits, hits = visits.distinct(), hits.distinct()
        cond = [visits.v == hits.h] + ([visits.period == hits.hp] if ctx.period else [])
        j = visits.left_join(hits, cond)
        j = j.select(*(["period"] if ctx.period else []), converted=j.h.notnull().cast("int64"))
        measures = {"numerator": j.converted.sum().fill_null(0), "denominator": j.count()}
        agg = j.group_by("period").aggregate(**measures) if ctx.period else j.aggregate(**measures)
        return _with_value(agg)
    return query


def _cta_ctr(ctx):
    t = ctx.in_range(ctx.table("touchpoints"))
    t = t.filter(t.event_type.isin(["cta_view", "cta_click"]))
    return _with_value(grouped(
        ctx, t, TOUCH_DIMS,
        numerator=lambda t: (t.event_type == "cta_click").cast("int64").sum(),
        denominator=lambda t: (t.event_type == "cta_view").cast("int64").sum()))


# --- K7 Campaign manager ---------------------------------------------------------------------

def _leads_per_campaign(ctx):
    leads = ctx.in_range(_first_stage(ctx, "lead")).select(pid="person_id", lead_ts="ts")
    t = _touches(ctx)
    t = t.filter(t.who.notnull())
    j = leads.left_join(t, [leads.pid == t.who, t.ts < leads.lead_ts])
    # The TRUE first touch: ordered by time over every touch, NULL campaigns included (an
    # arg_min over campaign would skip them and over-credit campaigns — issue 4).
    j = j.mutate(_rn=ibis.row_number().over(group_by=j.pid,
                                             order_by=[j.ts.asc(nulls_first=False),
                                                       j.event_id.asc(nulls_first=False)]))
    first = j.filter(j._rn == 0)
    first = first.select(
        pid="pid", ts="lead_ts",
        campaign=ibis.ifelse(first.event_id.isnull(), ibis.literal(UNATTRIBUTED),
                             labelled(first.campaign)),
        channel=ibis.ifelse(first.event_id.isnull(), ibis.literal(UNATTRIBUTED),
                            labelled(first.channel)))
    return grouped(ctx, first, {"campaign": lambda t: t.campaign, "channel": lambda t: t.channel},
                   value=lambda t: t.count())


def _landing_page_rate(ctx):
    t = ctx.in_range(ctx.table("touchpoints"))
    t = t.filter(t.event_type.isin(["page_view", "form_submit"]))
    return _with_value(grouped(
        ctx, t, TOUCH_DIMS,
        numerator=lambda t: (t.event_type == "form_submit").cast("int64").sum(),
        denominator=lambda t: (t.event_type == "page_view").cast("int64").sum()))


def _funnel_runner(ctx):
    from marketdesk.metrics import funnel  # noqa: PLC0415

    result = funnel.run(ctx.con, window_days=ctx.option("window_days"), by=ctx.by,
                        start=ctx.start_utc, end=ctx.end_utc)
    if ctx.by is None:
        rows = [[step, count, rate] for step, count, rate
                in zip(result.steps, result.counts, result.rates, strict=True)]
        return ["step", "count", "rate"], rows, result.sql
    rows = [[row["key"], step, row["counts"][i], row["rates"][i]]
            for row in result.breakdown for i, step in enumerate(result.steps)]
    return [ctx.by, "step", "count", "rate"], rows, result.sql


# --- K8 Sales manager ------------------------------------------------------------------------

def _leads_handed_to_sales(ctx):
    first = ctx.in_range(_first_stage(ctx, "sql"))
    return grouped(ctx, first, {"owner": lambda t: labelled(t.owner)},
                   value=lambda t: t.person_id.nunique())


def _revenue_per_rep(ctx):
    won = ctx.in_range(_won_deals(ctx))
    return grouped(ctx, won, DEAL_DIMS, value=lambda t: t.amount.sum().fill_null(0))


def _pipeline_by_stage(ctx):
    d = ctx.table("deals")
    if ctx.end_utc is not None:
        d = d.filter(d.ts < ibis.literal(ctx.end_utc, type=_UTC))
    d = d.mutate(_rn=ibis.row_number().over(group_by=d.deal_id,
                                             order_by=[d.ts.desc(), d.event_id.desc()]))
    latest = d.filter(d._rn == 0)
    if ctx.start_utc is not None:
        latest = latest.filter(latest.ts >= ibis.literal(ctx.start_utc, type=_UTC))
    return grouped(ctx, latest, DEAL_DIMS | {"stage": lambda t: t.stage},
                   deals=lambda t: t.count(), value=lambda t: t.amount.sum().fill_null(0))


def _sales_activities(ctx):
    a = ctx.in_range(ctx.table("sales_activities"))
    return grouped(ctx, a, {"kind": lambda t: t.kind, "owner": lambda t: labelled(t.owner)},
                   value=lambda t: t.count())


# --- F2 NPS, F3 ROI, F4 penetration ----------------------------------------------------------

def _nps(ctx):
    s = ctx.in_range(ctx.table("survey_responses"))
    s = s.filter(s.score.between(0, 10))
    g = grouped(ctx, s, {"product": lambda t: labelled(t.product),
                         "survey": lambda t: labelled(t.survey)},
                promoters=lambda t: (t.score >= 9).cast("int64").sum(),
                passives=lambda t: t.score.between(7, 8).cast("int64").sum(),
                detractors=lambda t: (t.score <= 6).cast("int64").sum(),
                responses=lambda t: t.count())
    return g.mutate(value=100.0 * ratio(g.promoters - g.detractors, g.responses))


def _roi_runner(ctx):
    from marketdesk.metrics import dimensions, roi  # noqa: PLC0415

    extra = dimensions.event_costs() if ctx.by == "event" else None
    result = roi.run(ctx.con, by=ctx.by, model=ctx.option("model"), start=ctx.start_utc,
                     end=ctx.end_utc, extra_costs=extra)
    rows = [[r["key"], r["cost"], r["return"], r["roi"]] for r in result.rows]
    return [ctx.by, "cost", "return", "value"], rows, result.sql


def _market_penetration(ctx):
    from marketdesk.metrics import dimensions  # noqa: PLC0415

    sizes = dimensions.market_sizes(year=ctx.end.year if ctx.end else None)
    size_table = ibis.memtable(
        {"sp": [s.product for s in sizes], "size": [s.target_customers for s in sizes]},
        schema={"sp": "string", "size": "int64"})
    won = _won_deals(ctx)
    if ctx.end_utc is not None:  # customers are a stock: every won deal up to the end
        won = won.filter(won.ts < ibis.literal(ctx.end_utc, type=_UTC))
    won = won.filter(won.product.notnull())
    won = won.mutate(customer=ibis.coalesce(won.account_id, won.person_id, won.deal_id))
    if "product" in ctx.filters:
        won = won.filter(won.product == ctx.filters["product"])
        size_table = size_table.filter(size_table.sp == ctx.filters["product"])
    customers = won.group_by(cp=won.product).aggregate(numerator=won.customer.nunique())
    j = size_table.left_join(customers, size_table.sp == customers.cp)
    j = j.select(product=j.sp, numerator=j.numerator.fill_null(0), denominator=j.size)
    if ctx.by is None:
        j = j.aggregate(numerator=j.numerator.sum(), denominator=j.denominator.sum())
    return j.mutate(value=100.0 * ratio(j.numerator, j.denominator))


# --- The declarations ------------------------------------------------------------------------

_WINDOW = Option("window_days", "window (days)", 90, kind=int, minimum=1, maximum=730)
_ATTRIBUTION_OPTIONS = (
    _WINDOW,
    Option("conversion", "conversion", "revenue", choices=("revenue", "leads")),
    Option("half_life_days", "time-decay half-life (days)", 7.0, kind=float, minimum=0.1,
           maximum=365),
)
_T = ("touchpoints",)


def _attribution_models() -> tuple[str, ...]:
    from marketdesk.metrics import attribution  # noqa: PLC0415

    return attribution.MODELS
_TI = ("touchpoints", "identities")
_TOUCH_CUTS = ("period", "channel", "campaign", "content")

DECLARATIONS = (
    # K1
    Kpi("email_open_rate", "K1", "email", "Email open rate", "邮件打开率",
        "unique opens / emails delivered", "唯一打开数 / 送达邮件数", "ratio",
        ("period", "campaign", "content"), _EMAIL_NOTES_EN, _EMAIL_NOTES_ZH,
        query=_email_rate("email_open"), tables=_T),
    Kpi("email_ctr", "K1", "email", "Email click-through rate", "邮件点击率",
        "unique clicks / emails delivered", "唯一点击数 / 送达邮件数", "ratio",
        ("period", "campaign", "content"), _EMAIL_NOTES_EN, _EMAIL_NOTES_ZH,
        query=_email_rate("email_click"), tables=_T),
    Kpi("email_unsubscribe_rate", "K1", "email", "Email unsubscribe rate", "邮件退订率",
        "unsubscribes / emails delivered", "退订数 / 送达邮件数", "ratio",
        ("period", "campaign", "content"), _EMAIL_NOTES_EN, _EMAIL_NOTES_ZH,
        query=_email_rate("email_unsubscribe"), tables=_T),
    # K2
    Kpi("blog_external_visits", "K2", "blog", "Blog visits from outside the domain",
        "站外来源的博客访问量",
        "page views of posts whose referrer host is not one of our domains",
        "来源域名不属于我方域名的文章页面浏览数", "count", _TOUCH_CUTS,
        "A post is a page view with a content id. Our domains: MARKETDESK_OWN_DOMAINS "
        "(subdomains included); a view without referrer (direct) counts as outside.",
        "文章 = 带内容编号的页面浏览。我方域名见 MARKETDESK_OWN_DOMAINS(含子域名);"
        "无来源(直接访问)计为站外。",
        query=_blog_external_visits, tables=_T),
    Kpi("leads_per_post", "K2", "blog", "Leads per post", "每篇文章带来的线索",
        "leads who touched the post in the window before becoming a lead",
        "成为线索前窗口期内接触过该文章的线索数", "count", ("period", "content"),
        "A lead counts for every post on their path (so posts add up to more than the "
        "leads); window = lead − N days ≤ touch < lead; period of the lead.",
        "一条线索计入其路径上的每篇文章(各文章之和可大于线索数);窗口:线索时间 − N 天 ≤ 接触 < "
        "线索时间;按成为线索的周期计。",
        query=_leads_per_post, tables=("touchpoints", "identities", "lifecycle"),
        options=(_WINDOW,), required_by="content"),
    Kpi("subscribers", "K2", "blog", "New subscribers", "新增订阅者",
        "visitors whose first subscribe event falls in the period",
        "首次订阅发生在该周期内的访客数", "count", _TOUCH_CUTS,
        "Cut by the channel, campaign and content of the first subscribe touch.",
        "按首次订阅那次接触的渠道、活动和内容切分。",
        query=_subscribers, tables=_TI),
    # K3 (lead→customer is also K6)
    Kpi("lead_to_customer", "K3", "enablement", "Lead → customer conversion",
        "线索→客户转化率", "leads who later became customers / leads",
        "之后成为客户的线索数 / 线索数", "ratio", ("period", "owner"),
        "Cohort: persons whose first lead stage is in the period; converted when a customer "
        "stage follows at any later time. Rep = owner on the person's latest lifecycle row.",
        "队列:首次进入线索阶段在该周期内的人;之后任何时间进入客户阶段即为转化。销售代表 = "
        "该人最近一条生命周期记录上的负责人。",
        query=_stage_conversion("lead", "customer"), tables=("lifecycle",), also=("K6",)),
    Kpi("opportunity_to_customer", "K3", "enablement", "Opportunity → customer conversion",
        "商机→客户转化率", "opportunities that became customers / opportunities",
        "成为客户的商机数 / 商机数", "ratio", ("period", "owner"),
        "Cohort: persons whose first opportunity stage is in the period; converted when a "
        "customer stage follows. Rep = owner on the person's latest lifecycle row.",
        "队列:首次进入商机阶段在该周期内的人;之后进入客户阶段即为转化。销售代表 = 该人最近一条"
        "生命周期记录上的负责人。",
        query=_stage_conversion("opportunity", "customer"), tables=("lifecycle",)),
    Kpi("content_driven_conversion", "K3", "enablement", "Content-driven conversion",
        "内容驱动的转化", "won revenue credited to each content item, per attribution model",
        "按各归因模型分配给每个内容的成交收入", "currency", ("content",),
        "Touches before the conversion within the window (conversion − N days ≤ touch < "
        "conversion); revenue with no eligible touch is shown as (unattributed).",
        "转化前窗口期内的接触(转化 − N 天 ≤ 接触 < 转化);没有可归因接触的收入显示为“(unattributed)”。",
        runner=_attribution_runner("revenue", "content"),
        tables=("touchpoints", "identities", "lifecycle", "deals"),
        options=_ATTRIBUTION_OPTIONS[:1], required_by="content", also=("K10",)),
    # K4
    Kpi("social_reach", "K4", "social", "Social reach (followers)", "社交媒体覆盖(粉丝数)",
        "followers per platform on the latest statistics of each account",
        "各平台每个账号最新统计的粉丝数之和", "count", ("period", "platform"),
        "Latest followers figure of each account (handle) in the period, summed per platform.",
        "取每个账号在该周期内最新的粉丝数,按平台汇总。",
        query=_social_reach, tables=("social_stats",)),
    Kpi("social_leads", "K4", "social", "Leads from social media", "社交媒体线索",
        "sum of leads reported by the platforms", "各平台报告的线索数之和", "count",
        ("period", "platform"), query=_social_leads, tables=("social_stats",)),
    Kpi("social_engagement_rate", "K4", "social", "Social engagement rate", "社交媒体互动率",
        "engagements / impressions", "互动数 / 展示数", "ratio", ("period", "platform"),
        query=_social_engagement, tables=("social_stats",)),
    # K5 / F5
    Kpi("feature_adoption_rate", "F5", "product", "Feature adoption rate", "功能采用率",
        "accounts with an activation event of the feature / active accounts",
        "产生该功能激活事件的账户数 / 活跃账户数", "ratio", ("period", "feature", "product"),
        "An activation event defines a real user of a feature (F5). Active accounts: any "
        "usage event in the period (of the product when cut by product).",
        "激活事件定义功能的真实用户(F5)。活跃账户:该周期内有任何使用事件的账户(按产品切分时为该产品)。",
        query=_feature_adoption, tables=("usage",), also=("K5",)),
    Kpi("in_product_conversion", "F5", "product", "In-product conversion (content → feature)",
        "产品内转化(内容→功能)", "content viewers who activated a feature within the window / viewers",
        "窗口期内激活功能的内容浏览者 / 浏览者", "ratio", ("period", "content"),
        "Per person and content item, from the first view; converted when the same person "
        "has an activation event at or after the view and within N days.",
        "按人和内容计,从首次浏览起;同一人在浏览后 N 天内有激活事件即为转化。",
        query=_in_product_conversion, tables=("touchpoints", "identities", "usage"),
        options=(_WINDOW,), also=("K5",)),
    Kpi("revenue_by_feature", "F5", "product", "Revenue by feature", "按功能的收入",
        "closed-won revenue of accounts that had activated the feature before the close",
        "成交前已激活该功能的账户的成交收入", "currency",
        ("period", "feature", "product", "region"),
        "A deal counts for every feature its account had activated, so features add up to "
        "more than the revenue.", "一笔成交计入其账户已激活的每个功能,因此各功能之和可大于总收入。",
        query=_revenue_by_feature, tables=("deals", "usage"), required_by="feature",
        also=("K5",)),
    Kpi("new_recurring_revenue", "F5", "product", "New recurring revenue", "新增经常性收入",
        "sum of amounts of recurring deals closed won", "经常性成交合同金额之和", "currency",
        ("period", "product", "region", "owner"),
        "Each deal once, at its first closed_won row; amounts in the deal's currency.",
        "每笔交易只计一次,以首次成交记录为准;金额为交易币种。",
        query=_new_recurring_revenue, tables=("deals",), also=("K5",)),
    # K6
    Kpi("organic_search_visits", "K6", "conversion", "Organic-search visits", "自然搜索访问量",
        "page views from the organic_search channel", "来自自然搜索渠道的页面浏览数", "count",
        ("period", "campaign", "content"), query=_organic_search_visits, tables=_T),
    Kpi("visit_to_subscriber", "K6", "conversion", "Visit → subscriber rate", "访问→订阅转化率",
        "visitors who subscribed / visitors", "订阅的访客数 / 访客数", "ratio", ("period",),
        "Visitors: distinct persons (or anonymous ids) with a page view; subscribed in the "
        "same period.", "访客:有页面浏览的去重人员(或匿名编号);同一周期内订阅。",
        query=_visit_to("subscriber"), tables=_TI),
    Kpi("visit_to_lead", "K6", "conversion", "Visit → lead rate", "访问→线索转化率",
        "visitors who became leads / visitors", "成为线索的访客数 / 访客数", "ratio", ("period",),
        "Visitors: distinct persons (or anonymous ids) with a page view; first lead stage in "
        "the same period.", "访客:有页面浏览的去重人员(或匿名编号);同一周期内首次成为线索。",
        query=_visit_to("lead"), tables=("touchpoints", "identities", "lifecycle")),
    Kpi("cta_ctr", "K6", "conversion", "CTA click-through rate", "行动号召点击率",
        "CTA clicks / CTA views", "行动号召点击数 / 行动号召展示数", "ratio", _TOUCH_CUTS,
        query=_cta_ctr, tables=_T),
    # K7
    Kpi("leads_per_campaign", "K7", "campaign", "Leads per campaign (first touch)",
        "每个活动的线索数(首次接触)", "leads credited to the campaign of their true first touch",
        "按真实首次接触的活动计的线索数", "count", ("period", "campaign", "channel"),
        "The first touch over every touch before the lead, with or without a campaign: a "
        "first touch without campaign counts for (none); a lead without touches is "
        "(unattributed).", "在成为线索前的全部接触(有无活动均计)中取首次:无活动的首次接触计入 "
        "(none);没有任何接触的线索计为 (unattributed)。",
        query=_leads_per_campaign, tables=("touchpoints", "identities", "lifecycle"),
        required_by="campaign"),
    Kpi("landing_page_submission_rate", "K7", "campaign", "Landing-page form submission rate",
        "落地页表单提交率", "form submissions / page views, by source channel",
        "表单提交数 / 页面浏览数(按来源渠道)", "ratio", _TOUCH_CUTS,
        "Both counted on the touches' own channel (the visit's source).",
        "两者均按接触自身的渠道(访问来源)计。",
        query=_landing_page_rate, tables=_T, required_by="channel"),
    Kpi("funnel", "K7", "campaign", "Lead → MQL → opportunity → customer funnel",
        "线索→MQL→商机→客户漏斗", "persons reaching each stage in order / persons at the previous stage",
        "按顺序到达各阶段的人数 / 上一阶段人数", "ratio", ("channel", "campaign", "step"),
        "Strict order, counted by person, each step within the window of the first "
        "(default 90 days); cohort: first lead in the period.",
        "严格顺序,按人计,各步须在首步后的窗口期内(默认 90 天);队列:该周期内首次成为线索。",
        runner=_funnel_runner, tables=("touchpoints", "identities", "lifecycle"),
        options=(_WINDOW,)),
    # K8
    Kpi("leads_handed_to_sales", "K8", "sales", "Leads handed to sales", "移交销售的线索",
        "persons entering the SQL stage for the first time", "首次进入 SQL 阶段的人数", "count",
        ("period", "owner"), "Rep = owner on the first SQL row.", "销售代表 = 首条 SQL 记录上的负责人。",
        query=_leads_handed_to_sales, tables=("lifecycle",)),
    Kpi("revenue_per_rep", "K8", "sales", "Revenue per sales rep", "每位销售代表的收入",
        "closed-won revenue per deal owner", "按交易负责人汇总的成交收入", "currency",
        ("period", "owner", "product", "region"),
        "Each deal once, at its first closed_won row.", "每笔交易只计一次,以首次成交记录为准。",
        query=_revenue_per_rep, tables=("deals",), required_by="owner"),
    Kpi("pipeline_by_stage", "K8", "sales", "Revenue per stage", "各阶段金额",
        "amount of deals by their current stage", "按交易当前阶段汇总的金额", "currency",
        ("stage", "owner", "product", "region"),
        "Each deal at its latest row up to the end date; start keeps deals changed since.",
        "每笔交易取截至结束日期的最新记录;开始日期只保留此后有变化的交易。",
        query=_pipeline_by_stage, tables=("deals",), required_by="stage"),
    Kpi("sales_activities", "K8", "sales", "Sales activities", "销售活动",
        "calls, emails and meetings logged", "记录的电话、邮件和会议数", "count",
        ("period", "kind", "owner"), query=_sales_activities, tables=("sales_activities",),
        required_by="kind"),
    # F
    Kpi("nps", "F2", "success", "Net Promoter Score", "净推荐值 (NPS)",
        "% promoters (9–10) − % detractors (0–6)", "推荐者(9–10)占比 − 贬损者(0–6)占比",
        "score", ("period", "product", "survey"),
        "Passives 7–8 count in the responses only; from −100 to 100.",
        "被动者(7–8)只计入回答总数;取值 −100 到 100。",
        query=_nps, tables=("survey_responses",)),
    Kpi("roi", "F3", "success", "Return on investment", "投资回报率 (ROI)",
        "(return − cost) / cost", "(回报 − 成本) / 成本", "ratio",
        ("campaign", "channel", "event", "content"),
        "Return = closed-won revenue attributed with the chosen model; cost = spend (and, "
        "per event, the event's cost lines).",
        "回报 = 按所选归因模型分配的成交收入;成本 = 花费(按活动时另加活动成本明细)。",
        runner=_roi_runner, tables=("touchpoints", "identities", "lifecycle", "deals", "spend"),
        options=(Option("model", "attribution model", "linear", choices=_attribution_models()),), required_by="campaign",
        also=("O16",)),
    Kpi("market_penetration", "F4", "success", "Market penetration", "市场渗透率",
        "customers / target-market size × 100", "客户数 / 目标市场规模 × 100", "percent",
        ("product",),
        "Customers: distinct accounts with a won deal of the product up to the end; size: "
        "the strategy knowledge base's latest year, all segments (S2).",
        "客户:截至结束日期有该产品成交的去重账户;规模:战略知识库中最近年份、所有细分市场之和(S2)。",
        query=_market_penetration, tables=("deals",)),
    Kpi("attribution", "K10", "attribution", "Multi-touch attribution", "多触点归因",
        "conversions credited to each key by every attribution model", "各归因模型分配给每个维度值的转化",
        "currency", ("channel", "campaign", "content"),
        "Touches before the conversion within the window (conversion − N days ≤ touch < "
        "conversion); every model's credits sum to the converted value.",
        "转化前窗口期内的接触(转化 − N 天 ≤ 接触 < 转化);每个模型的分配之和等于转化总值。",
        runner=_attribution_runner("revenue", "channel"),
        tables=("touchpoints", "identities", "lifecycle", "deals"),
        options=_ATTRIBUTION_OPTIONS, required_by="channel", also=("K3", "K6", "K7", "F3")),
)

KPIS: dict[str, Kpi] = {kpi.id: kpi for kpi in DECLARATIONS}
if len(KPIS) != len(DECLARATIONS):  # pragma: no cover — a programming error
    raise ValueError("two KPI declarations share an id")
