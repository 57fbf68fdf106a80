"""Reading spreadsheets: CSV/TSV text in the encodings Excel and Chinese tools write, and
XLSX workbooks; headers in English or Chinese; cells parsed one by one with a reason for
every refusal (used by the event imports, O3/O8/O10, and the metrics imports, O14).

Encodings
    Text is decoded strictly, in this order: UTF-8 (with or without the BOM of Excel's
    "CSV UTF-8"), then — when the caller allows it — UTF-16 with a byte-order mark (Excel's
    "Unicode text", some Baidu and WeChat exports) or without one (recognised by its NUL
    bytes), then GB18030 (Excel on Chinese Windows). A file that is none of these is refused
    with the byte and position each encoding stopped at. The check streams through the
    file, so a large file is never held in memory as text.

Delimiter
    Sniffed from the header row: TAB, comma or semicolon, whichever occurs most outside
    quotes (UTF-16 exports are usually TAB-separated).

Rows
    Row 1 holds the headers; rows are numbered as a spreadsheet does (the first data row is
    row 2; for JSON rows, the first item is row 1). Blank rows are skipped but counted. A
    row with more or fewer cells than the header row is "ragged" and reported.

Cells
    A cell that starts with ``=``, ``+``, ``-`` or ``@`` is refused as a spreadsheet
    formula — except a plain signed number or phone number (digits, spaces, dots, brackets
    and dashes only, such as ``+86 138 0000 0000``). An XLSX formula cell arrives as its
    formula text and is refused like any other.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from django.utils import translation
from django.utils.translation import gettext as _

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 100_000
MAX_REPORTED_ERRORS = 1000
UTF8_BOM = b"\xef\xbb\xbf"
_BLOCK = 1 << 20


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
    encoding: str  # "utf-8", "utf-8-sig", "gb18030", "utf-16", "xlsx" or "json"
    ragged: list[RowError] = field(default_factory=list)


# --- encodings -----------------------------------------------------------------------------

def _stream(source: bytes | BinaryIO) -> BinaryIO:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(source))
    source.seek(0)
    return source


def _strict_error(handle: BinaryIO, encoding: str, skip: int = 0) -> tuple[int, bytes] | None:
    """Where ``handle`` stops being ``encoding``: (position, byte), or None if it all is."""
    handle.seek(skip)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset = skip
    while True:
        block = handle.read(_BLOCK)
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(block, final=not block)
        except UnicodeDecodeError as exc:
            start = offset - pending + exc.start
            handle.seek(start)
            return start, handle.read(1)
        if not block:
            return None
        offset += len(block)


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 text without a byte-order mark: ASCII characters leave NUL bytes at every
    other position (the high byte first in big-endian)."""
    sample = head[: len(head) // 2 * 2]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    even_nul = sample[0::2].count(0) / (len(sample) // 2)
    odd_nul = sample[1::2].count(0) / (len(sample) // 2)
    if odd_nul > 0.3 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.3 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def sniff_encoding(source: bytes | BinaryIO, *, allow_utf16: bool = False) -> str:
    """The encoding a text file was written in (see the module docstring), reading it
    block by block: ``utf-8``, ``utf-8-sig``, ``utf-16`` (with a BOM), ``utf-16-le`` /
    ``utf-16-be`` (without), or ``gb18030``. Raises :class:`FileRefused`."""
    handle = _stream(source)
    head = handle.read(4096)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        if not allow_utf16:
            raise FileRefused(_(
                "The file is saved as UTF-16 (“Unicode text”). Save it as “CSV UTF-8” (or CSV "
                "on Chinese Windows) and import it again."))
        failure = _strict_error(handle, "utf-16")
        if failure is None:
            return "utf-16"
        raise FileRefused(_(
            "The file starts like UTF-16 text but byte 0x%(b)s at position %(p)s cannot be "
            "read as UTF-16. Save it as “CSV UTF-8” and import it again.") % {
                "b": failure[1].hex().upper(), "p": failure[0]})
    utf8 = _strict_error(handle, "utf-8")
    if utf8 is None:
        return "utf-8-sig" if head.startswith(UTF8_BOM) else "utf-8"
    tried_utf16 = None
    if allow_utf16:
        guess = _utf16_without_bom(head)
        if guess is not None:
            tried_utf16 = _strict_error(handle, guess)
            if tried_utf16 is None:
                return guess
    gb = _strict_error(handle, "gb18030")
    if gb is None:
        return "gb18030"
    values = {"b1": utf8[1].hex().upper(), "p1": utf8[0], "b2": gb[1].hex().upper(), "p2": gb[0]}
    if not allow_utf16:
        raise FileRefused(_(
            "The file is neither UTF-8 nor GB18030 text: as UTF-8, byte 0x%(b1)s at "
            "position %(p1)s cannot be read; as GB18030, byte 0x%(b2)s at position %(p2)s "
            "cannot be read. Save it as “CSV UTF-8” and import it again.") % values)
    raise FileRefused(_(
        "The file is not text in any encoding we read (tried UTF-8, UTF-8 with BOM, UTF-16 and "
        "GB18030): as UTF-8, byte 0x%(b1)s at position %(p1)s cannot be read; as GB18030, byte "
        "0x%(b2)s at position %(p2)s cannot be read; it has no UTF-16 byte-order mark. Save it "
        "as “CSV UTF-8” and import it again.") % values)


def decode(data: bytes, *, allow_utf16: bool = False) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read with."""
    encoding = sniff_encoding(data, allow_utf16=allow_utf16)
    return data.decode(encoding), encoding


def text_stream(source: bytes | BinaryIO, encoding: str) -> io.TextIOWrapper:
    """The text of a file already checked with :func:`sniff_encoding` (a BOM is dropped)."""
    return io.TextIOWrapper(_stream(source), encoding=encoding, newline="")


def sniff_delimiter(header_line: str) -> str:
    """TAB, comma or semicolon: whichever occurs most outside quotes in the header row."""
    outside = re.sub(r'"[^"]*"', "", header_line)
    counts = {d: outside.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _blank(cells: Iterable) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _ragged(number: int, n: int, m: int) -> RowError:
    return RowError(number, "", _("The row has %(n)s cells but the header row has %(m)s.") % {
        "n": n, "m": m})


# --- streaming rows ------------------------------------------------------------------------

@dataclass
class Sheet:
    """A file opened for reading row by row: its headers, how it was read, and an iterator
    of ``(row number, cells)`` for the good rows or a :class:`RowError` for a ragged one."""

    headers: list[str]
    encoding: str
    delimiter: str
    rows: Iterator[tuple[int, list] | RowError]
    close: Callable[[], None] = lambda: None


def _csv_sheet(source: bytes | BinaryIO, *, allow_utf16: bool) -> Sheet:
    encoding = sniff_encoding(source, allow_utf16=allow_utf16)
    text = text_stream(source, encoding)
    first = text.readline()
    delimiter = sniff_delimiter(first)
    text.seek(0)
    reader = csv.reader(text, delimiter=delimiter)
    headers: list[str] | None = None
    try:
        for cells in reader:
            headers = [c.strip() for c in cells]
            break
    except csv.Error as exc:
        raise FileRefused(_("Row %(row)s cannot be read as CSV: %(reason)s") % {
            "row": reader.line_num, "reason": exc}) from None
    if not headers or _blank(headers):
        raise FileRefused(_("The file is empty: row 1 must hold the column headers."))
    width = len(headers)

    def rows():
        number = 1
        try:
            for number, cells in enumerate(reader, start=2):  # noqa: B007
                if _blank(cells):
                    continue
                if len(cells) != width:
                    yield _ragged(number, len(cells), width)
                    continue
                yield number, cells
        except csv.Error as exc:
            raise FileRefused(_("Row %(row)s cannot be read as CSV: %(reason)s") % {
                "row": number + 1, "reason": exc}) from None

    return Sheet(headers, encoding, delimiter, rows(), text.detach)


def _xlsx_sheet(source: bytes | BinaryIO) -> Sheet:
    import openpyxl  # noqa: PLC0415 — only imports need it
    from openpyxl.utils.exceptions import InvalidFileException  # noqa: PLC0415

    try:
        book = openpyxl.load_workbook(_stream(source), read_only=True, data_only=False)
        sheet = book.worksheets[0]
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError):
        raise FileRefused(_("The file cannot be read as an Excel workbook (.xlsx).")) from None
    values = sheet.iter_rows(values_only=True)
    cells = list(next(values, ()))
    while cells and (cells[-1] is None or str(cells[-1]).strip() == ""):
        cells.pop()
    headers = ["" if c is None else str(c).strip() for c in cells]
    if not headers or _blank(headers):
        book.close()
        raise FileRefused(_("The file is empty: row 1 must hold the column headers."))
    width = len(headers)

    def rows():
        for number, row in enumerate(values, start=2):
            cells = list(row)
            if _blank(cells):
                continue
            extra = cells[width:]
            if not _blank(extra):
                yield RowError(number, "", _(
                    "The row has values beyond the last header (column %(col)s).") % {
                        "col": width + 1 + next(i for i, c in enumerate(extra)
                                                if not _blank([c]))})
                continue
            yield number, (cells + [None] * width)[:width]

    return Sheet(headers, "xlsx", "", rows(), book.close)


def is_xlsx(head: bytes, filename: str = "") -> bool:
    return head.startswith(b"PK\x03\x04") or filename.lower().endswith((".xlsx", ".xlsm"))


def open_sheet(source: bytes | BinaryIO, filename: str = "", *, allow_utf16: bool = True,
               max_bytes: int | None = MAX_FILE_BYTES) -> Sheet:
    """A CSV/TSV or XLSX file (bytes or a binary file) opened for streaming its rows."""
    handle = _stream(source)
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    if size == 0:
        raise FileRefused(_("The file is empty: row 1 must hold the column headers."))
    if max_bytes is not None and size > max_bytes:
        raise FileRefused(_("The file is larger than %(mb)s MB; split it.") % {
            "mb": max_bytes // (1024 * 1024)})
    head = handle.read(8)
    handle.seek(0)
    if is_xlsx(head, filename):
        return _xlsx_sheet(handle)
    if filename.lower().endswith(".xls"):
        raise FileRefused(_("Old .xls workbooks are not supported: save the sheet as .xlsx or "
                            "CSV UTF-8."))
    return _csv_sheet(handle, allow_utf16=allow_utf16)


def _collect(sheet: Sheet) -> Table:
    rows: list[tuple[int, list]] = []
    ragged: list[RowError] = []
    try:
        for item in sheet.rows:
            if isinstance(item, RowError):
                ragged.append(item)
            else:
                rows.append(item)
            if len(rows) + len(ragged) > MAX_ROWS:
                raise FileRefused(_("The file has more than %(max)s rows; split it.") % {
                    "max": f"{MAX_ROWS:,}"})
    finally:
        sheet.close()
    return Table(sheet.headers, rows, sheet.encoding, ragged)


def read_csv(data: bytes, *, allow_utf16: bool = False) -> Table:
    return _collect(_csv_sheet(data, allow_utf16=allow_utf16))


def read_xlsx(data: bytes) -> Table:
    return _collect(_xlsx_sheet(data))


def read_file(data: bytes, filename: str = "", *, allow_utf16: bool = False) -> Table:
    """A whole file (at most MAX_ROWS rows) as a :class:`Table`."""
    if not data:
        raise FileRefused(_("The file is empty: row 1 must hold the column headers."))
    return _collect(open_sheet(data, filename, allow_utf16=allow_utf16))


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
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def _date_of(text: str) -> dt.date | None:
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                return None
    return None


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
    day = _date_of(text)
    if day is None:
        raise CellError(_("“%(value)s” is not a date (write 2026-05-20)") % {"value": text[:40]})
    return day


_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?$")
_OFFSET = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")


def parse_datetime(value, tz: dt.tzinfo):
    """A point in time as an aware UTC datetime. A date alone is midnight and a time
    without an offset is on the clock of ``tz`` (the team's time zone); an ISO-8601 offset
    (``Z``, ``+08:00``) is honoured; a whole number of 10, 13 or 16 digits is a Unix time in
    seconds, milliseconds or microseconds (GA4's ``event_timestamp``)."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=tz)
        return aware.astimezone(dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), tz).astimezone(dt.UTC)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text = cell_text(value)
    if text is None:
        return None
    if re.fullmatch(r"\d{10}|\d{13}|\d{16}", text):
        micros = int(text) * {10: 1_000_000, 13: 1000, 16: 1}[len(text)]
        return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=micros)
    bad = CellError(_("“%(value)s” is not a date and time (write 2026-05-20 14:30)") % {
        "value": text[:40]})
    offset = _OFFSET.search(text)
    zone: dt.tzinfo = tz
    if offset and re.search(r"\d{1,2}:\d{2}", text[: offset.start()]):
        raw = offset.group(1)
        text = text[: offset.start()].rstrip()
        if raw == "Z":
            zone = dt.UTC
        else:
            sign = 1 if raw[0] == "+" else -1
            digits = raw[1:].replace(":", "")
            zone = dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    parts = re.split(r"[ T]+", text, maxsplit=1)
    day = _date_of(parts[0])
    if day is None:
        raise bad
    moment = dt.time()
    if len(parts) == 2:
        match = _TIME.match(parts[1])
        if not match:
            raise bad
        try:
            moment = dt.time(int(match[1]), int(match[2]), int(match[3] or 0),
                             int((match[4] or "0").ljust(6, "0")))
        except ValueError:
            raise bad from None
    return dt.datetime.combine(day, moment, zone).astimezone(dt.UTC)


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


def vocabulary_parser(codes: Iterable[str], synonyms: Mapping[str, Iterable[str]] | None = None):
    """A parser for a fixed list of codes (no Django choices): a code, or a listed word."""
    codes = tuple(codes)
    lookup = {c.casefold(): c for c in codes}
    lookup.update({c.replace("_", " ").casefold(): c for c in codes})
    for code, words in (synonyms or {}).items():
        for word in words:
            lookup[word.casefold()] = code

    def parse(value):
        text = cell_text(value)
        if text is None:
            return None
        folded = text.casefold()
        code = lookup.get(folded) or lookup.get(re.sub(r"[\s\-_]+", " ", folded)) or lookup.get(
            re.sub(r"\s+", "", folded))
        if code is None:
            raise CellError(_("“%(value)s” is not one of: %(allowed)s") % {
                "value": text[:40], "allowed": ", ".join(codes)})
        return code

    return parse


def zone(name: str) -> dt.tzinfo:
    return zoneinfo.ZoneInfo(name)


# --- columns -------------------------------------------------------------------------------

def normalise_header(text: str) -> str:
    return re.sub(r"[\s_\-/（）()\[\]【】:：*.]+", "", str(text or "")).casefold()


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


def map_columns(headers: list[str], columns: Iterable[Column], *, ignore_unknown: bool = False
                ) -> list[tuple[int, Column, str]]:
    """``(position, column, header)`` of each known header (position from 0), or
    FileRefused naming every problem with the headers. With ``ignore_unknown``, a header
    that is no known column is skipped (vendor exports carry many columns we do not use)."""
    by_name: dict[str, Column] = {}
    columns = list(columns)
    for column in columns:
        for name in column.names():
            by_name[name] = column
    mapped: list[tuple[int, Column, str]] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for position, header in enumerate(headers):
        column = by_name.get(normalise_header(header))
        if column is None:
            if ignore_unknown:
                continue
            problems.append(_("Column %(n)s “%(header)s” is not a known column.") % {
                "n": position + 1, "header": header})
            continue
        if column.key in seen:
            problems.append(_("Column %(n)s “%(header)s” repeats “%(first)s”.") % {
                "n": position + 1, "header": header, "first": seen[column.key]})
            continue
        seen[column.key] = header
        mapped.append((position, column, header))
    for column in columns:
        if column.required and column.key not in seen:
            problems.append(_("The required column “%(en)s” (%(zh)s) is missing.") % {
                "en": column.label, "zh": column.zh})
    if problems:
        known = "; ".join(f"{c.label} / {c.zh}" for c in columns)
        problems.append(_("Known columns: %(known)s.") % {"known": known})
        raise FileRefused(" ".join(str(p) for p in problems))
    return mapped


def map_headers(headers: list[str], columns: Iterable[Column]) -> list[Column]:
    """The column of each header, or FileRefused naming every problem with the headers."""
    return [column for _position, column, _header in map_columns(headers, columns)]


@dataclass
class ParsedRow:
    row: int
    values: dict  # column key → parsed value (None when empty)
    headers: dict  # column key → header as written


def parse_cells(number: int, cells: list, mapped: list[tuple[int, Column, str]]
                ) -> tuple[dict, list[RowError]]:
    """One row's cells parsed by their columns: the values and every cell error."""
    values = {}
    errors = []
    for position, column, header in mapped:
        try:
            value = column.parse(cells[position])
        except CellError as exc:
            errors.append(RowError(number, header, exc.reason))
            continue
        if value is None and column.required:
            errors.append(RowError(number, header, _("required, but empty")))
            continue
        values[column.key] = value
    return values, errors


def parse_rows(table: Table, columns: Iterable[Column]) -> tuple[list[ParsedRow], list[RowError]]:
    """Every row parsed cell by cell: the good rows and every cell error."""
    mapped = map_columns(table.headers, columns)
    headers = {c.key: h for _p, c, h in mapped}
    good: list[ParsedRow] = []
    errors: list[RowError] = list(table.ragged)
    for number, cells in table.rows:
        values, row_errors = parse_cells(number, cells, mapped)
        if row_errors:
            errors.extend(row_errors)
        else:
            good.append(ParsedRow(number, values, headers))
    errors.sort(key=lambda e: e.row)
    return good, errors


_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A value for a CSV/XLSX export that no spreadsheet will run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text
