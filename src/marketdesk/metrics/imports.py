"""Imports of facts from spreadsheets (O14): one mapping preset per kind of export, and
the run that reads a file in chunks, validates every row and writes through ingest.

A preset is one declaration: its id, names in English and Chinese, the fact tables it
writes, its columns (English and Chinese header synonyms, one parser each) and its
outputs — how one file row becomes one or more facts, and which cells form the natural
key of each. The ``event_id`` of an imported fact is a stable hash of the preset, the
output and that natural key, so importing the same file twice writes nothing the second
time (the store refuses an id it already has and reports it as a duplicate).

Columns a preset does not know are ignored (vendor exports carry dozens) and listed in
the result; a missing required column refuses the file.

Errors name the file row (the header is row 1), the column as written in the file and
the reason. By default a run is all-or-nothing: every chunk is validated first
(``ingest.prepare``) and only a file without errors is written. With ``skip_bad_rows``
each chunk's good rows are written and the bad ones reported; a row is bad when any fact
built from it is bad, so a row is never half-written.

Decisions (docs/tracking.md "Imports"):
- GA4: only event-level exports (one row per event with ``user_pseudo_id`` and
  ``event_timestamp``: the BigQuery export, or an Exploration of user-level events) become
  touchpoints. GA4's standard reports are aggregates (sessions or event counts per day)
  and cannot be credited to a person; such a file is refused with that reason.
- HubSpot contacts: an identity (``hubspot:<record id>`` → person, with the SHA-256 of the
  lower-cased e-mail), one lifecycle fact per "Became a … date", and the original source as
  a touch on its channel at the create date.
- Baidu SEM: one spend fact per report row (paid_search, platform baidu), and the clicks of
  the row as one aggregate ``ad_click`` touchpoint without a person (``value`` = clicks,
  ``properties`` = {"aggregate": true, "clicks": …, "impressions": …}).
- Dates without a time are midnight on the team's clock (default Asia/Shanghai), stored in
  UTC.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import BinaryIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketdesk.core import tabular
from marketdesk.core.tabular import (
    CellError,
    Column,
    FileRefused,
    RowError,
    parse_decimal,
    parse_int,
    vocabulary_parser,
)
from marketdesk.metrics import schema

CHUNK_ROWS = 50_000
MAX_FILE_BYTES = 500 * 1024 * 1024
MAX_REPORTED_ERRORS = 1000


class FieldError(Exception):
    """A value that parsed but makes no fact: names the column (by key) and the reason."""

    def __init__(self, key: str, reason: str):
        super().__init__(reason)
        self.key = key
        self.reason = reason


# --- parsers -------------------------------------------------------------------------------

def parse_when(value):
    """Cells of a time column are parsed when the row is built (they need the team's time
    zone); here only the formula check runs and the raw value is kept."""
    if isinstance(value, (dt.datetime, dt.date, int, float)) and not isinstance(value, bool):
        return value
    return tabular.cell_text(value)


def parse_score(value):
    score = parse_int(value)
    if score is not None and not 0 <= score <= 10:
        raise CellError(_("“%(value)s” is not a score from 0 to 10") % {"value": score})
    return score


_NO_VALUE = {"-", "--", "—", "N/A", "n/a"}


def _no_value(value) -> bool:
    """Reports write a dash where a figure is not available (百度 平均点击价格 without clicks)."""
    return isinstance(value, str) and value.strip() in _NO_VALUE


def parse_number(value):
    return None if _no_value(value) else parse_decimal(value)


def parse_count(value):
    if _no_value(value):
        return None
    number = parse_int(value)
    if number is not None and number < 0:
        raise CellError(_("“%(value)s” is a negative count") % {"value": number})
    return number


def parse_amount(value):
    amount = parse_number(value)
    if amount is not None and amount < 0:
        raise CellError(_("“%(value)s” is a negative amount") % {"value": amount})
    return amount


def parse_email(value):
    text = tabular.cell_text(value)
    if text is None:
        return None
    if "@" not in text or " " in text:
        raise CellError(_("“%(value)s” is not an e-mail address") % {"value": text[:60]})
    return text


def email_hash(email: str) -> str:
    """The stored form of an e-mail address: SHA-256 of the trimmed, lower-cased address."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


CHANNEL_WORDS = {
    "organic_search": ["自然搜索", "搜索引擎", "seo", "organic"],
    "paid_search": ["付费搜索", "搜索广告", "sem", "竞价", "cpc"],
    "display": ["展示广告", "展示", "信息流"],
    "paid_social": ["付费社交", "社交广告"],
    "organic_social": ["自然社交", "社交媒体", "社交", "social"],
    "email": ["邮件", "电子邮件", "邮件营销", "edm", "e-mail"],
    "referral": ["推荐", "引荐", "外链", "referrals"],
    "direct": ["直接", "直接访问", "(direct)", "direct traffic"],
    "affiliates": ["联盟", "联盟广告", "affiliate"],
    "sms": ["短信"],
    "organic_video": ["自然视频", "视频"],
    "paid_video": ["视频广告", "付费视频"],
    "events": ["活动", "线下活动", "会议", "展会", "event", "offline"],
    "sales": ["销售", "地推"],
}
parse_channel = vocabulary_parser(schema.CHANNELS, CHANNEL_WORDS)

