"""Metrics imports (O14): every preset with a small realistic file, every encoding, exact
error reports with nothing written, skip_bad_rows, idempotent re-import, and a 60,000-row
file through the worker task with its progress."""

import datetime as dt

import pytest

from marketdesk.metrics import imports, services, store
from marketdesk.metrics.models import ImportJob
from marketdesk.metrics.tasks import import_run_task

UTC = dt.UTC


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


def rows(table):
    con = store.duckdb_connection([table])
    try:
        return con.execute(f"select * from {table} order by ts, event_id").fetch_arrow_table().to_pylist()
    except Exception:  # noqa: BLE001 — no file yet: no view
        return []


def count(table):
    return len(store.files(table)) and sum(1 for _ in rows(table))


def run(preset, text, encoding="utf-8", filename="x.csv", **kw):
    data = text.encode(encoding) if isinstance(text, str) else text
    return imports.run(preset, data, filename, tz=dt.timezone(dt.timedelta(hours=8)), **kw)


def report(outcome):
    return [(e.row, e.column, e.reason) for e in outcome.errors]


BAIDU = ("日期\t账户\t推广计划\t推广单元\t关键词\t展现\t点击\t消费\t平均点击价格\n"
         "2026-05-20\t示例科技\t品牌词\t品牌-核心\t示例科技\t1,200\t85\t¥432.10\t5.08\n"
         "2026-05-20\t示例科技\t产品词\t数据平台\t数据中台\t3400\t0\t0\t-\n")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le"])
def test_baidu_report_in_every_encoding(encoding):
    outcome = run("baidu_sem", BAIDU, encoding, "report.csv")
    assert (outcome.refused, outcome.rows_total, outcome.written, outcome.by_table) == (
        False, 2, 3, {"spend": 2, "touchpoints": 1})
    assert outcome.encoding == encoding
    spend = [(r["ts"], r["channel"], r["platform"], r["campaign"], r["amount"], r["currency"],
              r["origin"]) for r in rows("spend")]
    assert sorted(spend, key=lambda r: r[3]) == [
        (dt.datetime(2026, 5, 19, 16, tzinfo=UTC), "paid_search", "baidu", "产品词", 0.0, "CNY",
         "import:baidu_sem"),
        (dt.datetime(2026, 5, 19, 16, tzinfo=UTC), "paid_search", "baidu", "品牌词", 432.1, "CNY",
         "import:baidu_sem")]
    [click] = rows("touchpoints")
    assert (click["event_type"], click["campaign"], click["term"], click["value"],
            click["person_id"], click["properties"]) == (
        "ad_click", "品牌词", "示例科技", 85.0, None,
        '{"aggregate": true, "clicks": 85, "impressions": 1200, "account": "示例科技"}')


def test_reimport_is_idempotent():
    first = run("baidu_sem", BAIDU)
    second = run("baidu_sem", BAIDU, "gb18030")
    assert (first.written, first.duplicates) == (3, 0)
    assert (second.refused, second.written, second.duplicates) == (False, 0, 3)
    assert len(rows("spend")) == 2


def test_wechat_article_statistics():
    text = ("日期,标题,送达人数,图文页阅读人数,图文页阅读次数,分享转发人数,分享转发次数,微信收藏人数,原文页阅读人数\n"
            "2026-05-18,数据中台实践：从0到1,52310,8123,9876,312,405,188,77\n"
            "2026/5/19,618 活动预告,52400,4100,4500,90,101,20,5\n")
    outcome = run("wechat_articles", text, "gb18030")
    assert (outcome.written, outcome.ignored_columns) == (2, ["原文页阅读人数"])
    got = [(r["ts"], r["platform"], r["article_id"], r["reach"], r["impressions"], r["reads"],
            r["shares"], r["engagements"]) for r in rows("social_stats")]
    assert got == [
        (dt.datetime(2026, 5, 17, 16, tzinfo=UTC), "wechat", "数据中台实践：从0到1", 52310, 9876,
         8123, 405, 593),
        (dt.datetime(2026, 5, 18, 16, tzinfo=UTC), "wechat", "618 活动预告", 52400, 4500, 4100,
         101, 121)]


