"""Ingest (O14): validation with exact errors, normalisation, stitching, de-duplication,
all-or-nothing vs skip_bad_rows, and the intake counters of the data-health page."""

import datetime as dt
import hashlib
import json
import zoneinfo

import pytest

from marketdesk.metrics import ingest, store
from marketdesk.metrics.ingest import FactError

UTC = dt.UTC
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
HASH = hashlib.sha256(b"ada@example.com").hexdigest()


def touch(event_id="t1", **extra):
    return {"event_id": event_id, "ts": "2026-03-01T09:30:00+08:00", "event_type": "page_view",
            **extra}


def stored(table, order="event_id"):
    con = store.duckdb_connection([table])
    try:
        result = con.execute(f"SELECT * EXCLUDE (date) FROM {table} ORDER BY {order}")
        return result.fetch_arrow_table().to_pylist()
    finally:
        con.close()


def errors(table, rows, **kwargs):
    return ingest.prepare(table, rows, **kwargs)[1]


# --- validation: one exact FactError per refused value ---------------------------------------

@pytest.mark.parametrize(("table", "row", "expected"), [
    ("touchpoints", {"ts": "2026-03-01T00:00:00Z", "event_type": "page_view"},
     FactError(1, "event_id", "“event_id” is required.")),
    ("touchpoints", touch(ts=None), FactError(1, "ts", "“ts” is required.")),
    ("touchpoints", touch(ts="yesterday"), FactError(
        1, "ts", "“yesterday” is not a date and time in ISO 8601 (e.g. 2026-03-01T09:30:00+08:00).")),
    ("touchpoints", touch(ts=20260301), FactError(1, "ts", "“20260301” is not a date and time.")),
    ("touchpoints", touch(ts="2206-03-01T00:00:00Z"), FactError(
        1, "ts", "“2206-03-01T00:00:00+00:00” is not between 1990 and 2100.")),
    ("touchpoints", touch(event_type="visit"), FactError(
        1, "event_type", "“visit” is not a known event type; expected one of: page_view, "
        "form_submit, cta_view, cta_click, email_delivered, email_open, email_click, "
        "email_unsubscribe, ad_click, social_engagement, content_view, event_registered, "
        "event_attended, sales_meeting, subscribe, custom.")),
    ("touchpoints", touch(channel="tv"), FactError(
        1, "channel", "“tv” is not a known channel; expected one of: organic_search, "
        "paid_search, display, paid_social, organic_social, email, referral, direct, "
        "affiliates, sms, audio, mobile_push_notifications, organic_video, paid_video, "
        "organic_shopping, paid_shopping, cross_network, paid_other, events, sales.")),
    ("touchpoints", touch(url="https://x.cn/" + "a" * 2000), FactError(
        1, "url", "“https://x.cn/aaaaaaaaaaaaaaaaaaaaaaaaaaa…” is longer than 2000 characters.")),
    ("touchpoints", touch(campaign="c" * 201), FactError(
        1, "campaign", "“" + "c" * 40 + "…” is longer than 200 characters.")),
    ("touchpoints", touch(source=["baidu"]), FactError(1, "source", "“['baidu']” is not text.")),
    ("touchpoints", touch(value="ten"), FactError(1, "value", "“ten” is not a number.")),
    ("touchpoints", touch(value=-1), FactError(1, "value", "“-1” is negative; it must be 0 or more.")),
    ("touchpoints", touch(value=float("nan")), FactError(1, "value", "“nan” is not a finite number.")),
    ("touchpoints", touch(value=True), FactError(1, "value", "“True” is not a number.")),
    ("touchpoints", touch(properties="[1, 2]"), FactError(
        1, "properties", "“[1, 2]” is not a JSON object.")),
    ("touchpoints", touch(properties="{oops"), FactError(1, "properties", "“{oops” is not JSON text.")),
    ("touchpoints", touch(properties={"x": "y" * 10_000}), FactError(
        1, "properties", "The properties are longer than 10000 characters.")),
    ("touchpoints", touch(colour="red"), FactError(
        1, "colour", "“colour” is not a column of the touchpoints table.")),
    ("identities", {"event_id": "i1", "ts": "2026-03-01T00:00:00Z", "anonymous_id": "a1",
                    "person_id": "p1", "email_hash": "ada@example.com"}, FactError(
        1, "email_hash", "“ada@example.com” is not a SHA-256 hex digest: send the hash of the "
        "e-mail address, never the address.")),
    ("lifecycle", {"event_id": "l1", "ts": "2026-03-01T00:00:00Z", "person_id": "p1",
                   "stage": "prospect"}, FactError(
        1, "stage", "“prospect” is not a known stage; expected one of: subscriber, lead, mql, "
        "sql, opportunity, customer, evangelist, other.")),
    ("deals", {"event_id": "d1", "ts": "2026-03-01T00:00:00Z", "deal_id": "D1",
               "stage": "won"}, FactError(
        1, "stage", "“won” is not a known stage; expected one of: open, closed_won, closed_lost.")),
    ("deals", {"event_id": "d1", "ts": "2026-03-01T00:00:00Z", "deal_id": "D1",
               "stage": "open", "amount": -5}, FactError(
        1, "amount", "“-5” is negative; it must be 0 or more.")),
    ("deals", {"event_id": "d1", "ts": "2026-03-01T00:00:00Z", "deal_id": "D1",
               "stage": "open", "currency": "RMB¥"}, FactError(
        1, "currency", "“RMB¥” is not a currency code (three letters, e.g. CNY).")),
    ("deals", {"event_id": "d1", "ts": "2026-03-01T00:00:00Z", "deal_id": "D1",
               "stage": "open", "recurring": "maybe"}, FactError(
        1, "recurring", "“maybe” is not true or false.")),
    ("sales_activities", {"event_id": "s1", "ts": "2026-03-01T00:00:00Z", "owner": "li",
                          "kind": "lunch"}, FactError(
        1, "kind", "“lunch” is not a known activity kind; expected one of: call, email, meeting.")),
    ("survey_responses", {"event_id": "n1", "ts": "2026-03-01T00:00:00Z", "score": 11},
     FactError(1, "score", "“11” is not a score from 0 to 10.")),
    ("survey_responses", {"event_id": "n1", "ts": "2026-03-01T00:00:00Z", "score": 7.5},
     FactError(1, "score", "“7.5” is not a score from 0 to 10.")),
    ("survey_responses", {"event_id": "n1", "ts": "2026-03-01T00:00:00Z", "score": -1},
     FactError(1, "score", "“-1” is not a score from 0 to 10.")),
    ("social_stats", {"event_id": "w1", "ts": "2026-03-01T00:00:00Z", "platform": "wechat",
                      "reads": 2.5}, FactError(1, "reads", "“2.5” is not a whole number.")),
    ("social_stats", {"event_id": "w1", "ts": "2026-03-01T00:00:00Z", "platform": "wechat",
                      "followers": -3}, FactError(1, "followers", "“-3” is negative; it must be 0 or more.")),
    ("spend", {"event_id": "x1", "ts": "2026-03-01T00:00:00Z"},
     FactError(1, "amount", "“amount” is required.")),
    ("usage", {"event_id": "u1", "ts": "2026-03-01T00:00:00Z", "account_id": "acme",
               "feature": "export", "is_activation": 2}, FactError(
        1, "is_activation", "“2” is not true or false.")),
])
def test_each_refused_value_gets_one_exact_error(table, row, expected):
    data, problems = ingest.prepare(table, [row])
    assert problems == [expected]
    assert data.num_rows == 0