EVENT_TYPE_WORDS = {
    "page_view": ["浏览", "页面浏览", "访问", "pageview", "page view"],
    "form_submit": ["表单提交", "提交表单", "留资", "form"],
    "cta_view": ["cta曝光", "按钮曝光"],
    "cta_click": ["cta点击", "按钮点击", "click"],
    "email_delivered": ["邮件送达", "送达"],
    "email_open": ["邮件打开", "打开"],
    "email_click": ["邮件点击"],
    "email_unsubscribe": ["退订", "取消订阅"],
    "ad_click": ["广告点击"],
    "social_engagement": ["社交互动", "互动"],
    "content_view": ["内容浏览", "阅读"],
    "event_registered": ["活动报名", "报名"],
    "event_attended": ["活动签到", "参会", "签到"],
    "sales_meeting": ["销售会议", "拜访"],
    "subscribe": ["订阅", "关注"],
    "custom": ["自定义", "其他"],
}
parse_event_type = vocabulary_parser(schema.EVENT_TYPES, EVENT_TYPE_WORDS)

LIFECYCLE_WORDS = {
    "subscriber": ["订阅者", "订阅用户", "订阅"],
    "lead": ["线索", "潜在客户", "销售线索"],
    "mql": ["市场认可线索", "营销认可的潜在客户", "marketing qualified lead",
            "marketingqualifiedlead", "市场合格线索"],
    "sql": ["销售认可线索", "销售认可的潜在客户", "sales qualified lead", "salesqualifiedlead",
            "销售合格线索"],
    "opportunity": ["商机", "机会"],
    "customer": ["客户", "成交客户", "成交"],
    "evangelist": ["推广者", "忠实客户", "布道者"],
    "other": ["其他", "其它"],
}
parse_stage = vocabulary_parser(schema.LIFECYCLE_STAGES, LIFECYCLE_WORDS)

#: HubSpot's default sales pipeline (internal ids and labels, English and Chinese).
DEAL_STAGE_WORDS = {
    "open": ["appointmentscheduled", "appointment scheduled", "qualifiedtobuy",
             "qualified to buy", "presentationscheduled", "presentation scheduled",
             "decisionmakerboughtin", "decision maker bought-in", "decision maker bought in",
             "contractsent", "contract sent", "进行中", "已安排预约", "有购买意向", "已安排演示",
             "决策者已同意", "已发送合同"],
    "closed_won": ["closedwon", "closed won", "成交", "赢单", "已成交"],
    "closed_lost": ["closedlost", "closed lost", "输单", "丢单", "未成交"],
}
parse_deal_stage = vocabulary_parser(schema.DEAL_STAGES, DEAL_STAGE_WORDS)

ACTIVITY_WORDS = {
    "call": ["电话", "通话", "致电", "phone", "phone call"],
    "email": ["邮件", "电子邮件", "e-mail"],
    "meeting": ["会议", "拜访", "拜访会议", "拜访/会议", "见面", "visit"],
}
parse_activity = vocabulary_parser(schema.ACTIVITY_KINDS, ACTIVITY_WORDS)

#: HubSpot "Original Source" (internal values and labels) → channel.
HUBSPOT_SOURCES = {
    "organic_search": ["ORGANIC_SEARCH", "Organic Search", "自然搜索"],
    "paid_search": ["PAID_SEARCH", "Paid Search", "付费搜索"],
    "email": ["EMAIL_MARKETING", "Email Marketing", "电子邮件营销"],
    "organic_social": ["SOCIAL_MEDIA", "Social Media", "Organic Social", "社交媒体"],
    "paid_social": ["PAID_SOCIAL", "Paid Social", "付费社交"],
    "referral": ["REFERRALS", "Referrals", "AI_REFERRALS", "AI Referrals", "引荐"],
    "direct": ["DIRECT_TRAFFIC", "Direct Traffic", "直接访问"],
    "paid_other": ["OTHER_CAMPAIGNS", "Other Campaigns", "其他营销活动"],
    "sales": ["OFFLINE", "Offline Sources", "线下来源"],
}
parse_hubspot_source = vocabulary_parser(schema.CHANNELS, HUBSPOT_SOURCES)


GA4_EVENTS = {
    "page_view": "page_view", "form_submit": "form_submit", "generate_lead": "form_submit",
    "sign_up": "subscribe", "view_promotion": "cta_view", "select_promotion": "cta_click",
    "click": "cta_click", "ad_click": "ad_click", "view_item": "content_view",
}


# --- presets -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Context:
    tz: dt.tzinfo


@dataclass(frozen=True)
class Output:
    """How one file row becomes (at most) one fact of ``table``."""

    table: str
    build: Callable[[dict, Context], dict | None]
    #: column keys whose values form the natural key of the fact
    key: tuple[str, ...]
    #: distinguishes several facts of one row in the same table
    tag: str = ""
    #: fact column → column key, to name the file's header in an error
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Preset:
    id: str
    name: str  # English (translatable)
    name_zh: str
    description: str
    columns: tuple[Column, ...]
    outputs: tuple[Output, ...]
    #: (normalised headers, reason): a file with any of these headers is refused
    refuse: tuple[tuple[frozenset[str], str], ...] = ()

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(o.table for o in self.outputs))

    @property
    def origin(self) -> str:
        return f"import:{self.id}"

    def check_headers(self, headers: Sequence[str]) -> None:
        names = {tabular.normalise_header(h) for h in headers}
        for markers, reason in self.refuse:
            if names & markers:
                raise FileRefused(str(reason))


def when(values: dict, key: str, ctx: Context, *, required: bool = True) -> dt.datetime | None:
    raw = values.get(key)
    if raw is None:
        if required:
            raise FieldError(key, _("required, but empty"))
        return None
    try:
        return tabular.parse_datetime(raw, ctx.tz)
    except CellError as exc:
        raise FieldError(key, exc.reason) from None


def _float(value) -> float | None:
    return None if value is None else float(value)