def test_hubspot_contacts_make_identities_lifecycle_and_the_original_source():
    text = ("Record ID,First Name,Email,Lifecycle Stage,Create Date,Became a Lead Date,"
            "Became a Marketing Qualified Lead Date,Became a Customer Date,Original Source,"
            "Contact owner\n"
            "101,Li,Li.Lei@Example.com ,customer,2026-01-05 09:00,2026-01-05 09:00,"
            "2026-02-01 10:00,2026-03-15 16:30,Organic Search,Wang\n"
            "102,Han,,lead,2026-04-01 08:00,,,,Direct Traffic,\n")
    outcome = run("hubspot_contacts", text)
    assert (outcome.refused, outcome.by_table) == (
        False, {"identities": 2, "lifecycle": 4, "touchpoints": 2})
    ids = [(r["anonymous_id"], r["person_id"], r["email_hash"]) for r in rows("identities")]
    assert ids == [("hubspot:101", "hubspot:101", imports.email_hash("li.lei@example.com")),
                   ("hubspot:102", "hubspot:102", None)]
    assert [(r["person_id"], r["stage"], r["ts"], r["owner"]) for r in rows("lifecycle")] == [
        ("hubspot:101", "lead", dt.datetime(2026, 1, 5, 1, tzinfo=UTC), "Wang"),
        ("hubspot:101", "mql", dt.datetime(2026, 2, 1, 2, tzinfo=UTC), "Wang"),
        ("hubspot:101", "customer", dt.datetime(2026, 3, 15, 8, 30, tzinfo=UTC), "Wang"),
        ("hubspot:102", "lead", dt.datetime(2026, 4, 1, 0, tzinfo=UTC), None)]
    assert [(r["person_id"], r["channel"], r["event_type"]) for r in rows("touchpoints")] == [
        ("hubspot:101", "organic_search", "custom"), ("hubspot:102", "direct", "custom")]


def test_hubspot_deals():
    text = ("Record ID,Deal Name,Deal Stage,Amount,Create Date,Close Date,Deal owner,"
            "Associated Contact IDs\n"
            "9001,示例科技 年度订阅,closedwon,\"120,000\",2026-02-01,2026-03-20,Wang,101;105\n"
            "9002,试点,Appointment Scheduled,8000,2026-04-02,,Zhao,\n")
    outcome = run("hubspot_deals", text)
    assert outcome.written == 2
    assert [(r["deal_id"], r["stage"], r["amount"], r["ts"], r["owner"], r["person_id"])
            for r in rows("deals")] == [
        ("hubspot:9001", "closed_won", 120000.0, dt.datetime(2026, 3, 19, 16, tzinfo=UTC), "Wang",
         "hubspot:101"),
        ("hubspot:9002", "open", 8000.0, dt.datetime(2026, 4, 1, 16, tzinfo=UTC), "Zhao", None)]


def test_ga4_events_export_and_aggregate_reports_refused():
    text = ("event_date,event_timestamp,event_name,user_pseudo_id,traffic_source.source,"
            "traffic_source.medium,traffic_source.name,page_location\n"
            "20260520,1779258600000000,page_view,123.456,Google,Organic,,https://x.cn/a\n"
            "20260520,1779258660000000,generate_lead,123.456,google,organic,,https://x.cn/form\n"
            "20260520,1779258670000000,scroll,123.456,google,organic,,https://x.cn/form\n")
    outcome = run("ga4", text)
    assert outcome.written == 3
    assert [(r["ts"], r["event_type"], r["anonymous_id"], r["url"], r["properties"])
            for r in rows("touchpoints")] == [
        (dt.datetime(2026, 5, 20, 6, 30, tzinfo=UTC), "page_view", "ga4:123.456", "https://x.cn/a",
         None),
        (dt.datetime(2026, 5, 20, 6, 31, tzinfo=UTC), "form_submit", "ga4:123.456",
         "https://x.cn/form", '{"ga4_event": "generate_lead"}'),
        (dt.datetime(2026, 5, 20, 6, 31, 10, tzinfo=UTC), "custom", "ga4:123.456",
         "https://x.cn/form", '{"ga4_event": "scroll"}')]
    aggregate = run("ga4", "Date,Session source / medium,Sessions\n20260520,google / organic,5\n")
    assert aggregate.refused and aggregate.message.startswith(
        "This is an aggregate GA4 report (sessions, users or event counts per row)")


