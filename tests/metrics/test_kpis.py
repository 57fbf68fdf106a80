"""Each KPI of the registry against a hand computation on small hand-made facts
(DOMAIN K1–K8, F2, F4, F5)."""

import datetime as dt

import pyarrow as pa
import pytest

from marketdesk.metrics import registry, store

UTC = dt.UTC


def at(day, hour=8):
    return dt.datetime(2026, 3, day, hour, tzinfo=UTC)


def write(table, rows):
    # Every row carries every column: from_pylist infers the columns from the first row.
    rows = [{"event_id": f"{table}-{i}", **row} for i, row in enumerate(rows)]
    columns = dict.fromkeys(key for row in rows for key in row)
    store.write(table, pa.Table.from_pylist(
        [{key: row.get(key) for key in columns} for row in rows]), sync=False)


def touch(day, event_type, person=None, anon=None, hour=8, **extra):
    return {"ts": at(day, hour), "event_type": event_type, "person_id": person,
            "anonymous_id": anon, **extra}


@pytest.fixture
def facts(settings):
    settings.MARKETDESK_OWN_DOMAINS = ["ours.com"]
    write("touchpoints", [
        # K1: three deliveries, p1 opens twice (counts once), p2 opens; p1 clicks; p3 unsubscribes
        touch(1, "email_delivered", "p1", campaign="spring", content_id="mail-1", channel="email"),
        touch(1, "email_delivered", "p2", campaign="spring", content_id="mail-1", channel="email"),
        touch(1, "email_delivered", "p3", campaign="spring", content_id="mail-1", channel="email"),
        touch(2, "email_open", "p1", campaign="spring", content_id="mail-1", channel="email"),
        touch(3, "email_open", "p1", campaign="spring", content_id="mail-1", channel="email"),
        touch(2, "email_open", "p2", campaign="spring", content_id="mail-1", channel="email"),
        touch(2, "email_click", "p1", campaign="spring", content_id="mail-1", channel="email"),
        touch(2, "email_unsubscribe", "p3", campaign="spring", content_id="mail-1", channel="email"),
        # K2: two external views of posts, one internal, one page that is not a post
        touch(4, "page_view", anon="a9", content_id="post-1", referrer="https://www.Google.com/s?q=x",
              channel="organic_search"),
        touch(4, "page_view", anon="a9", content_id="post-1", referrer="https://blog.ours.com/list",
              channel="referral"),
        touch(4, "page_view", anon="a8", content_id="post-2", channel="direct"),
        touch(4, "page_view", anon="a8", url="https://ours.com/pricing", channel="direct"),
        # K7: p1's true first touch has no campaign; p2's anonymous touch is stitched later
        touch(1, "page_view", "p1", hour=1, channel="organic_search", content_id="post-1"),
        touch(2, "ad_click", "p1", channel="paid_search", campaign="spring"),
        touch(5, "ad_click", anon="a2", channel="paid_social", campaign="summer"),
        touch(25, "ad_click", "p1", channel="paid_search", campaign="late"),  # after the lead
        # K6: CTA and form submissions
        touch(6, "cta_view", anon="a9", channel="organic_search"),
        touch(6, "cta_view", anon="a8", channel="direct"),
        touch(6, "cta_click", anon="a9", channel="organic_search"),
        touch(6, "form_submit", anon="a9", channel="organic_search"),
        touch(7, "subscribe", anon="a9", channel="organic_search"),
        touch(8, "subscribe", anon="a9", channel="organic_search"),  # not a new subscriber
    ])
    write("identities", [{"ts": at(9), "anonymous_id": "a2", "person_id": "p2"}])
    write("lifecycle", [
        {"ts": at(10), "person_id": "p1", "stage": "lead"},
        {"ts": at(10), "person_id": "p2", "stage": "lead"},
        {"ts": at(11), "person_id": "p3", "stage": "lead"},
        {"ts": at(11), "person_id": "p2", "stage": "sql", "owner": "rep2"},
        {"ts": at(12), "person_id": "p2", "stage": "opportunity", "owner": "rep2"},
        {"ts": at(20), "person_id": "p1", "stage": "customer", "owner": "rep1"},
        {"ts": at(3), "person_id": "p1", "stage": "lead"},  # back-dated duplicate: first wins
    ])
    write("deals", [
        {"ts": at(20), "deal_id": "d1", "person_id": "p1", "account_id": "acc1",
         "stage": "closed_won", "amount": 5000.0, "recurring": True, "owner": "rep1",
         "product": "Alpha", "region": "east"},
        {"ts": at(21), "deal_id": "d1", "person_id": "p1", "account_id": "acc1",
         "stage": "closed_won", "amount": 5000.0, "recurring": True, "owner": "rep1",
         "product": "Alpha", "region": "east"},  # the same deal again: counted once
        {"ts": at(22), "deal_id": "d2", "account_id": "acc2", "stage": "closed_won",
         "amount": 3000.0, "recurring": False, "owner": "rep2", "product": "Alpha"},
        {"ts": at(15), "deal_id": "d3", "account_id": "acc3", "stage": "open", "amount": 1000.0,
         "owner": "rep2", "product": "Beta"},
    ])
    write("usage", [
        {"ts": at(5), "account_id": "acc1", "feature": "x", "is_activation": True, "person_id": "p1"},
        {"ts": at(6), "account_id": "acc1", "feature": "y", "is_activation": False},
        {"ts": at(25), "account_id": "acc2", "feature": "y", "is_activation": True},
        {"ts": at(7), "account_id": "acc3", "feature": "x", "is_activation": False},
    ])
    write("survey_responses", [{"ts": at(9), "score": s, "product": "Alpha"}
                               for s in (10, 9, 10, 8, 6, 0)])
    write("sales_activities", [
        {"ts": at(9), "owner": "rep1", "kind": "call"},
        {"ts": at(10), "owner": "rep1", "kind": "call"},
        {"ts": at(10), "owner": "rep2", "kind": "meeting"},
    ])
    write("social_stats", [
        {"ts": at(1), "platform": "wechat", "handle": "h", "followers": 100, "impressions": 1000,
         "engagements": 50, "leads": 2},
        {"ts": at(5), "platform": "wechat", "handle": "h", "followers": 150, "impressions": 1000,
         "engagements": 30, "leads": 3},
        {"ts": at(5), "platform": "weibo", "handle": "w", "followers": 200, "impressions": 500,
         "engagements": 10},
    ])