def _pick(values: dict, mapping: Mapping[str, str]) -> dict:
    return {fact: values.get(key) for fact, key in mapping.items()}


# generic touchpoints

_TOUCH_COPY = {
    "anonymous_id": "anonymous_id", "person_id": "person_id", "account_id": "account_id",
    "event_type": "event_type", "channel": "channel", "source": "source", "medium": "medium",
    "campaign": "campaign", "term": "term", "content": "content", "content_id": "content_id",
    "event_ref": "event_ref", "url": "url", "referrer": "referrer",
}


def _touch(values, ctx):
    fact = _pick(values, _TOUCH_COPY)
    fact["ts"] = when(values, "ts", ctx)
    fact["value"] = _float(values.get("value"))
    return fact


TOUCHPOINTS = Preset(
    id="touchpoints", name=gettext_lazy("Touchpoints (generic)"), name_zh="触点（通用）",
    description=gettext_lazy("One row per touch: time, event type, visitor or person, UTM "
                             "fields, page."),
    columns=(
        Column("event_id", "event id", "事件ID", aliases=("id",)),
        Column("ts", "time", "时间", parse_when, required=True,
               aliases=("timestamp", "date", "datetime", "日期", "发生时间")),
        Column("event_type", "event type", "事件类型", parse_event_type, required=True,
               aliases=("type", "event", "类型")),
        Column("anonymous_id", "anonymous id", "匿名ID", aliases=("visitor id", "访客ID")),
        Column("person_id", "person id", "用户ID", aliases=("person", "contact id", "联系人ID")),
        Column("account_id", "account id", "账户ID", aliases=("account", "company id", "公司ID")),
        Column("channel", "channel", "渠道", parse_channel),
        Column("source", "utm_source", "来源", aliases=("source",)),
        Column("medium", "utm_medium", "媒介", aliases=("medium",)),
        Column("campaign", "utm_campaign", "活动", aliases=("campaign", "营销活动")),
        Column("term", "utm_term", "关键词", aliases=("term", "keyword")),
        Column("content", "utm_content", "内容", aliases=("content",)),
        Column("content_id", "content id", "内容ID"),
        Column("event_ref", "event ref", "活动编号", aliases=("event reference",)),
        Column("url", "url", "页面", aliases=("page", "page url", "landing page", "着陆页", "网址")),
        Column("referrer", "referrer", "来源页面", aliases=("referer", "引荐来源")),
        Column("value", "value", "价值", parse_decimal, aliases=("金额",)),
    ),
    outputs=(Output("touchpoints", _touch,
                    key=("event_id", "ts", "anonymous_id", "person_id", "event_type", "url",
                         "campaign", "content_id"),
                    fields={**_TOUCH_COPY, "ts": "ts", "value": "value"}),),
)


# GA4 event-level export

def _ga4_touch(values, ctx):
    name = values["event_name"]
    source, medium = values.get("source"), values.get("medium")
    if values.get("source_medium") and not (source or medium):
        left, _sep, right = values["source_medium"].partition("/")
        source, medium = left.strip() or None, right.strip() or None
    ts = when(values, "event_timestamp", ctx, required=False)
    if ts is None:
        ts = when(values, "event_date", ctx, required=False)
    if ts is None:
        raise FieldError("event_timestamp", _("required, but empty"))
    event_type = GA4_EVENTS.get(name.casefold(), "custom")
    properties = {"ga4_event": name} if event_type == "custom" or name != event_type else None
    return {
        "ts": ts, "anonymous_id": f"ga4:{values['user_pseudo_id']}",
        "person_id": values.get("user_id"), "event_type": event_type, "source": source,
        "medium": medium, "campaign": values.get("campaign"), "term": values.get("term"),
        "content": values.get("content"), "url": values.get("page_location"),
        "referrer": values.get("page_referrer"), "value": _float(values.get("value")),
        "properties": json.dumps(properties, ensure_ascii=False) if properties else None,
    }


GA4 = Preset(
    id="ga4", name=gettext_lazy("GA4 events export"), name_zh="GA4 事件导出",
    description=gettext_lazy("Event-level rows (BigQuery export or a user-level Exploration): "
                             "event timestamp, event name, user pseudo id, session source / "
                             "medium, campaign, page location. Aggregate reports (sessions per "
                             "day) are refused: they name no visitor."),
    columns=(
        Column("event_date", "event_date", "事件日期", parse_when, aliases=("date", "日期")),
        Column("event_timestamp", "event_timestamp", "事件时间戳", parse_when,
               aliases=("event time", "timestamp", "事件时间")),
        Column("event_name", "event_name", "事件名称", required=True, aliases=("event name",)),
        Column("user_pseudo_id", "user_pseudo_id", "用户伪ID", required=True,
               aliases=("client id", "客户端ID", "effective user id")),
        Column("user_id", "user_id", "用户ID"),
        Column("source_medium", "session source / medium", "会话来源/媒介",
               aliases=("source / medium", "来源/媒介")),
        Column("source", "session source", "会话来源",
               aliases=("traffic_source.source", "source", "来源",
                        "collected_traffic_source.manual_source")),
        Column("medium", "session medium", "会话媒介",
               aliases=("traffic_source.medium", "medium", "媒介",
                        "collected_traffic_source.manual_medium")),
        Column("campaign", "session campaign", "会话广告系列",
               aliases=("traffic_source.name", "campaign", "广告系列",
                        "collected_traffic_source.manual_campaign_name")),
        Column("term", "session manual term", "会话手动字词",
               aliases=("collected_traffic_source.manual_term", "term")),
        Column("content", "session manual ad content", "会话手动广告内容",
               aliases=("collected_traffic_source.manual_content", "content")),
        Column("page_location", "page_location", "网页位置",
               aliases=("page location", "landing page", "着陆页", "page")),
        Column("page_referrer", "page_referrer", "网页引荐来源", aliases=("page referrer",)),
        Column("value", "event_value_in_usd", "事件价值", parse_decimal,
               aliases=("event value", "value")),
    ),
    outputs=(Output("touchpoints", _ga4_touch,
                    key=("user_pseudo_id", "event_timestamp", "event_date", "event_name",
                         "page_location"),
                    fields={"ts": "event_timestamp", "anonymous_id": "user_pseudo_id",
                            "person_id": "user_id", "source": "source", "medium": "medium",
                            "campaign": "campaign", "url": "page_location",
                            "referrer": "page_referrer", "value": "value"}),),
    refuse=((frozenset({"sessions", "会话数", "eventcount", "事件数", "users", "用户",
                        "activeusers", "活跃用户", "totalusers", "总用户数"}),
             gettext_lazy("This is an aggregate GA4 report (sessions, users or event counts "
                          "per row): touchpoints are single events of one visitor. Export "
                          "event-level rows with user_pseudo_id and event_timestamp (the "
                          "BigQuery export, or an Exploration with those dimensions).")),),
)