def test_a_row_that_is_not_an_object_and_every_error_of_a_row_are_reported():
    problems = errors("touchpoints", ["page_view", {"event_id": "", "event_type": "x"}])
    assert problems == [
        FactError(1, "", "The row is not an object of column values."),
        FactError(2, "event_id", "“event_id” is required."),
        FactError(2, "ts", "“ts” is required."),
        FactError(2, "event_type", "“x” is not a known event type; expected one of: page_view, "
                  "form_submit, cta_view, cta_click, email_delivered, email_open, email_click, "
                  "email_unsubscribe, ad_click, social_engagement, content_view, event_registered, "
                  "event_attended, sales_meeting, subscribe, custom."),
    ]


def test_row_numbers_name_the_callers_rows():
    problems = errors("touchpoints", [touch("a"), touch("b", ts="nope")], row_numbers=[7, 9])
    assert [(e.row, e.field) for e in problems] == [(9, "ts")]


def test_unknown_table_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown fact table 'mentions'"):
        ingest.prepare("mentions", [])


# --- normalisation ----------------------------------------------------------------------------

def test_utm_values_trimmed_lowercased_and_empty_is_null():
    data, problems = ingest.prepare("touchpoints", [touch(
        source="  Baidu ", medium="CPC", campaign=" Spring_Launch ", term="", content="   ",
        anonymous_id=" a1 ", url="")])
    assert problems == []
    row = data.to_pylist()[0]
    assert (row["source"], row["medium"], row["campaign"], row["term"], row["content"]) == (
        "baidu", "cpc", "spring_launch", None, None)
    assert (row["anonymous_id"], row["url"], row["channel"]) == ("a1", None, "paid_search")


