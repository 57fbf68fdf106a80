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

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 100_000
MAX_REPORTED_ERRORS = 1000
UTF8_BOM = b"\xef\xbb\xbf"


class FileRefused(Exception):
    """The whole file cannot be imported (encoding, format, headers); nothing is written."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CellError(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class RowError:
    row: int
    column: str  # the header as written in the file; "" for the whole row
    reason: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[tuple[int, list]]  # (row number, cells)
    encoding: str  # "utf-8", "utf-8-sig", "gb18030", "xlsx" or "json"
    ragged: list[RowError] = field(default_factory=list)


# --- reading -------------------------------------------------------------------------------

def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read with."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRefused(_(
            "The file is saved as UTF-16 (“Unicode text”). Save it as “CSV UTF-8” (or CSV on "
            "Chinese Windows) and import it again."))
    try:
        text = data.decode("utf-8-sig", errors="strict")
        return text, "utf-8-sig" if data.startswith(UTF8_BOM) else "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("gb18030", errors="strict"), "gb18030"
        except UnicodeDecodeError as gb_error:
            raise FileRefused(_(
                "The file is neither UTF-8 nor GB18030 text: as UTF-8, byte 0x%(b1)s at "
                "position %(p1)s cannot be read; as GB18030, byte 0x%(b2)s at position %(p2)s "
                "cannot be read. Save it as “CSV UTF-8” and import it again.") % {
                    "b1": data[utf8_error.start:utf8_error.start + 1].hex().upper(),
                    "p1": utf8_error.start,
                    "b2": data[gb_error.start:gb_error.start + 1].hex().upper(),
                    "p2": gb_error.start,
                }) from None


def _blank(cells: Iterable) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def read_csv(data: bytes) -> Table:
    text, encoding = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    headers: list[str] | None = None
    rows: list[tuple[int, list]] = []
    ragged: list[RowError] = []
    try:
        for number, cells in enumerate(reader, start=1):
            if headers is None:
                headers = [c.strip() for c in cells]
                continue
            if _blank(cells):
                continue
            if len(cells) != len(headers):
                ragged.append(RowError(number, "", _(
                    "The row has %(n)s cells but the header row has %(m)s.") % {
                        "n": len(cells), "m": len(headers)}))
                continue
            rows.append((number, cells))
            if len(rows) + len(ragged) > MAX_ROWS:
                raise FileRefused(_("The file has more than %(max)s rows; split it.") % {
                    "max": f"{MAX_ROWS:,}"})
    except csv.Error as exc:
        raise FileRefused(_("Row %(row)s cannot be read as CSV: %(reason)s") % {
            "row": reader.line_num, "reason": exc}) from None
    if not headers or _blank(headers):
        raise FileRefused(_("The file is empty: row 1 must hold the column headers."))
    return Table(headers, rows, encoding, ragged)


def read_xlsx(data: bytes) -> Table:
    import openpyxl  # noqa: PLC0415 — only imports need it
    from openpyxl.utils.exceptions import InvalidFileException  # noqa: PLC0415

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise FileRefused(_("The file cannot be read as an Excel workbook (.xlsx).")) from None
    try:
        sheet = book.worksheets[0]
        headers: list[str] | None = None
        width = 0
        rows: list[tuple[int, list]] = []
        ragged: list[RowError] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = list(values)
            if headers is None:
                while cells and (cells[-1] is None or str(cells[-1]).strip() == ""):
                    cells.pop()
                headers = ["" if c is None else str(c).strip() for c in cells]
                width = len(headers)
                continue
            if _blank(cells):
                continue
            extra = cells[width:]
            if not _blank(extra):
                ragged.append(RowError(number, "", _(
                    "The row has values beyond the last header (column %(col)s).") % {
                        "col": width + 1 + next(i for i, c in enumerate(extra)
                                                if not _blank([c]))}))
                continue
            cells = (cells + [None] * width)[:width]
            rows.append((number, cells))
            if len(rows) + len(ragged) > MAX_ROWS:
                raise FileRefused(_("The file has more than %(max)s rows; split it.") % {
                    "max": f"{MAX_ROWS:,}"})
    finally:
        book.close()
    if not headers or _blank(headers):
        raise FileRefused(_("The file is empty: row 1 must hold the column headers."))
    return Table(headers, rows, "xlsx", ragged)


def read_file(data: bytes, filename: str = "") -> Table:
    if not data:
        raise FileRefused(_("The file is empty: row 1 must hold the column headers."))
    if len(data) > MAX_FILE_BYTES:
        raise FileRefused(_("The file is larger than %(mb)s MB; split it.") % {
            "mb": MAX_FILE_BYTES // (1024 * 1024)})
    name = filename.lower()
    if data.startswith(b"PK\x03\x04") or name.endswith((".xlsx", ".xlsm")):
        return read_xlsx(data)
    if name.endswith(".xls"):
        raise FileRefused(_("Old .xls workbooks are not supported: save the sheet as .xlsx or "
                            "CSV UTF-8."))
    return read_csv(data)


def read_json_rows(rows: list[Mapping]) -> Table:
    """JSON rows (objects keyed by the same headers as a file) as a table."""
    headers: list[str] = []
    for item in rows:
        for key in item:
            if key not in headers:
                headers.append(key)
    if len(rows) > MAX_ROWS:
        raise FileRefused(_("More than %(max)s rows; split them.") % {"max": f"{MAX_ROWS:,}"})
    table_rows = [(i, [item.get(h) for h in headers]) for i, item in enumerate(rows, start=1)]
    return Table(headers, table_rows, "json")


# --- cells ---------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@")
_SIGNED_NUMBER = re.compile(r"^[+-][\d\s().-]*\d[\d\s().-]*$")


def cell_text(value) -> str | None:
    """A cell as stripped text (None when empty); formulas are refused."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal, dt.date)):
        return str(value)
    text = str(value).strip()
    if not text:
        return None
    if text.startswith(_FORMULA_START) and not _SIGNED_NUMBER.match(text):
        raise CellError(_("looks like a spreadsheet formula"))
    return text