# HubSpot contacts

_HUBSPOT_BECAME = (
    ("subscriber", "Became a Subscriber Date", "成为订阅者日期"),
    ("lead", "Became a Lead Date", "成为潜在客户日期"),
    ("mql", "Became a Marketing Qualified Lead Date", "成为营销认可的潜在客户日期"),
    ("sql", "Became a Sales Qualified Lead Date", "成为销售认可的潜在客户日期"),
    ("opportunity", "Became an Opportunity Date", "成为商机日期"),
    ("customer", "Became a Customer Date", "成为客户日期"),
    ("evangelist", "Became an Evangelist Date", "成为推广者日期"),
    ("other", "Became an Other Lifecycle Date", "成为其他生命周期阶段日期"),
)


def _hubspot_person(values) -> str:
    return f"hubspot:{values['record_id']}"


def _hubspot_account(values) -> str | None:
    company = values.get("company_id")
    return f"hubspot-company:{company}" if company else None


def _hubspot_identity(values, ctx):
    return {"ts": when(values, "created", ctx), "anonymous_id": _hubspot_person(values),
            "person_id": _hubspot_person(values),
            "email_hash": email_hash(values["email"]) if values.get("email") else None,
            "account_id": _hubspot_account(values)}


def _hubspot_became(stage):
    def build(values, ctx):
        ts = when(values, f"became_{stage}", ctx, required=False)
        if ts is None and values.get("stage") == stage and not values.get(f"became_{stage}"):
            ts = when(values, "created", ctx)  # the current stage, without its own date
        if ts is None:
            return None
        return {"ts": ts, "person_id": _hubspot_person(values),
                "account_id": _hubspot_account(values), "stage": stage,
                "owner": values.get("owner")}
    return build


def _hubspot_original_source(values, ctx):
    channel = values.get("original_source")
    if channel is None:
        return None
    return {"ts": when(values, "created", ctx), "person_id": _hubspot_person(values),
            "account_id": _hubspot_account(values), "event_type": "custom",
            "channel": channel, "properties": json.dumps(
                {"hubspot": "original_source", "detail": values.get("source_detail")},
                ensure_ascii=False)}


HUBSPOT_CONTACTS = Preset(
    id="hubspot_contacts", name=gettext_lazy("HubSpot contacts export"),
    name_zh="HubSpot 联系人导出",
    description=gettext_lazy("Record ID, Email (stored only as a hash), Lifecycle Stage, Create "
                             "Date, the “Became a … Date” columns, Original Source, Contact "
                             "owner."),
    columns=(
        Column("record_id", "Record ID", "记录 ID", required=True,
               aliases=("contact id", "联系人ID", "hs_object_id", "vid")),
        Column("email", "Email", "电子邮件", parse_email, aliases=("邮箱", "e-mail")),
        Column("stage", "Lifecycle Stage", "生命周期阶段", parse_stage,
               aliases=("lifecyclestage",)),
        Column("created", "Create Date", "创建日期", parse_when, required=True,
               aliases=("createdate", "created", "创建时间")),
        *(Column(f"became_{stage}", en, zh, parse_when) for stage, en, zh in _HUBSPOT_BECAME),
        Column("original_source", "Original Source", "原始来源", parse_hubspot_source,
               aliases=("hs_analytics_source", "original source type")),
        Column("source_detail", "Original Source Drill-Down 1", "原始来源详细信息 1",
               aliases=("hs_analytics_source_data_1",)),
        Column("owner", "Contact owner", "联系人所有者", aliases=("hubspot_owner_id", "owner")),
        Column("company_id", "Associated Company ID", "关联公司 ID",
               aliases=("company id", "associatedcompanyid", "primary associated company id")),
    ),
    outputs=(
        Output("identities", _hubspot_identity, key=("record_id",),
               fields={"ts": "created", "email_hash": "email", "anonymous_id": "record_id",
                       "person_id": "record_id"}),
        *(Output("lifecycle", _hubspot_became(stage), key=("record_id",), tag=stage,
                 fields={"ts": f"became_{stage}", "stage": "stage", "owner": "owner",
                         "person_id": "record_id"})
          for stage, _en, _zh in _HUBSPOT_BECAME),
        Output("touchpoints", _hubspot_original_source, key=("record_id",),
               tag="original_source",
               fields={"ts": "created", "channel": "original_source",
                       "person_id": "record_id"}),
    ),
)


