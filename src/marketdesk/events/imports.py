"""Spreadsheet imports of the event pipeline: event opportunities (O3), leads (O10) and
registration counts (O8) from CSV, XLSX or JSON rows.

Reading
    CSV is decoded strictly as UTF-8 (with or without the BOM Excel writes for "CSV UTF-8"),
    then strictly as GB18030 (what Excel writes on Chinese Windows). A file that is neither
    is refused with the byte and position that cannot be read; a UTF-16 file ("Unicode
    text") is named as such. XLSX is read from the first sheet with openpyxl (through
    defusedxml); a formula cell arrives as its formula text and is refused like any other.
    Row 1 holds the headers; the error report counts rows as a spreadsheet does (the
    first data row is row 2; for JSON rows, the first item is row 1).

Headers
    Each column accepts its English and Chinese headers (``活动名称`` or ``name``), ignoring
    case, spaces, underscores, hyphens and brackets. An unknown or repeated header, or a
    missing required column, refuses the whole file before any row is read.

Cells
    A row with more or fewer cells than the header row is refused (ragged). A cell that
    starts with ``=``, ``+``, ``-`` or ``@`` is refused as a spreadsheet formula — except a
    plain signed number or phone number (digits, spaces, dots, brackets and dashes only,
    such as ``+86 138 0000 0000``), which no spreadsheet can turn into a command. Choices
    accept the stored code, the English label or the Chinese words of the seed (``峰会``).

Writing (see services)
    Every row is validated before anything is written. By default an import is
    all-or-nothing: one bad row and nothing is written. With ``skip_bad_rows`` the good
    rows are written and the bad ones reported. Rows are written with ``bulk_create`` in
    batches inside one transaction; the audit log gets one entry for the import batch and
    one ``create`` entry per written row, also bulk-created (DESIGN: every create is in the
    audit log), so 50,000 rows stay a matter of seconds.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError

from marketdesk.core import tabular
from marketdesk.core.tabular import (  # noqa: F401 — the reader lives in core.tabular
    MAX_FILE_BYTES,
    MAX_REPORTED_ERRORS,
    MAX_ROWS,
    UTF8_BOM,
    CellError,
    Column,
    FileRefused,
    ParsedRow,
    RowError,
    Table,
    cell_text,
    choice_parser,
    map_headers,
    normalise_header,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
    parse_rows,
    parse_text,
    read_json_rows,
    read_xlsx,
)

# --- reading: UTF-16 is refused here (the event sheets are CSV UTF-8 or GB18030) ----------

def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read with."""
    return tabular.decode(data, allow_utf16=False)


def read_csv(data: bytes) -> Table:
    return tabular.read_csv(data, allow_utf16=False)


def read_file(data: bytes, filename: str = "") -> Table:
    return tabular.read_file(data, filename, allow_utf16=False)


def model_errors(row: ParsedRow, exc: ValidationError, *, field_columns: Mapping[str, str] | None = None
                 ) -> list[RowError]:
    """A model's ValidationError as row errors naming the file's column headers."""
    field_columns = field_columns or {}
    errors = []
    items = exc.error_dict.items() if hasattr(exc, "error_dict") else [("__all__", exc.error_list)]
    for name, errs in items:
        key = field_columns.get(name, name)
        header = row.headers.get(key, "" if name == "__all__" else name)
        for err in errs:
            for message in err.messages:
                errors.append(RowError(row.row, header, message))
    return errors


