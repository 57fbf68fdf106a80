"""Spreadsheet imports (O3, O8, O10): encodings, headers in both languages, exact error
reports naming row, column and reason, all-or-nothing, skipping bad rows, 50,000 rows."""

import datetime as dt
import io
import time
from decimal import Decimal

import openpyxl
import pytest

from marketdesk.core.models import AuditEntry
from marketdesk.events import imports, services
from marketdesk.events import models as m

HEADER = "活动名称,主办方,来源渠道,城市,城市级别,开始日期,结束日期,预计人数,价格,活动类型"
ROWS = [
    "上海开发者沙龙,开源中国,活动平台,上海,一线,2027-05-20,2027-05-20,120,0,沙龙",
    "中国数据智能峰会,中国信通院,公众号,北京,一线,2027/6/18,2027/6/19,\"1,500\",\"￥30,000\",峰会",
    "成都技术大会,InfoQ,媒体,成都,二线,2027年7月8日,2027年7月9日,800,12000.50,大展",
]


def csv_bytes(lines, encoding="utf-8"):
    return ("\n".join(lines) + "\n").encode(encoding)


def counts():
    return (m.Event.objects.count(), m.ImportBatch.objects.count(), AuditEntry.objects.count())


def report(result):
    return [(e.row, e.column, e.reason) for e in result.errors]


@pytest.fixture
def run(team_a, marketer):
    def go(data, filename="opportunities.csv", **kw):
        return services.import_events(team=team_a, by=marketer, data=data, filename=filename,
                                      **kw)
    return go


# --- encodings ------------------------------------------------------------------------------