# HubSpot deals

def _hubspot_deal(values, ctx):
    stage = values["stage"]
    if stage == "open":
        ts = when(values, "created", ctx)
    else:
        ts = when(values, "close_date", ctx, required=False)
        if ts is None:
            raise FieldError("close_date", _("a closed deal needs its close date"))
    contact = values.get("contact")
    person = None
    if contact:
        first = contact.replace(",", ";").split(";")[0].strip()
        person = f"hubspot:{first}" if first else None
    return {"ts": ts, "deal_id": f"hubspot:{values['record_id']}", "person_id": person,
            "account_id": f"hubspot-company:{values['company_id']}" if values.get(
                "company_id") else None,
            "stage": stage, "amount": _float(values.get("amount")),
            "currency": (values.get("currency") or "").upper() or None,
            "owner": values.get("owner"), "product": values.get("product"),
            "region": values.get("region")}


HUBSPOT_DEALS = Preset(
    id="hubspot_deals", name=gettext_lazy("HubSpot deals export"), name_zh="HubSpot 交易导出",
    description=gettext_lazy("Record ID, Deal Stage (default pipeline), Amount, Create Date, "
                             "Close Date, Deal owner, Associated Contact IDs."),
    columns=(
        Column("record_id", "Record ID", "记录 ID", required=True,
               aliases=("deal id", "交易ID", "hs_object_id")),
        Column("name", "Deal Name", "交易名称", aliases=("dealname",)),
        Column("stage", "Deal Stage", "交易阶段", parse_deal_stage, required=True,
               aliases=("dealstage", "stage")),
        Column("amount", "Amount", "金额", parse_amount),
        Column("currency", "Currency", "货币", aliases=("deal_currency_code", "币种")),
        Column("created", "Create Date", "创建日期", parse_when, required=True,
               aliases=("createdate",)),
        Column("close_date", "Close Date", "成交日期", parse_when,
               aliases=("closedate", "关闭日期")),
        Column("pipeline", "Pipeline", "管道"),
        Column("owner", "Deal owner", "交易所有者", aliases=("hubspot_owner_id", "owner")),
        Column("contact", "Associated Contact IDs", "关联联系人 ID",
               aliases=("associated contact", "associated contact id", "关联联系人")),
        Column("company_id", "Associated Company ID", "关联公司 ID",
               aliases=("associated company ids",)),
        Column("product", "Product", "产品"),
        Column("region", "Region", "区域"),
    ),
    outputs=(Output("deals", _hubspot_deal, key=("record_id", "stage"),
                    fields={"ts": "created", "stage": "stage", "amount": "amount",
                            "currency": "currency", "owner": "owner", "person_id": "contact",
                            "deal_id": "record_id"}),),
)


# WeChat official-account article statistics (图文群发)

def _wechat(values, ctx):
    shares = values.get("shares") if values.get("shares") is not None else values.get(
        "share_people")
    reads = values.get("read_people") if values.get("read_people") is not None else values.get(
        "read_count")
    parts = [values.get(k) for k in ("shares", "share_people", "favourites", "likes")]
    engagements = None
    if any(p is not None for p in parts):
        engagements = (shares or 0) + (values.get("favourites") or 0) + (values.get("likes") or 0)
    return {"ts": when(values, "day", ctx), "platform": "wechat",
            "handle": values.get("account"), "article_id": values["title"],
            "reach": values.get("delivered"), "impressions": values.get("read_count"),
            "reads": reads, "shares": shares, "engagements": engagements,
            "followers": values.get("followers"), "leads": values.get("leads")}


WECHAT = Preset(
    id="wechat_articles", name=gettext_lazy("WeChat official-account article statistics"),
    name_zh="微信公众号图文群发统计",
    description=gettext_lazy("日期, 标题, 送达人数, 图文页阅读人数/次数, 分享转发人数/次数, 微信收藏人数 "
                             "(the 图文群发 export of the official-account back end)."),
    columns=(
        Column("day", "date", "日期", parse_when, required=True,
               aliases=("发表日期", "群发日期", "发布时间", "发表时间")),
        Column("title", "title", "标题", required=True, aliases=("文章标题", "图文标题")),
        Column("account", "account", "公众号", aliases=("公众号名称", "handle")),
        Column("delivered", "delivered", "送达人数", parse_count, aliases=("送达", "reach")),
        Column("read_people", "readers", "阅读人数", parse_count,
               aliases=("图文页阅读人数", "图文阅读人数")),
        Column("read_count", "reads", "阅读次数", parse_count,
               aliases=("图文页阅读次数", "图文阅读次数", "阅读量")),
        Column("share_people", "sharers", "分享人数", parse_count,
               aliases=("分享转发人数", "转发人数")),
        Column("shares", "shares", "分享次数", parse_count, aliases=("分享转发次数", "转发次数")),
        Column("favourites", "favourites", "收藏人数", parse_count,
               aliases=("微信收藏人数", "收藏", "收藏次数")),
        Column("likes", "likes", "在看", parse_count, aliases=("点赞", "点赞数", "在看数")),
        Column("followers", "followers", "粉丝数", parse_count, aliases=("关注人数", "总用户数")),
        Column("leads", "leads", "线索数", parse_count, aliases=("留资",)),
    ),
    outputs=(Output("social_stats", _wechat, key=("day", "account", "title"),
                    fields={"ts": "day", "article_id": "title", "reach": "delivered",
                            "reads": "read_people", "shares": "shares"}),),
)


# Baidu SEM report