def rows(kpi_id, **params):
    return registry.run(kpi_id, **params).as_dicts()


def values(kpi_id, key, **params):
    return {r[key]: r["value"] for r in rows(kpi_id, **params)}


def test_k1_email_rates_count_each_recipient_once(facts):
    assert rows("email_open_rate") == [{"numerator": 2, "denominator": 3, "value": 2 / 3}]
    assert registry.run("email_ctr").rows == [[1, 3, 1 / 3]]
    assert values("email_unsubscribe_rate", "campaign", by="campaign") == {"spring": 1 / 3}


def test_k2_blog_visits_from_outside_skip_our_own_domains(facts):
    assert values("blog_external_visits", "content", by="content") == {"post-1": 2, "post-2": 1}
    # post-1: Google and p1's own first visit (no referrer); blog.ours.com is internal.


def test_k2_leads_per_post_and_subscribers(facts):
    assert values("leads_per_post", "content") == {"post-1": 1}  # p1 read post-1 before
    assert registry.run("subscribers").rows == [[1]]  # a9's second subscribe is not new


def test_k3_conversions_team_and_per_rep(facts):
    assert rows("lead_to_customer") == [{"numerator": 1, "denominator": 3, "value": 1 / 3}]
    per_rep = values("lead_to_customer", "owner", by="owner")
    assert per_rep == {"(none)": 0.0, "rep1": 1.0, "rep2": 0.0}
    assert registry.run("opportunity_to_customer").rows == [[0, 1, 0.0]]


def test_k4_social(facts):
    assert values("social_reach", "platform", by="platform") == {"wechat": 150, "weibo": 200}
    assert registry.run("social_reach").rows == [[350]]
    assert values("social_leads", "platform", by="platform") == {"wechat": 5, "weibo": 0}
    assert values("social_engagement_rate", "platform", by="platform") == {
        "wechat": 80 / 2000, "weibo": 10 / 500}


def test_f5_adoption_revenue_by_feature_and_recurring_revenue(facts):
    # Active accounts 3 (acc1, acc2, acc3); x activated by acc1, y by acc2.
    assert rows("feature_adoption_rate", by="feature") == [
        {"feature": "x", "numerator": 1, "denominator": 3, "value": 1 / 3},
        {"feature": "y", "numerator": 1, "denominator": 3, "value": 1 / 3}]
    # acc2 activated y after its deal closed: no revenue for y.
    assert values("revenue_by_feature", "feature") == {"x": 5000.0}
    assert registry.run("new_recurring_revenue").rows == [[5000.0]]