@pytest.mark.parametrize(("encoding", "detected"), [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030")])
def test_chinese_file_in_each_encoding(run, marketer, encoding, detected):
    result = run(csv_bytes([HEADER, *ROWS], encoding))
    assert (result.refused, result.encoding, result.total, result.written) == (
        False, detected, 3, 3)
    rows = list(m.Event.objects.order_by("start_date").values_list(
        "name", "organiser", "source_channel", "city", "region_tier", "start_date", "end_date",
        "expected_attendees", "price", "event_type", "screening", "owner"))
    assert rows == [
        ("上海开发者沙龙", "开源中国", "event_platform", "上海", "tier1", dt.date(2027, 5, 20),
         dt.date(2027, 5, 20), 120, Decimal("0.00"), "salon", "new", marketer.pk),
        ("中国数据智能峰会", "中国信通院", "official_account", "北京", "tier1",
         dt.date(2027, 6, 18), dt.date(2027, 6, 19), 1500, Decimal("30000.00"), "summit", "new",
         marketer.pk),
        ("成都技术大会", "InfoQ", "media", "成都", "tier2", dt.date(2027, 7, 8),
         dt.date(2027, 7, 9), 800, Decimal("12000.50"), "exhibition", "new", marketer.pk),
    ]


def test_english_headers_and_labels(run):
    result = run(csv_bytes([
        "Name,Source channel,Start date,Event type,City tier,Our role,Online",
        "DevOps Days,Referral (friend or colleague),2027-09-01,Online livestream,tier-2,speak,yes",
    ]))
    assert result.written == 1
    event = m.Event.objects.get()
    assert (event.source_channel, event.event_type, event.region_tier, event.our_role,
            event.online, event.end_date) == ("referral", "livestream", "tier2", "speak", True,
                                              dt.date(2027, 9, 1))


def test_audit_has_the_batch_and_one_create_per_row(run, marketer):
    result = run(csv_bytes([HEADER, *ROWS], "gb18030"))
    batch = result.batch
    assert (batch.kind, batch.source, batch.encoding, batch.rows_total, batch.rows_written,
            batch.rows_refused) == ("events", "opportunities.csv", "gb18030", 3, 3, 0)
    assert AuditEntry.objects.filter(object_repr__startswith="Event opportunities").count() == 1
    entries = AuditEntry.objects.filter(action="create", content_type__model="event")
    assert entries.count() == 3
    entry = entries.get(object_repr="成都技术大会")
    assert (entry.actor, entry.team_id, entry.message) == (marketer, marketer.teams.get().pk,
                                                          f"import #{batch.pk}")
    event = m.Event.objects.get(name="成都技术大会")
    assert entry.changes == {"after": {
        "id": event.pk, "team_id": event.team_id, "owner_id": marketer.pk,
        "end_date": "2027-07-09", "city": "成都", "event_type": "exhibition",
        "expected_attendees": 800, "name": "成都技术大会", "organiser": "InfoQ",
        "price": "12000.50", "region_tier": "tier2", "source_channel": "media",
        "start_date": "2027-07-08"}}


# --- bad files: exact reports, nothing written ---------------------------------------------

def test_utf16_file_is_named(run):
    before = counts()
    result = run(csv_bytes([HEADER, *ROWS], "utf-16"))
    assert result.refused and result.file_error == (
        "The file is saved as UTF-16 (“Unicode text”). Save it as “CSV UTF-8” (or CSV on "
        "Chinese Windows) and import it again.")
    assert counts() == before


def test_bytes_that_are_neither_utf8_nor_gb18030(run):
    before = counts()
    data = b"name,start date\nSalon \x80,2027-01-01\n"
    result = run(data)
    assert result.file_error == (
        "The file is neither UTF-8 nor GB18030 text: as UTF-8, byte 0x80 at position 22 cannot "
        "be read; as GB18030, byte 0x80 at position 22 cannot be read. Save it as “CSV UTF-8” "
        "and import it again.")
    assert counts() == before


@pytest.mark.parametrize(("lines", "expected"), [
    ([HEADER, "A,B,活动平台,上海,一线,2027-05-20,2027-05-20,1,0,沙龙,extra", ROWS[0],
      "C,D,活动平台,上海"],
     [(2, "", "The row has 11 cells but the header row has 10."),
      (4, "", "The row has 4 cells but the header row has 10.")]),
    ([HEADER, "=HYPERLINK(\"http://x\"),B,活动平台,上海,一线,2027-05-20,2027-05-20,1,0,沙龙",
      "ok,@SUM(A1),活动平台,上海,一线,2027-05-20,2027-05-20,1,0,沙龙",
      "ok,\"-2+3+cmd|' /C calc'!A0\",活动平台,上海,一线,2027-05-20,2027-05-20,1,+1+1,沙龙"],
     [(2, "活动名称", "looks like a spreadsheet formula"),
      (3, "主办方", "looks like a spreadsheet formula"),
      (4, "主办方", "looks like a spreadsheet formula"),
      (4, "价格", "looks like a spreadsheet formula")]),
    ([HEADER, ",B,活动平台,上海,一线,2027-05-20,2027-05-20,1,0,沙龙",
      "ok,B,活动平台,上海,一线,,2027-05-20,1,0,沙龙"],
     [(2, "活动名称", "required, but empty"), (3, "开始日期", "required, but empty")]),
    ([HEADER, "ok,B,活动平台,上海,一线,2027-02-30,2027-03-01,1,0,沙龙",
      "ok,B,活动平台,上海,一线,next week,2027-03-01,1,0,沙龙",
      "ok,B,活动平台,上海,一线,2027-03-02,2027-03-01,1,0,沙龙"],
     [(2, "开始日期", "“2027-02-30” is not a date (write 2026-05-20)"),
      (3, "开始日期", "“next week” is not a date (write 2026-05-20)"),
      (4, "结束日期", "The end date cannot be before the start date.")]),
    ([HEADER, "ok,B,朋友圈,上海,三线,2027-03-02,2027-03-02,many,abc,酒会"],
     [(2, "来源渠道", "“朋友圈” is not one of: event_platform, official_account, media, "
                      "search_keyword, referral, competitor_move, other"),
      (2, "预计人数", "“many” is not a whole number"),
      (2, "价格", "“abc” is not a number"),
      (2, "活动类型", "“酒会” is not one of: exhibition, summit, salon, livestream")]),
    ([HEADER, "ok,B,活动平台,上海,一线,2027-03-02,2027-03-02,-5,0,沙龙",
      "<b>ok</b>,B,活动平台,上海,一线,2027-03-02,2027-03-02,5,0,沙龙"],
     [(2, "预计人数", "Ensure this value is greater than or equal to 0."),
      (3, "活动名称", "HTML tags are not allowed here; write plain text.")]),
])
def test_bad_rows_are_reported_exactly_and_nothing_is_written(run, lines, expected):
    before = counts()
    result = run(csv_bytes(lines))
    assert result.refused
    assert report(result) == expected
    assert counts() == before


def test_unknown_repeated_and_missing_columns_refuse_the_file(run):
    result = run(csv_bytes(["主办方,Organiser,Venue size,开始日期", "a,b,c,2027-01-01"]))
    assert result.file_error == (
        "Column 2 “Organiser” repeats “主办方”. Column 3 “Venue size” is not a known column. "
        "The required column “name” (活动名称) is missing. Known columns: name / 活动名称; "
        "organiser / 主办方; source channel / 来源渠道; source note / 来源说明; source link / 链接; "
        "city / 城市; city tier / 城市级别; venue / 场地; online / 线上; start date / 开始日期; "
        "end date / 结束日期; expected attendees / 预计人数; price / 价格; currency / 币种; "
        "our role / 参与方式; event type / 活动类型; description / 活动简介; owner / 负责人.")
    assert counts() == (0, 0, AuditEntry.objects.count())


def test_empty_file_and_header_only(run):
    assert run(b"").file_error == "The file is empty: row 1 must hold the column headers."
    assert run(csv_bytes([HEADER])).file_error == (
        "There are no rows to import below the header row.")


def test_owner_column_names_a_team_member(run, users):
    result = run(csv_bytes(["name,start date,owner", "A,2027-01-01,team_leader",
                            "B,2027-01-02,nobody"]))
    assert report(result) == [(3, "owner", "“nobody” is not a member of the team.")]
    result = run(csv_bytes(["name,start date,负责人", "A,2027-01-01,team_leader"]))
    assert m.Event.objects.get().owner == users["team_leader"]


def test_skip_bad_rows_writes_only_the_good_ones(run):
    lines = [HEADER, ROWS[0], "bad,B,活动平台,上海,一线,2027-13-01,2027-05-20,1,0,沙龙", ROWS[2],
             "=cmd,B,活动平台,上海,一线,2027-05-20,2027-05-20,1,0,沙龙"]
    result = run(csv_bytes(lines), skip_bad_rows=True)
    assert (result.refused, result.total, result.written) == (False, 4, 2)
    assert report(result) == [(3, "开始日期", "“2027-13-01” is not a date (write 2026-05-20)"),
                              (5, "活动名称", "looks like a spreadsheet formula")]
    assert sorted(m.Event.objects.values_list("name", flat=True)) == ["上海开发者沙龙", "成都技术大会"]
    assert (result.batch.rows_written, result.batch.rows_refused) == (2, 2)
    assert result.batch.errors == [
        {"row": 3, "column": "开始日期", "reason": "“2027-13-01” is not a date (write 2026-05-20)"},
        {"row": 5, "column": "活动名称", "reason": "looks like a spreadsheet formula"}]


def test_blank_lines_are_skipped_but_counted_in_row_numbers(run):
    result = run(csv_bytes([HEADER, "", ROWS[0], ",,,,,,,,,", "x,B,活动平台,上海,一线,bad,,1,0,沙龙"]))
    assert report(result) == [(5, "开始日期", "“bad” is not a date (write 2026-05-20)")]


# --- XLSX ------------------------------------------------------------------------------------

def xlsx_bytes(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_dates_numbers_and_chinese(run):
    data = xlsx_bytes([
        ["活动名称", "开始日期", "结束日期", "预计人数", "价格", "活动类型", "线上"],
        ["广州开发者大会", dt.datetime(2027, 8, 1), dt.datetime(2027, 8, 2), 600, 8800.5, "大展", "否"],
        ["线上直播：数据安全", dt.date(2027, 8, 10), None, 1000.0, 0, "线上直播", "是"],
    ])
    result = run(data, filename="活动.xlsx")
    assert (result.encoding, result.written) == ("xlsx", 2)
    assert list(m.Event.objects.order_by("start_date").values_list(
        "name", "start_date", "end_date", "expected_attendees", "price", "event_type", "online")) == [
        ("广州开发者大会", dt.date(2027, 8, 1), dt.date(2027, 8, 2), 600, Decimal("8800.50"),
         "exhibition", False),
        ("线上直播：数据安全", dt.date(2027, 8, 10), dt.date(2027, 8, 10), 1000, Decimal("0.00"),
         "livestream", True),
    ]


def test_xlsx_formula_cells_and_extra_cells_are_refused(run):
    data = xlsx_bytes([
        ["活动名称", "开始日期"],
        ["=1+1", dt.date(2027, 8, 1)],
        ["ok", dt.date(2027, 8, 1), "stray"],
        ["ok", dt.datetime(2027, 8, 1, 14, 30)],
    ])
    before = counts()
    result = run(data, filename="x.xlsx")
    assert report(result) == [
        (2, "活动名称", "looks like a spreadsheet formula"),
        (3, "", "The row has values beyond the last header (column 3)."),
        (4, "开始日期", "“2027-08-01 14:30:00” is a date with a time; give the date only")]
    assert counts() == before


def test_a_broken_workbook(run):
    assert run(b"PK\x03\x04 not really a zip", filename="x.xlsx").file_error == (
        "The file cannot be read as an Excel workbook (.xlsx).")


# --- JSON rows (the API) -----------------------------------------------------------------------

def test_json_rows_use_the_same_headers_and_number_rows_from_one(team_a, marketer):
    result = services.import_events(team=team_a, by=marketer, rows=[
        {"活动名称": "A", "开始日期": "2027-01-01", "预计人数": 50},
        {"name": "B", "start date": "2027-01-02"},
    ])
    assert result.file_error.startswith(
        "Column 4 “name” repeats “活动名称”. Column 5 “start date” repeats “开始日期”. "
        "Known columns: name / 活动名称; ")
    result = services.import_events(team=team_a, by=marketer, rows=[
        {"活动名称": "A", "开始日期": "2027-01-01", "预计人数": 50},
        {"活动名称": "B", "开始日期": "2027-01-02", "预计人数": "x"},
    ])
    assert report(result) == [(2, "预计人数", "“x” is not a whole number")]
    assert m.Event.objects.count() == 0


# --- leads and registrations ----------------------------------------------------------------

def test_lead_list_import_accepts_phone_numbers_with_a_plus(event, marketer):
    data = csv_bytes(["姓名,公司,职位,电话,邮箱,意向",
                      "李雷,示例科技,CTO,+86 138 0000 0000,,数据中台",
                      "韩梅梅,示例科技,市场总监,,han@example.com,",
                      "王五,,,,,"], "gb18030")
    result = services.import_leads(event, by=marketer, data=data, filename="leads.csv")
    assert report(result) == [(4, "电话", "Give a phone number or an email address.")]
    result = services.import_leads(event, by=marketer, data=data, filename="leads.csv",
                                   skip_bad_rows=True)
    assert list(event.leads.values_list("name", "phone", "email")) == [
        ("李雷", "+86 138 0000 0000", ""), ("韩梅梅", "", "han@example.com")]
    assert result.batch.event == event


def test_registration_import_replaces_counts_and_refuses_duplicates(event, marketer):
    services.registration_set(event, by=marketer, day=dt.date(2027, 6, 1), channel="官网",
                              count=3)
    dup = csv_bytes(["日期,渠道,报名人数", "2027-06-01,官网,10", "2027-06-01,官网,11"])
    result = services.import_registrations(event, by=marketer, data=dup, filename="r.csv")
    assert report(result) == [(3, "渠道", "Row 2 already gives this day and channel.")]
    ok = csv_bytes(["日期,渠道,报名人数", "2027-06-01,官网,10", "2027-06-02,公众号,7"])
    result = services.import_registrations(event, by=marketer, data=ok, filename="r.csv")
    assert result.written == 2
    assert list(event.registrations.values_list("day", "channel", "count")) == [
        (dt.date(2027, 6, 1), "官网", 10), (dt.date(2027, 6, 2), "公众号", 7)]


# --- 50,000 rows -------------------------------------------------------------------------------

def big_file(n, bad_row=None):
    lines = [HEADER]
    for i in range(n):
        day = f"2027-{(i % 12) + 1:02d}-{(i % 28) + 1:02d}"
        name = "=cmd" if i == bad_row else f"活动{i}"
        lines.append(f"{name},主办{i % 97},活动平台,上海,一线,{day},{day},{i % 1000},{i % 5000}.5,峰会")
    return csv_bytes(lines, "gb18030")


def test_fifty_thousand_rows_import(run):
    data = big_file(50_000)
    started = time.process_time()
    result = run(data)
    cpu = time.process_time() - started
    assert (result.refused, result.total, result.written) == (False, 50_000, 50_000)
    assert m.Event.objects.count() == 50_000
    assert AuditEntry.objects.filter(action="create", content_type__model="event").count() == 50_000
    assert m.Event.objects.get(name="活动49999").price == Decimal("4999.50")
    assert cpu < 60, f"50,000 rows took {cpu:.1f} s of CPU"


def test_fifty_thousand_rows_with_one_bad_row_write_nothing(run):
    before = counts()
    result = run(big_file(50_000, bad_row=39_999))
    assert result.refused
    assert report(result) == [(40_001, "活动名称", "looks like a spreadsheet formula")]
    assert counts() == before


def test_header_names_normalise_case_spaces_and_brackets():
    assert imports.normalise_header(" Start_Date ") == imports.normalise_header("start-date") == \
        "startdate"
    assert imports.normalise_header("开始日期（必填）") == "开始日期必填"


def test_headers_and_labels_do_not_depend_on_the_page_language(run):
    from django.utils import translation

    with translation.override("zh-hans"):
        result = run(csv_bytes(["Name,Source link,Start date,Event type",
                                "A,https://example.com/a,2027-01-01,Medium: summit"]))
    assert result.written == 1
    assert m.Event.objects.values_list("source_url", "event_type").get() == (
        "https://example.com/a", "summit")