def _baidu_spend(values, ctx):
    return {"ts": when(values, "day", ctx), "channel": "paid_search", "platform": "baidu",
            "campaign": values["plan"], "amount": _float(values["cost"]), "currency": "CNY"}


def _baidu_clicks(values, ctx):
    clicks = values.get("clicks")
    if not clicks:
        return None
    return {"ts": when(values, "day", ctx), "event_type": "ad_click", "channel": "paid_search",
            "source": "baidu", "medium": "cpc", "campaign": values["plan"],
            "content": values.get("unit"), "term": values.get("keyword"),
            "value": float(clicks), "properties": json.dumps(
                {"aggregate": True, "clicks": clicks, "impressions": values.get("impressions"),
                 "account": values.get("account")}, ensure_ascii=False)}


_BAIDU_KEY = ("day", "account", "plan", "unit", "keyword")

BAIDU = Preset(
    id="baidu_sem", name=gettext_lazy("Baidu SEM report"), name_zh="百度推广报告",
    description=gettext_lazy("日期, 推广计划, 展现, 点击, 消费 (and optionally 账户, 推广单元, 关键词): "
                             "spend on paid search (platform baidu) and the clicks."),
    columns=(
        Column("day", "date", "日期", parse_when, required=True, aliases=("时间",)),
        Column("account", "account", "账户", aliases=("推广账户", "账户名称")),
        Column("plan", "campaign", "推广计划", required=True, aliases=("计划", "推广计划名称")),
        Column("unit", "ad group", "推广单元", aliases=("单元", "推广单元名称")),
        Column("keyword", "keyword", "关键词", aliases=("关键词名称",)),
        Column("impressions", "impressions", "展现", parse_count, aliases=("展现量",)),
        Column("clicks", "clicks", "点击", parse_count, aliases=("点击量",)),
        Column("cost", "cost", "消费", parse_amount, required=True, aliases=("消费金额", "花费")),
        Column("cpc", "average cpc", "平均点击价格", parse_number, aliases=("cpc",)),
        Column("ctr", "ctr", "点击率"),
    ),
    outputs=(
        Output("spend", _baidu_spend, key=_BAIDU_KEY,
               fields={"ts": "day", "campaign": "plan", "amount": "cost"}),
        Output("touchpoints", _baidu_clicks, key=_BAIDU_KEY, tag="clicks",
               fields={"ts": "day", "campaign": "plan", "value": "clicks", "term": "keyword",
                       "content": "unit"}),
    ),
)


# generic ad spend

def _spend(values, ctx):
    return {"ts": when(values, "day", ctx), "channel": values["channel"],
            "campaign": values.get("campaign"), "platform": values.get("platform"),
            "content_id": values.get("content_id"), "event_ref": values.get("event_ref"),
            "amount": _float(values["amount"]),
            "currency": (values.get("currency") or "").upper() or None}


AD_SPEND = Preset(
    id="ad_spend", name=gettext_lazy("Ad-spend sheet"), name_zh="广告花费表",
    description=gettext_lazy("date, channel, campaign, amount, currency (and optionally "
                             "platform, content id, event ref)."),
    columns=(
        Column("day", "date", "日期", parse_when, required=True),
        Column("channel", "channel", "渠道", parse_channel, required=True),
        Column("campaign", "campaign", "营销活动", aliases=("活动", "utm_campaign")),
        Column("platform", "platform", "平台", aliases=("媒体", "媒体平台")),
        Column("content_id", "content id", "内容ID"),
        Column("event_ref", "event ref", "活动编号"),
        Column("amount", "amount", "金额", parse_amount, required=True,
               aliases=("spend", "cost", "花费", "消费")),
        Column("currency", "currency", "币种", aliases=("货币",)),
    ),
    outputs=(Output("spend", _spend, key=("day", "channel", "platform", "campaign",
                                          "content_id", "event_ref"),
                    fields={"ts": "day", "channel": "channel", "amount": "amount",
                            "currency": "currency", "campaign": "campaign",
                            "platform": "platform"}),),
)


# NPS survey export

def _nps(values, ctx):
    return {"ts": when(values, "ts", ctx), "survey": values["survey"],
            "person_id": values.get("person"), "account_id": values.get("account"),
            "product": values.get("product"), "score": values["score"],
            "comment": values.get("comment")}


NPS = Preset(
    id="nps", name=gettext_lazy("NPS survey export"), name_zh="NPS 问卷导出",
    description=gettext_lazy("respondent, score 0–10, comment, date, survey, product (F2)."),
    columns=(
        Column("person", "respondent", "受访者", aliases=("person", "person id", "用户", "联系人",
                                                        "email", "邮箱")),
        Column("score", "score", "评分", parse_score, required=True,
               aliases=("nps", "推荐得分", "推荐度", "分数", "nps score")),
        Column("comment", "comment", "评论", aliases=("反馈", "意见", "备注", "reason")),
        Column("ts", "date", "日期", parse_when, required=True,
               aliases=("submitted at", "提交时间", "time", "时间")),
        Column("survey", "survey", "问卷", required=True, aliases=("问卷名称", "survey name")),
        Column("product", "product", "产品"),
        Column("account", "account", "客户", aliases=("account id", "公司")),
    ),
    outputs=(Output("survey_responses", _nps, key=("survey", "person", "ts", "score", "comment"),
                    fields={"ts": "ts", "score": "score", "survey": "survey",
                            "person_id": "person", "comment": "comment"}),),
)


# CRM lifecycle changes

def _lifecycle(values, ctx):
    return {"ts": when(values, "ts", ctx), "person_id": values["person"],
            "account_id": values.get("account"), "stage": values["stage"],
            "owner": values.get("owner")}