def test_k6_visits_and_ctas(facts):
    assert registry.run("organic_search_visits").rows == [[2]]
    assert rows("cta_ctr") == [{"numerator": 1, "denominator": 2, "value": 0.5}]
    # Visitors with a page view: a9, a8, p1 → a9 subscribed; p1 became a lead.
    assert registry.run("visit_to_subscriber").rows == [[1, 3, 1 / 3]]
    assert registry.run("visit_to_lead").rows == [[1, 3, 1 / 3]]


def test_k7_leads_per_campaign_credit_the_true_first_touch(facts):
    # p1's first touch (a page view) has no campaign; p2 and p3 got the spring e-mail first.
    assert values("leads_per_campaign", "campaign") == {"(none)": 1, "spring": 2}
    # p4's only touch is anonymous, stitched later; p5 became a lead with no touch at all.
    write("touchpoints", [{**touch(5, "ad_click", anon="a4", channel="paid_social",
                                   campaign="summer"), "event_id": "k7-a4"}])
    write("identities", [{"ts": at(12), "anonymous_id": "a4", "person_id": "p4",
                          "event_id": "k7-id"}])
    write("lifecycle", [{"ts": at(13), "person_id": "p4", "stage": "lead", "event_id": "k7-p4"},
                        {"ts": at(13), "person_id": "p5", "stage": "lead", "event_id": "k7-p5"}])
    assert values("leads_per_campaign", "campaign") == {
        "(none)": 1, "spring": 2, "summer": 1, "(unattributed)": 1}
    assert values("leads_per_campaign", "campaign", start="2026-03-13", end="2026-03-13") == {
        "summer": 1, "(unattributed)": 1}
    assert values("landing_page_submission_rate", "channel") == {
        "direct": 0.0, "organic_search": 1 / 2, "referral": 0.0}


def test_k8_sales(facts):
    assert values("leads_handed_to_sales", "owner", by="owner") == {"rep2": 1}
    assert values("revenue_per_rep", "owner") == {"rep1": 5000.0, "rep2": 3000.0}
    assert rows("pipeline_by_stage") == [
        {"stage": "closed_won", "deals": 2, "value": 8000.0},
        {"stage": "open", "deals": 1, "value": 1000.0}]
    assert values("sales_activities", "kind") == {"call": 2, "meeting": 1}


def test_f2_nps(facts):
    assert rows("nps") == [{"promoters": 3, "passives": 1, "detractors": 2, "responses": 6,
                            "value": pytest.approx(100 * 1 / 6)}]


def test_f4_market_penetration_uses_the_knowledge_base(facts, team_a):
    from marketdesk.strategy.models import MarketSize, Product

    alpha = Product.objects.create(team=team_a, name="Alpha")
    MarketSize.objects.create(product=alpha, segment="SMB", year=2025, target_customers=10)
    MarketSize.objects.create(product=alpha, segment="SMB", year=2026, target_customers=40)
    MarketSize.objects.create(product=alpha, segment="Enterprise", year=2026, target_customers=10)
    # 2 customers (acc1, acc2) / 50 × 100
    assert rows("market_penetration") == [{"numerator": 2, "denominator": 50, "value": 4.0}]
    assert rows("market_penetration", end="2025-12-31") == [
        {"numerator": 0, "denominator": 10, "value": 0.0}]


def test_periods_are_local_days_and_months(facts):
    # 2026-03-31 17:00 UTC is 2026-04-01 01:00 in Shanghai, 19:00 on March 31 in Berlin.
    write("sales_activities", [{"ts": dt.datetime(2026, 3, 31, 17, tzinfo=UTC), "owner": "rep3",
                                "kind": "email", "event_id": "late"}])
    got = rows("sales_activities", period="month", filters={"owner": "rep3"})
    assert got == [{"period": dt.date(2026, 4, 1), "kind": "email", "value": 1}]
    got = rows("sales_activities", period="month", filters={"owner": "rep3"}, tz="Europe/Berlin")
    assert got == [{"period": dt.date(2026, 3, 1), "kind": "email", "value": 1}]
    assert rows("sales_activities", start="2026-04-01", end="2026-04-01") == [
        {"kind": "email", "value": 1}]