def test_times_to_utc_naive_read_in_tz_dates_at_midnight():
    data, _ = ingest.prepare("touchpoints", [
        touch("a", ts="2026-03-01T09:30:00+08:00"),
        touch("b", ts="2026-03-01T09:30:00"),
        touch("c", ts="2026-03-01T01:30:00Z"),
        touch("d", ts=dt.datetime(2026, 3, 1, 9, 30)),
        touch("e", ts=dt.date(2026, 3, 1)),
        touch("f", ts=dt.datetime(2026, 3, 1, 9, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))),
    ], tz=SHANGHAI)
    assert data.column("ts").to_pylist() == [
        dt.datetime(2026, 3, 1, 1, 30, tzinfo=UTC), dt.datetime(2026, 3, 1, 1, 30, tzinfo=UTC),
        dt.datetime(2026, 3, 1, 1, 30, tzinfo=UTC), dt.datetime(2026, 3, 1, 1, 30, tzinfo=UTC),
        dt.datetime(2026, 2, 28, 16, 0, tzinfo=UTC), dt.datetime(2026, 3, 1, 8, 30, tzinfo=UTC),
    ]


def test_vocabulary_currency_numbers_and_properties_normalised():
    data, problems = ingest.prepare("deals", [{
        "event_id": "d1", "ts": "2026-03-01T00:00:00Z", "deal_id": 4711, "stage": " Closed_Won ",
        "amount": "1200.50", "currency": "cny", "recurring": "yes"}])
    assert problems == []
    row = data.to_pylist()[0]
    assert (row["deal_id"], row["stage"], row["amount"], row["currency"], row["recurring"]) == (
        "4711", "closed_won", 1200.5, "CNY", True)
    data, _ = ingest.prepare("touchpoints", [touch(properties={"cta": "demo", "n": 2}),
                                             touch("t2", properties=' {"a": 1} ')])
    assert data.column("properties").to_pylist() == ['{"cta":"demo","n":2}', '{"a": 1}']


def test_channel_given_is_kept_and_missing_channel_is_derived():
    data, _ = ingest.prepare("touchpoints", [
        touch("a", channel="Events", source="google", medium="cpc"),
        touch("b", source="google", medium="cpc"),
        touch("c", referrer="https://www.baidu.com/s?wd=marketdesk", url="https://acme.cn/"),
        touch("d", referrer="https://acme.cn/pricing", url="https://acme.cn/"),
        touch("e"),
        touch("f", event_type="email_open"),
        touch("g", event_type="email_open", source="newsletter", medium="email"),
    ])
    assert data.column("channel").to_pylist() == [
        "events", "paid_search", "organic_search", None, "direct", None, "email"]


def test_own_domains_setting_makes_a_referrer_internal(settings):
    settings.MARKETDESK_OWN_DOMAINS = ["acme.cn"]
    data, _ = ingest.prepare("touchpoints", [
        touch("a", referrer="https://blog.acme.cn/post", url="https://www.acme.cn/"),
        touch("b", referrer="https://partner.com/list", url="https://www.acme.cn/")])
    assert data.column("channel").to_pylist() == [None, "referral"]


# --- writing: all-or-nothing, skip_bad_rows, de-duplication ------------------------------------

def test_all_or_nothing_refuses_the_batch_and_changes_nothing():
    ingest.ingest("touchpoints", [touch("old")], origin="api")
    before = stored("touchpoints")
    files_before = store.files("touchpoints")
    result = ingest.ingest("touchpoints", [touch("new1"), touch("new2", ts="bad")], origin="api")
    assert (result.refused, result.received, result.written, result.duplicates) == (True, 2, 0, 0)
    assert [(e.row, e.field) for e in result.errors] == [(2, "ts")]
    assert stored("touchpoints") == before
    assert store.files("touchpoints") == files_before
    assert store.id_index().count("touchpoints") == 1


def test_skip_bad_rows_writes_the_good_rows_and_reports_the_bad():
    result = ingest.ingest("touchpoints", [touch("a"), touch("b", ts="bad"), touch("c")],
                           origin="api", skip_bad_rows=True)
    assert (result.refused, result.received, result.written, result.duplicates) == (False, 3, 2, 0)
    assert [(e.row, e.field) for e in result.errors] == [(2, "ts")]
    assert [r["event_id"] for r in stored("touchpoints")] == ["a", "c"]
    assert {r["origin"] for r in stored("touchpoints")} == {"api"}