def test_generic_touchpoints_ad_spend_nps_lifecycle_and_sales_activities():
    assert run("touchpoints", "时间,事件类型,匿名ID,渠道,来源,活动,页面\n"
               "2026-05-20 10:00,浏览,a1,自然搜索,baidu,,https://x.cn/\n").written == 1
    assert run("ad_spend", "date,channel,campaign,amount,currency\n"
               "2026-05-01,paid_social,618,\"5,000\",cny\n").written == 1
    assert run("nps", "受访者,评分,评论,日期,问卷,产品\nu1,9,很好用,2026-05-20,Q2 NPS,数据平台\n"
               "u2,0,,2026-05-21,Q2 NPS,数据平台\n").written == 2
    assert run("crm_lifecycle", "联系人,阶段,变更时间,负责人\np1,线索,2026-05-01 09:00,王\n"
               "p1,商机,2026-05-10 09:00,王\n").written == 2
    assert run("sales_activities", "销售,类型,日期,联系人,商机\n王,电话,2026-05-20 10:00,p1,d1\n"
               "王,拜访会议,2026-05-21,p1,d1\n赵,邮件,2026-05-21,p2,\n").written == 3
    assert [(r["campaign"], r["amount"], r["currency"], r["channel"]) for r in rows("spend")] == [
        ("618", 5000.0, "CNY", "paid_social")]
    assert [(r["person_id"], r["score"], r["comment"]) for r in rows("survey_responses")] == [
        ("u1", 9, "很好用"), ("u2", 0, None)]
    assert [r["stage"] for r in rows("lifecycle")] == ["lead", "opportunity"]
    assert [(r["owner"], r["kind"]) for r in rows("sales_activities")] == [
        ("王", "call"), ("王", "meeting"), ("赵", "email")]
    [touch] = rows("touchpoints")
    assert (touch["event_type"], touch["channel"], touch["anonymous_id"]) == (
        "page_view", "organic_search", "a1")


BAD_ACTIVITIES = ("销售,类型,日期,联系人\n"
                  "王,电话,2026-05-20,p1\n"
                  "=cmd|' /C calc'!A0,电话,2026-05-20,p1\n"
                  "王,电话,2026-02-30,p1\n"
                  "王,飞鸽传书,2026-05-20,p1\n"
                  "王,电话\n")


def test_bad_rows_are_reported_exactly_and_nothing_is_written():
    outcome = run("sales_activities", BAD_ACTIVITIES)
    assert outcome.refused
    assert report(outcome) == [
        (3, "销售", "looks like a spreadsheet formula"),
        (4, "日期", "“2026-02-30” is not a date and time (write 2026-05-20 14:30)"),
        (5, "类型", "“飞鸽传书” is not one of: call, email, meeting"),
        (6, "", "The row has 2 cells but the header row has 4.")]
    assert store.files("sales_activities") == []


def test_unknown_stage_and_bad_score():
    lifecycle = run("crm_lifecycle", "person,stage,changed at\np1,prospect,2026-05-01\n")
    assert report(lifecycle) == [(2, "stage", "“prospect” is not one of: subscriber, lead, mql, "
                                              "sql, opportunity, customer, evangelist, other")]
    nps = run("nps", "respondent,score,date,survey\nu1,11,2026-05-01,Q2\n")
    assert report(nps) == [(2, "score", "“11” is not a score from 0 to 10")]
    assert store.files("lifecycle") == store.files("survey_responses") == []


def test_skip_bad_rows_writes_the_good_ones():
    outcome = run("sales_activities", BAD_ACTIVITIES, skip_bad_rows=True)
    assert (outcome.refused, outcome.written, outcome.bad_rows, len(outcome.errors)) == (
        False, 1, 4, 4)
    assert [(r["owner"], r["kind"]) for r in rows("sales_activities")] == [("王", "call")]


def test_a_file_in_no_encoding_and_a_missing_column():
    assert run("nps", b"score,date\n\x80\xff,1\n").message.startswith(
        "The file is not text in any encoding we read (tried UTF-8, UTF-8 with BOM, UTF-16 and "
        "GB18030)")
    assert run("nps", "score,date\n5,2026-01-01\n").message == (
        "The required column “survey” (问卷) is missing. Known columns: respondent / 受访者; "
        "score / 评分; comment / 评论; date / 日期; survey / 问卷; product / 产品; account / 客户.")


def test_sixty_thousand_rows_through_the_worker_task(team_a, users):
    lines = ["date,channel,campaign,amount"] + [
        f"2026-{(i % 12) + 1:02d}-{(i % 28) + 1:02d},email,c{i},{i % 997}.5" for i in range(60_000)]
    data = ("\n".join(lines) + "\n").encode()
    job = services.import_start(team=team_a, by=users["marketer"], preset="ad_spend",
                                upload=data, filename="spend.csv")
    assert (job.status, services.job_file(job).exists()) == ("queued", True)
    assert import_run_task.call(job.pk) == "done"
    job.refresh_from_db()
    assert (job.status, job.rows_total, job.rows_checked, job.rows_done, job.rows_written,
            job.duplicates, job.percent, job.error_count) == (
        "done", 60_000, 60_000, 60_000, 60_000, 0, 100, 0)
    assert services.job_file(job).exists() is False
    assert len(rows("spend")) == 60_000
    again = services.import_start(team=team_a, by=users["marketer"], preset="ad_spend",
                                  upload=data, filename="spend.csv")
    import_run_task.call(again.pk)
    again.refresh_from_db()
    assert (again.rows_written, again.duplicates) == (0, 60_000)
    assert ImportJob.objects.count() == 2