CRM_LIFECYCLE = Preset(
    id="crm_lifecycle", name=gettext_lazy("CRM lifecycle changes"), name_zh="CRM 生命周期变更",
    description=gettext_lazy("person, stage (subscriber … customer, or 线索/商机/客户 …), "
                             "changed at, owner."),
    columns=(
        Column("person", "person", "联系人", required=True,
               aliases=("person id", "contact", "用户ID", "客户ID")),
        Column("stage", "stage", "阶段", parse_stage, required=True,
               aliases=("lifecycle stage", "生命周期阶段", "新阶段")),
        Column("ts", "changed at", "变更时间", parse_when, required=True,
               aliases=("date", "time", "日期", "时间")),
        Column("owner", "owner", "负责人", aliases=("sales rep", "销售")),
        Column("account", "account", "公司", aliases=("account id", "company")),
    ),
    outputs=(Output("lifecycle", _lifecycle, key=("person", "stage", "ts"),
                    fields={"ts": "ts", "person_id": "person", "stage": "stage",
                            "owner": "owner"}),),
)


# sales activities

def _activity(values, ctx):
    return {"ts": when(values, "ts", ctx), "owner": values["owner"], "kind": values["kind"],
            "person_id": values.get("person"), "deal_id": values.get("deal"),
            "account_id": values.get("account")}


SALES_ACTIVITIES = Preset(
    id="sales_activities", name=gettext_lazy("Sales activities"), name_zh="销售活动",
    description=gettext_lazy("rep, kind (call/email/meeting, or 电话/邮件/拜访会议), date, "
                             "contact, deal (K8)."),
    columns=(
        Column("owner", "rep", "销售", required=True,
               aliases=("owner", "sales rep", "销售代表", "负责人")),
        Column("kind", "kind", "类型", parse_activity, required=True,
               aliases=("activity", "activity type", "活动类型", "方式")),
        Column("ts", "date", "日期", parse_when, required=True, aliases=("time", "时间")),
        Column("person", "contact", "联系人", aliases=("person", "person id")),
        Column("deal", "deal", "商机", aliases=("deal id", "商机ID")),
        Column("account", "account", "客户", aliases=("company", "account id", "公司")),
    ),
    outputs=(Output("sales_activities", _activity,
                    key=("owner", "kind", "ts", "person", "deal", "account"),
                    fields={"ts": "ts", "owner": "owner", "kind": "kind",
                            "person_id": "person", "deal_id": "deal"}),),
)

PRESETS: dict[str, Preset] = {p.id: p for p in (
    TOUCHPOINTS, GA4, HUBSPOT_CONTACTS, HUBSPOT_DEALS, WECHAT, BAIDU, AD_SPEND, NPS,
    CRM_LIFECYCLE, SALES_ACTIVITIES,
)}


def preset(preset_id: str) -> Preset:
    try:
        return PRESETS[preset_id]
    except KeyError:
        raise FileRefused(_("“%(id)s” is not an import preset.") % {"id": preset_id}) from None


def event_id(p: Preset, output: Output, values: Mapping) -> str:
    """The idempotency key of an imported fact: preset, output and natural key, hashed."""
    parts = [p.id, output.table, output.tag]
    for key in output.key:
        value = values.get(key)
        if isinstance(value, Decimal):
            value = format(value.normalize(), "f")
        parts.append("" if value is None else str(value))
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"imp_{digest[:32]}"


# --- the run -------------------------------------------------------------------------------

@dataclass
class Outcome:
    """What a run did. ``rows_*`` count file rows; ``written``/``duplicates`` count facts."""

    preset: str
    encoding: str = ""
    rows_total: int = 0
    rows_checked: int = 0
    rows_done: int = 0
    written: int = 0
    duplicates: int = 0
    by_table: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)  # the first MAX_REPORTED_ERRORS
    error_count: int = 0
    bad_rows: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    message: str = ""  # why the whole file was refused
    #: nothing was written: the file was refused, or a row was bad without skip_bad_rows
    refused: bool = False

    def add_errors(self, errors: Sequence[RowError]) -> None:
        self.error_count += len(errors)
        room = MAX_REPORTED_ERRORS - len(self.errors)
        if room > 0:
            self.errors.extend(errors[:room])


Progress = Callable[[str, int], None]


def _ingest():
    from marketdesk.metrics import ingest  # noqa: PLC0415 — another module of this app

    return ingest


@dataclass
class _Chunk:
    rows: int
    #: table → (fact rows, file row numbers)
    facts: dict[str, tuple[list[dict], list[int]]]
    errors: list[RowError]


