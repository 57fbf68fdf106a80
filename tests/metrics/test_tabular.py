"""core.tabular (O14): every encoding Excel and Chinese tools write, delimiter sniffing,
streaming rows, the refusal naming the encodings tried, times in the team's zone."""

import codecs
import datetime as dt
import zoneinfo

import pytest

from marketdesk.core import tabular

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TEXT = "日期\t推广计划\t消费\n2026-05-20\t品牌词\t1,234.50\n"


@pytest.mark.parametrize(("data", "encoding"), [
    (TEXT.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
    (TEXT.encode("gb18030"), "gb18030"),
    (TEXT.encode("utf-16"), "utf-16"),  # BOM + little-endian: Excel's "Unicode text"
    (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
    (TEXT.encode("utf-16-le"), "utf-16-le"),  # no BOM: recognised by its NUL bytes
])
def test_each_encoding_reads_the_same_chinese_rows(data, encoding):
    sheet = tabular.open_sheet(data, "report.txt")
    assert (sheet.encoding, sheet.delimiter, sheet.headers) == (encoding, "\t",
                                                                ["日期", "推广计划", "消费"])
    assert list(sheet.rows) == [(2, ["2026-05-20", "品牌词", "1,234.50"])]


def test_bytes_in_no_encoding_are_refused_naming_what_was_tried():
    data = "标题,阅读\n".encode() + b"\x80\xff,1\n"
    with pytest.raises(tabular.FileRefused) as exc:
        tabular.open_sheet(data, "x.csv")
    assert exc.value.message == (
        "The file is not text in any encoding we read (tried UTF-8, UTF-8 with BOM, UTF-16 and "
        "GB18030): as UTF-8, byte 0x80 at position 14 cannot be read; as GB18030, byte 0x80 at "
        "position 14 cannot be read; it has no UTF-16 byte-order mark. Save it as “CSV UTF-8” "
        "and import it again.")


def test_the_event_imports_still_refuse_utf16():
    with pytest.raises(tabular.FileRefused) as exc:
        tabular.read_file(TEXT.encode("utf-16"), "x.csv")
    assert exc.value.message.startswith("The file is saved as UTF-16")


@pytest.mark.parametrize(("line", "delimiter"), [
    ("a,b,c", ","), ("a\tb\tc", "\t"), ("a;b;c", ";"), ('"x,y"\tb', "\t"), ("single", ",")])
def test_delimiter_sniffing(line, delimiter):
    assert tabular.sniff_delimiter(line) == delimiter


def test_ragged_and_blank_rows_keep_spreadsheet_numbers():
    sheet = tabular.open_sheet(b"a,b\n1,2\n\n3\n4,5,6\n7,8\n", "x.csv")
    items = list(sheet.rows)
    assert items == [
        (2, ["1", "2"]),
        tabular.RowError(4, "", "The row has 1 cells but the header row has 2."),
        tabular.RowError(5, "", "The row has 3 cells but the header row has 2."),
        (6, ["7", "8"]),
    ]


def test_a_large_file_streams_from_a_file_object(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(("id,v\n" + "".join(f"{i},{i * 2}\n" for i in range(100_000)))
                     .encode("gb18030"))
    with open(path, "rb") as handle:
        sheet = tabular.open_sheet(handle, "big.csv")
        total = sum(1 for _ in sheet.rows)
    assert (sheet.encoding, total) == ("utf-8", 100_000)


@pytest.mark.parametrize(("raw", "expected"), [
    ("2026-05-20", dt.datetime(2026, 5, 19, 16, 0, tzinfo=dt.UTC)),
    ("2026/5/20 14:30", dt.datetime(2026, 5, 20, 6, 30, tzinfo=dt.UTC)),
    ("2026年5月20日", dt.datetime(2026, 5, 19, 16, 0, tzinfo=dt.UTC)),
    ("20260520", dt.datetime(2026, 5, 19, 16, 0, tzinfo=dt.UTC)),
    ("2026-05-20T14:30:00Z", dt.datetime(2026, 5, 20, 14, 30, tzinfo=dt.UTC)),
    ("2026-05-20 14:30:15.5+02:00", dt.datetime(2026, 5, 20, 12, 30, 15, 500000, tzinfo=dt.UTC)),
    ("1779258600000000", dt.datetime(2026, 5, 20, 6, 30, tzinfo=dt.UTC)),
    ("1779258600", dt.datetime(2026, 5, 20, 6, 30, tzinfo=dt.UTC)),
    (dt.datetime(2026, 5, 20, 14, 30), dt.datetime(2026, 5, 20, 6, 30, tzinfo=dt.UTC)),
    (dt.date(2026, 5, 20), dt.datetime(2026, 5, 19, 16, 0, tzinfo=dt.UTC)),
])
def test_datetimes_are_on_the_team_clock_unless_they_say_otherwise(raw, expected):
    assert tabular.parse_datetime(raw, SHANGHAI) == expected


@pytest.mark.parametrize("raw", ["2026-02-30", "next week", "2026-05-20 25:00", "=NOW()"])
def test_bad_datetimes(raw):
    with pytest.raises(tabular.CellError):
        tabular.parse_datetime(raw, SHANGHAI)


def test_formula_safe_cells():
    assert [tabular.safe_cell(v) for v in ["=cmd|' /C calc'!A0", "+1", "-x", "@SUM", "\tx",
                                           "\rx", "ok", None, 5]] == [
        "'=cmd|' /C calc'!A0", "'+1", "'-x", "'@SUM", "'\tx", "'\rx", "ok", "", "5"]


def test_unknown_headers_are_ignored_when_asked():
    columns = [tabular.Column("a", "alpha", "甲", required=True), tabular.Column("b", "beta", "乙")]
    assert [(p, c.key, h) for p, c, h in tabular.map_columns(
        ["Extra", "甲", "BETA"], columns, ignore_unknown=True)] == [(1, "a", "甲"), (2, "b", "BETA")]
    with pytest.raises(tabular.FileRefused) as exc:
        tabular.map_columns(["Extra", "乙"], columns, ignore_unknown=True)
    assert exc.value.message == ("The required column “alpha” (甲) is missing. Known columns: "
                                 "alpha / 甲; beta / 乙.")