# Chinese words of the seed and of common spreadsheets, per stored code.
SOURCE_CHANNEL_WORDS = {
    "event_platform": ["活动平台", "活动行", "平台"],
    "official_account": ["公众号", "公号", "微信公众号"],
    "media": ["媒体"],
    "search_keyword": ["搜索", "搜索关键词", "百度关键词", "关键词搜索", "百度"],
    "referral": ["推荐", "朋友推荐", "同事推荐", "朋友、同事推荐", "朋友同事推荐", "referral"],
    "competitor_move": ["竞品动态", "行业动态", "竞品动态、行业企业动态", "行业企业动态",
                        "competitor", "industry move"],
    "other": ["其他", "其它"],
}
REGION_TIER_WORDS = {
    "tier1": ["一线", "一线城市", "tier 1", "tier-1", "t1"],
    "tier2": ["二线", "二线城市", "tier 2", "tier-2", "t2"],
    "other": ["其他", "其它", "其他城市", "三线", "三线城市"],
}
ROLE_WORDS = {
    "attend": ["参会", "参加", "参展", "观众"],
    "speak": ["演讲", "分享", "嘉宾演讲"],
    "sponsor": ["赞助"],
    "host": ["主办", "承办", "自办"],
}
TYPE_WORDS = {
    "exhibition": ["大展", "展会", "大型", "大型：大展", "大型:大展", "exhibition"],
    "summit": ["峰会", "中型", "中型：峰会", "中型:峰会", "summit"],
    "salon": ["沙龙", "小型", "小型：沙龙", "小型:沙龙", "salon"],
    "livestream": ["线上直播", "直播", "livestream", "live stream", "webinar"],
}


def event_columns(event_model) -> list[Column]:
    E = event_model
    return [
        Column("name", "name", "活动名称", required=True,
               aliases=("event name", "event", "名称")),
        Column("organiser", "organiser", "主办方", aliases=("organizer", "host organisation")),
        Column("source_channel", "source channel", "来源渠道",
               choice_parser(E.SourceChannel, SOURCE_CHANNEL_WORDS),
               aliases=("source", "channel", "信息来源", "来源")),
        Column("source_note", "source note", "来源说明", aliases=("note", "备注")),
        Column("source_url", "source link", "链接", aliases=("url", "link", "来源链接")),
        Column("city", "city", "城市"),
        Column("region_tier", "city tier", "城市级别",
               choice_parser(E.RegionTier, REGION_TIER_WORDS), aliases=("tier", "城市等级")),
        Column("venue", "venue", "场地", aliases=("地点", "举办地点")),
        Column("online", "online", "线上", parse_bool, aliases=("是否线上",)),
        Column("start_date", "start date", "开始日期", parse_date, required=True,
               aliases=("start", "date", "日期", "活动日期")),
        Column("end_date", "end date", "结束日期", parse_date, aliases=("end",)),
        Column("expected_attendees", "expected attendees", "预计人数", parse_int,
               aliases=("attendees", "参会人数", "人数")),
        Column("price", "price", "价格", parse_decimal,
               aliases=("ticket price", "sponsorship price", "费用", "赞助价格")),
        Column("currency", "currency", "币种"),
        Column("our_role", "our role", "参与方式",
               choice_parser(E.Role, ROLE_WORDS), aliases=("role", "我方角色")),
        Column("event_type", "event type", "活动类型",
               choice_parser(E.Type, TYPE_WORDS), aliases=("type", "类型")),
        Column("description", "description", "活动简介", aliases=("简介", "说明")),
        Column("owner", "owner", "负责人", aliases=("owner username",)),
    ]


def lead_columns() -> list[Column]:
    return [
        Column("name", "name", "姓名", required=True, aliases=("full name", "联系人")),
        Column("company", "company", "公司", aliases=("company name", "公司名称", "单位")),
        Column("title", "title", "职位", aliases=("job title", "职务")),
        Column("phone", "phone", "电话", aliases=("mobile", "手机", "手机号", "联系电话")),
        Column("email", "email", "邮箱", aliases=("e-mail", "电子邮箱", "邮件")),
        Column("interest", "interest", "意向", aliases=("interested in", "感兴趣", "需求")),
    ]


def registration_columns() -> list[Column]:
    return [
        Column("day", "day", "日期", parse_date, required=True, aliases=("date",)),
        Column("channel", "channel", "渠道", required=True, aliases=("source", "报名渠道")),
        Column("count", "registrations", "报名人数", parse_int, required=True,
               aliases=("count", "报名数", "人数")),
    ]