def _chunks(sheet: tabular.Sheet, size: int) -> Iterator[list]:
    chunk: list = []
    for item in sheet.rows:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _build_chunk(p: Preset, items: list, mapped, headers: dict[str, str], ctx: Context,
                 *, tz, validate: bool = True) -> _Chunk:
    """Parse the cells, build the facts and validate them (ingest.prepare); the facts of
    a bad row are dropped from every table."""
    errors: list[RowError] = []
    built: list[tuple[int, str, dict]] = []
    origin = p.origin
    for item in items:
        if isinstance(item, RowError):
            errors.append(item)
            continue
        number, cells = item
        values, row_errors = tabular.parse_cells(number, cells, mapped)
        if row_errors:
            errors.extend(row_errors)
            continue
        row_facts = []
        for output in p.outputs:
            try:
                fact = output.build(values, ctx)
            except FieldError as exc:
                errors.append(RowError(number, headers.get(exc.key, exc.key), exc.reason))
                row_facts = None
                break
            if fact is not None:
                fact["event_id"] = event_id(p, output, values)
                fact["origin"] = origin
                row_facts.append((number, output.table, fact))
        if row_facts:
            built.extend(row_facts)
    bad = {e.row for e in errors}
    by_table: dict[str, tuple[list[dict], list[int]]] = {}
    for number, table, fact in built:
        if number in bad:
            continue
        facts, numbers = by_table.setdefault(table, ([], []))
        facts.append(fact)
        numbers.append(number)
    ingest = _ingest()
    fields_by_table: dict[str, dict[str, str]] = {}
    for output in p.outputs:
        fields_by_table.setdefault(output.table, {}).update(output.fields)
    fact_errors: list[RowError] = []
    for table, (facts, numbers) in by_table.items() if validate else ():
        _prepared, problems = ingest.prepare(table, facts, tz=tz, row_numbers=numbers)
        for problem in problems:
            key = fields_by_table[table].get(problem.field, problem.field)
            fact_errors.append(RowError(problem.row, headers.get(key, problem.field),
                                        str(problem.reason)))
    if fact_errors:
        errors.extend(fact_errors)
        bad = {e.row for e in fact_errors}
        for table, (facts, numbers) in list(by_table.items()):
            keep = [i for i, n in enumerate(numbers) if n not in bad]
            by_table[table] = ([facts[i] for i in keep], [numbers[i] for i in keep])
    errors.sort(key=lambda e: e.row)
    return _Chunk(len(items), by_table, errors)


def _open(p: Preset, source, filename: str):
    sheet = tabular.open_sheet(source, filename, allow_utf16=True, max_bytes=MAX_FILE_BYTES)
    try:
        p.check_headers(sheet.headers)
        mapped = tabular.map_columns(sheet.headers, p.columns, ignore_unknown=True)
    except FileRefused:
        sheet.close()
        raise
    return sheet, mapped


def count_rows(preset_id: str, source, filename: str = "") -> int:
    """The data rows of a file (blank rows not counted): the denominator of the progress."""
    sheet, _mapped = _open(preset(preset_id), source, filename)
    try:
        return sum(1 for _item in sheet.rows)
    finally:
        sheet.close()


def run(preset_id: str, source: bytes | BinaryIO, filename: str = "", *, tz: dt.tzinfo = dt.UTC,
        skip_bad_rows: bool = False, progress: Progress | None = None,
        chunk_rows: int = CHUNK_ROWS) -> Outcome:
    """Import one file with one preset. ``progress(phase, rows)`` is called after each
    chunk (``"checked"`` while validating, ``"done"`` once written)."""
    outcome = Outcome(preset=preset_id)
    try:
        p = preset(preset_id)
        sheet, mapped = _open(p, source, filename)
    except FileRefused as exc:
        outcome.message = exc.message
        outcome.refused = True
        return outcome
    outcome.encoding = sheet.encoding
    known = {position for position, _c, _h in mapped}
    outcome.ignored_columns = [h for i, h in enumerate(sheet.headers) if i not in known and h]
    headers = {c.key: h for _p, c, h in mapped}
    ctx = Context(tz)
    report = progress or (lambda phase, n: None)
    ingest = _ingest()

    def write(chunk: _Chunk) -> None:
        for table, (facts, numbers) in chunk.facts.items():
            if not facts:
                continue
            result = ingest.ingest(table, facts, origin=p.origin, tz=tz, row_numbers=numbers,
                                   skip_bad_rows=False)
            if result.refused or result.errors:
                fields = {}
                for output in p.outputs:
                    if output.table == table:
                        fields.update(output.fields)
                outcome.add_errors([RowError(e.row, headers.get(fields.get(e.field, e.field),
                                                                e.field), str(e.reason))
                                    for e in result.errors])
                continue
            outcome.written += result.written
            outcome.duplicates += result.duplicates
            outcome.by_table[table] = outcome.by_table.get(table, 0) + result.written

    try:
        bad_rows: set[int] = set()
        for items in _chunks(sheet, chunk_rows):
            chunk = _build_chunk(p, items, mapped, headers, ctx, tz=tz)
            outcome.rows_checked += chunk.rows
            outcome.add_errors(chunk.errors)
            bad_rows.update(e.row for e in chunk.errors)
            report("checked", chunk.rows)
            if skip_bad_rows:
                write(chunk)
                outcome.rows_done += chunk.rows
                report("done", chunk.rows)
    except FileRefused as exc:
        outcome.message = exc.message
        outcome.refused = True
        return outcome
    finally:
        sheet.close()
    outcome.rows_total = outcome.rows_checked
    outcome.bad_rows = len(bad_rows)
    if outcome.rows_checked == 0:
        outcome.message = _("There are no rows to import below the header row.")
        outcome.refused = True
        return outcome
    if skip_bad_rows:
        return outcome
    if outcome.error_count:
        outcome.refused = True
        return outcome
    # All-or-nothing: the whole file validated without an error; now write it.
    sheet, mapped = _open(p, source, filename)
    try:
        for items in _chunks(sheet, chunk_rows):
            chunk = _build_chunk(p, items, mapped, headers, ctx, tz=tz, validate=False)
            write(chunk)
            outcome.rows_done += chunk.rows
            report("done", chunk.rows)
    finally:
        sheet.close()
    return outcome


def errors_csv(errors: Sequence[Mapping]) -> str:
    """The error report as CSV text (formula-safe cells)."""
    import csv  # noqa: PLC0415
    import io  # noqa: PLC0415

    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow([_("Row"), _("Column"), _("Reason")])
    for e in errors:
        out.writerow([e["row"], tabular.safe_cell(e["column"]), tabular.safe_cell(e["reason"])])
    return buffer.getvalue()