def parse_text(value):
    return cell_text(value)


def parse_int(value):
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a whole number") % {"value": value})
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = cell_text(value)
    if text is None:
        return None
    cleaned = re.sub(r"[\s,，_]", "", text)
    if re.fullmatch(r"[+-]?\d+(\.0+)?", cleaned):
        return int(Decimal(cleaned))
    raise CellError(_("“%(value)s” is not a whole number") % {"value": text[:40]})


def parse_decimal(value):
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a number") % {"value": value})
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    text = cell_text(value)
    if text is None:
        return None
    cleaned = re.sub(r"[\s,，_¥￥$€]|RMB|CNY|元", "", text, flags=re.I)
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not a number") % {"value": text[:40]}) from None
    if not number.is_finite():
        raise CellError(_("“%(value)s” is not a number") % {"value": text[:40]})
    return number


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
)


def parse_date(value):
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0, 0):
            raise CellError(_("“%(value)s” is a date with a time; give the date only") % {
                "value": value.isoformat(sep=" ")})
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    if text is None:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T]00:00(:00)?", text):
        text = text[:10]
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                break
    raise CellError(_("“%(value)s” is not a date (write 2026-05-20)") % {"value": text[:40]})


_TRUE = {"true", "yes", "y", "1", "是", "对", "有", "√", "✓"}
_FALSE = {"false", "no", "n", "0", "否", "不", "无", "×", "✗"}


def parse_bool(value):
    if isinstance(value, bool):
        return value
    text = cell_text(value)
    if text is None:
        return None
    folded = text.casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise CellError(_("“%(value)s” is not yes or no (是/否)") % {"value": text[:40]})


def choice_parser(choices, synonyms: Mapping[str, Iterable[str]] | None = None):
    """A parser for a TextChoices field: code, English label or a listed synonym."""
    lookup: dict[str, str] = {}
    for code, label in choices.choices:
        lookup[str(code).casefold()] = code
        for language in ("en", "zh-hans"):  # the labels in both languages, whatever the UI's
            with translation.override(language):
                lookup[str(label).casefold()] = code
    for code, words in (synonyms or {}).items():
        for word in words:
            lookup[word.casefold()] = code

    def parse(value):
        text = cell_text(value)
        if text is None:
            return None
        code = lookup.get(text.casefold()) or lookup.get(re.sub(r"\s+", "", text).casefold())
        if code is None:
            allowed = ", ".join(str(c) for c in choices.values)
            raise CellError(_("“%(value)s” is not one of: %(allowed)s") % {
                "value": text[:40], "allowed": allowed})
        return code

    return parse


# --- columns -------------------------------------------------------------------------------

def normalise_header(text: str) -> str:
    return re.sub(r"[\s_\-/（）()\[\]【】:：*]+", "", str(text or "")).casefold()


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the English header (literal header text, so not translated)
    zh: str  # the Chinese header
    parse: Callable = parse_text
    required: bool = False
    aliases: tuple[str, ...] = ()

    def names(self) -> set[str]:
        return {normalise_header(n) for n in (self.key, str(self.label), self.zh, *self.aliases)}


def map_headers(headers: list[str], columns: Iterable[Column]) -> list[Column]:
    """The column of each header, or FileRefused naming every problem with the headers."""
    by_name: dict[str, Column] = {}
    columns = list(columns)
    for column in columns:
        for name in column.names():
            by_name[name] = column
    mapped: list[Column] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for position, header in enumerate(headers, start=1):
        column = by_name.get(normalise_header(header))
        if column is None:
            problems.append(_("Column %(n)s “%(header)s” is not a known column.") % {
                "n": position, "header": header})
            continue
        if column.key in seen:
            problems.append(_("Column %(n)s “%(header)s” repeats “%(first)s”.") % {
                "n": position, "header": header, "first": seen[column.key]})
            continue
        seen[column.key] = header
        mapped.append(column)
    for column in columns:
        if column.required and column.key not in seen:
            problems.append(_("The required column “%(en)s” (%(zh)s) is missing.") % {
                "en": column.label, "zh": column.zh})
    if problems:
        known = "; ".join(f"{c.label} / {c.zh}" for c in columns)
        problems.append(_("Known columns: %(known)s.") % {"known": known})
        raise FileRefused(" ".join(str(p) for p in problems))
    return mapped


@dataclass
class ParsedRow:
    row: int
    values: dict  # column key → parsed value (None when empty)
    headers: dict  # column key → header as written


def parse_rows(table: Table, columns: Iterable[Column]) -> tuple[list[ParsedRow], list[RowError]]:
    """Every row parsed cell by cell: the good rows and every cell error."""
    mapped = map_headers(table.headers, columns)
    headers = {c.key: h for c, h in zip(mapped, table.headers, strict=True)}
    good: list[ParsedRow] = []
    errors: list[RowError] = list(table.ragged)
    for number, cells in table.rows:
        values = {}
        row_errors = []
        for column, header, raw in zip(mapped, table.headers, cells, strict=True):
            try:
                value = column.parse(raw)
            except CellError as exc:
                row_errors.append(RowError(number, header, exc.reason))
                continue
            if value is None and column.required:
                row_errors.append(RowError(number, header, _("required, but empty")))
                continue
            values[column.key] = value
        if row_errors:
            errors.extend(row_errors)
        else:
            good.append(ParsedRow(number, values, headers))
    errors.sort(key=lambda e: e.row)
    return good, errors


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
