"""The fact tables of the analytics store, each with a versioned schema (decision 0006).

Facts are append-only. Every table has an ``event_id`` (idempotency key), a UTC ``ts`` and
an ``origin`` (collector, api, an import preset, demo, bench). The Hive partition key
``date`` is derived from ``ts`` on write and is not part of the schema below.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class Table:
    name: str
    version: int
    schema: pa.Schema
    #: columns that must be present and non-null in every row
    required: tuple[str, ...]
    #: sort key of a compacted file: rows of one person together, in time order
    sort_key: tuple[str, ...] = ("ts",)

    @property
    def columns(self) -> list[str]:
        return self.schema.names


def _schema(*fields: tuple[str, pa.DataType]) -> pa.Schema:
    return pa.schema([pa.field(name, kind) for name, kind in fields])


_COMMON_HEAD = (("event_id", pa.string()), ("ts", TS))
_ORIGIN = (("origin", pa.string()),)

TOUCHPOINTS = Table("touchpoints", 1, _schema(
    *_COMMON_HEAD,
    ("anonymous_id", pa.string()),
    ("person_id", pa.string()),
    ("account_id", pa.string()),
    ("event_type", pa.string()),
    ("channel", pa.string()),
    ("source", pa.string()),
    ("medium", pa.string()),
    ("campaign", pa.string()),
    ("term", pa.string()),
    ("content", pa.string()),
    ("content_id", pa.string()),
    ("event_ref", pa.string()),
    ("url", pa.string()),
    ("referrer", pa.string()),
    ("value", pa.float64()),
    ("properties", pa.string()),
    *_ORIGIN,
), required=("event_id", "ts", "event_type"), sort_key=("person_id", "ts"))

IDENTITIES = Table("identities", 1, _schema(
    *_COMMON_HEAD,
    ("anonymous_id", pa.string()),
    ("person_id", pa.string()),
    ("email_hash", pa.string()),
    ("account_id", pa.string()),
    *_ORIGIN,
), required=("event_id", "ts", "anonymous_id", "person_id"), sort_key=("anonymous_id", "ts"))

LIFECYCLE = Table("lifecycle", 1, _schema(
    *_COMMON_HEAD,
    ("person_id", pa.string()),
    ("account_id", pa.string()),
    ("stage", pa.string()),
    ("owner", pa.string()),
    *_ORIGIN,
), required=("event_id", "ts", "person_id", "stage"), sort_key=("person_id", "ts"))

DEALS = Table("deals", 1, _schema(
    *_COMMON_HEAD,
    ("deal_id", pa.string()),
    ("person_id", pa.string()),
    ("account_id", pa.string()),
    ("stage", pa.string()),
    ("amount", pa.float64()),
    ("currency", pa.string()),
    ("recurring", pa.bool_()),
    ("owner", pa.string()),
    ("product", pa.string()),
    ("region", pa.string()),
    *_ORIGIN,
), required=("event_id", "ts", "deal_id", "stage"), sort_key=("person_id", "ts"))

USAGE = Table("usage", 1, _schema(
    *_COMMON_HEAD,
    ("account_id", pa.string()),
    ("person_id", pa.string()),
    ("feature", pa.string()),
    ("product", pa.string()),
    ("is_activation", pa.bool_()),
    ("content_id", pa.string()),
    *_ORIGIN,
), required=("event_id", "ts", "account_id", "feature"), sort_key=("account_id", "ts"))

SPEND = Table("spend", 1, _schema(
    *_COMMON_HEAD,
    ("channel", pa.string()),
    ("campaign", pa.string()),
    ("content_id", pa.string()),
    ("event_ref", pa.string()),
    ("amount", pa.float64()),
    ("currency", pa.string()),
    ("platform", pa.string()),
    *_ORIGIN,
), required=("event_id", "ts", "amount"))

SURVEY_RESPONSES = Table("survey_responses", 1, _schema(
    *_COMMON_HEAD,
    ("survey", pa.string()),
    ("person_id", pa.string()),
    ("account_id", pa.string()),
    ("product", pa.string()),
    ("score", pa.int16()),
    ("comment", pa.string()),
    *_ORIGIN,
), required=("event_id", "ts", "score"))

SOCIAL_STATS = Table("social_stats", 1, _schema(
    *_COMMON_HEAD,
    ("platform", pa.string()),
    ("handle", pa.string()),
    ("followers", pa.int64()),
    ("reach", pa.int64()),
    ("impressions", pa.int64()),
    ("engagements", pa.int64()),
    ("posts", pa.int64()),
    ("article_id", pa.string()),
    ("reads", pa.int64()),
    ("shares", pa.int64()),
    ("leads", pa.int64()),
    *_ORIGIN,
), required=("event_id", "ts", "platform"))

SALES_ACTIVITIES = Table("sales_activities", 1, _schema(
    *_COMMON_HEAD,
    ("owner", pa.string()),
    ("person_id", pa.string()),
    ("account_id", pa.string()),
    ("deal_id", pa.string()),
    ("kind", pa.string()),
    *_ORIGIN,
), required=("event_id", "ts", "owner", "kind"), sort_key=("owner", "ts"))

TABLES: dict[str, Table] = {t.name: t for t in (
    TOUCHPOINTS, IDENTITIES, LIFECYCLE, DEALS, USAGE, SPEND, SURVEY_RESPONSES, SOCIAL_STATS,
    SALES_ACTIVITIES,
)}

# --- Vocabularies (validated at ingest; decision 0006) ---------------------------------

EVENT_TYPES = (
    "page_view", "form_submit", "cta_view", "cta_click", "email_delivered", "email_open",
    "email_click", "email_unsubscribe", "ad_click", "social_engagement", "content_view",
    "event_registered", "event_attended", "sales_meeting", "subscribe", "custom",
)
#: GA4's default channel groups as codes, plus the offline channels of O14.
CHANNELS = (
    "organic_search", "paid_search", "display", "paid_social", "organic_social", "email",
    "referral", "direct", "affiliates", "sms", "audio", "mobile_push_notifications",
    "organic_video", "paid_video", "organic_shopping", "paid_shopping", "cross_network",
    "paid_other", "events", "sales",
)
LIFECYCLE_STAGES = ("subscriber", "lead", "mql", "sql", "opportunity", "customer",
                    "evangelist", "other")
DEAL_STAGES = ("open", "closed_won", "closed_lost")
ACTIVITY_KINDS = ("call", "email", "meeting")
#: How a missing dimension value is shown and grouped (DOMAIN conventions).
NONE_LABEL = "(none)"