def test_resending_a_batch_writes_nothing_twice():
    rows = [touch("a"), touch("b"), touch("b")]
    first = ingest.ingest("touchpoints", rows, origin="collector")
    again = ingest.ingest("touchpoints", rows, origin="collector")
    assert (first.written, first.duplicates) == (2, 1)
    assert (again.written, again.duplicates, again.refused) == (0, 3, False)
    assert [r["event_id"] for r in stored("touchpoints")] == ["a", "b"]


def test_origin_argument_wins_over_the_rows_origin():
    ingest.ingest("spend", [{"event_id": "s1", "ts": "2026-03-01T00:00:00Z", "amount": 10,
                             "origin": "forged"}], origin="import:ad_spend")
    assert stored("spend")[0]["origin"] == "import:ad_spend"


def test_every_table_round_trips_its_exact_row():
    ts = dt.datetime(2026, 3, 1, tzinfo=UTC)
    result = ingest.ingest("survey_responses", [{
        "event_id": "n1", "ts": ts, "survey": "Q1 NPS", "person_id": "p1", "score": "9",
        "comment": " 很好 "}], origin="api")
    assert result.written == 1
    assert stored("survey_responses") == [{
        "event_id": "n1", "ts": ts, "survey": "Q1 NPS", "person_id": "p1", "account_id": None,
        "product": None, "score": 9, "comment": "很好", "origin": "api"}]


# --- identity stitching ------------------------------------------------------------------------

def test_known_identity_stitches_anonymous_touches_at_ingest():
    ingest.ingest("identities", [
        {"event_id": "i1", "ts": "2026-02-01T00:00:00Z", "anonymous_id": "anon-1",
         "person_id": "p-old", "email_hash": HASH},
        {"event_id": "i2", "ts": "2026-02-10T00:00:00Z", "anonymous_id": "anon-1",
         "person_id": "p-ada"},
        {"event_id": "i3", "ts": "2026-02-10T00:00:00Z", "anonymous_id": "anon-2",
         "person_id": "p-bob"}], origin="api")
    result = ingest.ingest("touchpoints", [
        touch("t1", anonymous_id="anon-1"),
        touch("t2", anonymous_id="anon-2", person_id="p-given"),
        touch("t3", anonymous_id="anon-9"),
        touch("t4"),
        touch("t5", anonymous_id="anon-2"),
    ], origin="collector")
    assert result.written == 5
    assert [(r["event_id"], r["person_id"]) for r in stored("touchpoints")] == [
        ("t1", "p-ada"), ("t2", "p-given"), ("t3", None), ("t4", None), ("t5", "p-bob")]


def test_without_identities_touches_stay_anonymous():
    ingest.ingest("touchpoints", [touch("t1", anonymous_id="anon-1")], origin="collector")
    assert stored("touchpoints")[0]["person_id"] is None


# --- intake counters (data-health page) ----------------------------------------------------------

def test_intake_counts_received_written_duplicates_and_rejected_per_origin():
    ingest.ingest("touchpoints", [touch("a"), touch("b")], origin="collector")
    ingest.ingest("touchpoints", [touch("b"), touch("c", ts="x"), touch("d")], origin="collector",
                  skip_bad_rows=True)
    ingest.ingest("touchpoints", [touch("e", ts="x")], origin="api")
    intake = store.id_index().intake()
    assert [{k: v for k, v in r.items() if k != "last_received"} for r in intake] == [
        {"table": "touchpoints", "origin": "api", "batches": 1, "received": 1, "written": 0,
         "duplicates": 0, "rejected": 1},
        {"table": "touchpoints", "origin": "collector", "batches": 2, "received": 5, "written": 3,
         "duplicates": 1, "rejected": 1},
    ]
    assert all(r["last_received"].tzinfo is not None for r in intake)


def test_result_as_dict_is_json_ready():
    result = ingest.ingest("touchpoints", [touch("a", ts="x")], origin="api")
    assert json.loads(json.dumps(result.as_dict())) == {
        "table": "touchpoints", "received": 1, "written": 0, "duplicates": 0, "refused": True,
        "errors": [{"row": 1, "field": "ts", "reason": "“x” is not a date and time in ISO 8601 "
                    "(e.g. 2026-03-01T09:30:00+08:00)."}]}
