"""The Simplified Chinese catalogue is complete, compiled and actually used.

(a) every entry of locale/zh_Hans/LC_MESSAGES/django.po is translated, not fuzzy, and
    keeps the placeholders of its msgid; the header names the language and its single
    plural form;
(b) django.mo holds exactly the entries of django.po (it was compiled after the last edit);
(c) every message the code marks for translation today is in the catalogue;
(d) signed-in pages rendered in zh-hans show the Chinese labels and none of the English
    UI strings;
(e) Django's admin speaks Chinese too (Django ships its own zh_Hans catalogue).
"""

from __future__ import annotations

import ast
import datetime as dt
import gettext
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import translation
from django.utils.translation.template import templatize

import marketdesk
from marketdesk.strategy import services

SRC = Path(marketdesk.__file__).resolve().parent
LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"

# Translations that other parts of the product (and the browser test) rely on.
REQUIRED = {
    "Products": "产品",
    "Competitors": "竞品",
    "Research": "市场研究",
    "Home": "首页",
    "History": "历史记录",
    "Personas": "用户画像",
    "Positioning": "产品定位",
    "Sign out": "退出登录",
    "Sign in": "登录",
    "Save": "保存",
    "Audit log": "审计日志",
    "Simplified Chinese": "简体中文",
    "English": "English",
    "Buyer persona": "买方角色画像",
    "User persona": "用户角色画像",
    "Primary research": "一手研究",
    "Secondary research": "二手研究",
    "competitive move": "竞品动态",
    "pricing strategy": "定价策略",
    "Fixed ratio": "固定比率",
    "Progressive ratio": "累进比率",
    "Business-department reviewer": "业务部门审核人",
    "Marketing director": "市场总监",
    "Strength": "优势",
    "Weakness": "劣势",
    "Opportunity": "机会",
    "Threat": "威胁",
}
# The only msgids whose Chinese text is the English text itself (names, formats).
SAME_IN_BOTH = {"MarketDesk", "English", "Slack", "YAML", "HTTP", "Markdown",
                "MarketDesk · %(team)s", "MarketDesk · %(user)s"}


# --- a tiny .po reader ---------------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def _unquote(text: str) -> str:
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda mt: _ESCAPES[mt[1]], text[1:-1])


def read_po(path: Path) -> list[dict]:
    """Entries as dicts: msgctxt, msgid, msgid_plural, msgstr (str) or msgstr_plural
    ({index: str}), flags (set), obsolete (a #~ entry). Entries are separated by blank
    lines, as msgmerge and makemessages write them."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry = {"msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": None,
                 "msgstr_plural": {}, "flags": set(), "obsolete": False}
        key = None
        for line in block.strip().splitlines():
            if line.startswith("#~"):
                entry["obsolete"] = True
                line = line[2:].strip()
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#") or not line:
                continue
            elif line.startswith('"'):
                if isinstance(key, int):
                    entry["msgstr_plural"][key] += _unquote(line)
                else:
                    entry[key] += _unquote(line)
            else:
                keyword, _, rest = line.partition(" ")
                if match := re.fullmatch(r"msgstr\[(\d+)\]", keyword):
                    key = int(match[1])
                    entry["msgstr_plural"][key] = _unquote(rest)
                else:
                    assert keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr"), line
                    key = keyword
                    entry[key] = _unquote(rest)
        if entry["msgid"] is not None:
            entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def po_entries():
    return read_po(PO)


@pytest.fixture(scope="module")
def header(po_entries):
    (head,) = [e for e in po_entries if e["msgid"] == "" and e["msgctxt"] is None]
    return head


@pytest.fixture(scope="module")
def messages(po_entries):
    return [e for e in po_entries if e["msgid"] != "" and not e["obsolete"]]


# --- (a) the catalogue is complete and well-formed -----------------------------------

def test_reader_understands_the_po_format(tmp_path):
    sample = tmp_path / "sample.po"
    sample.write_text(
        'msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n\n'
        '#: a.py:1\n#, fuzzy, python-format\nmsgid "Hi %(n)s"\nmsgstr "你好 %(n)s"\n\n'
        'msgctxt "menu"\nmsgid "Open"\nmsgstr ""\n"打"\n"开"\n\n'
        'msgid "%(n)s note"\nmsgid_plural "%(n)s notes"\nmsgstr[0] "%(n)s 条笔记"\n\n'
        '#~ msgid "Old \\"one\\""\n#~ msgstr "旧"\n',
        encoding="utf-8")
    assert read_po(sample) == [
        {"msgctxt": None, "msgid": "", "msgid_plural": None, "msgstr": "Language: zh_Hans\n",
         "msgstr_plural": {}, "flags": set(), "obsolete": False},
        {"msgctxt": None, "msgid": "Hi %(n)s", "msgid_plural": None, "msgstr": "你好 %(n)s",
         "msgstr_plural": {}, "flags": {"fuzzy", "python-format"}, "obsolete": False},
        {"msgctxt": "menu", "msgid": "Open", "msgid_plural": None, "msgstr": "打开",
         "msgstr_plural": {}, "flags": set(), "obsolete": False},
        {"msgctxt": None, "msgid": "%(n)s note", "msgid_plural": "%(n)s notes", "msgstr": None,
         "msgstr_plural": {0: "%(n)s 条笔记"}, "flags": set(), "obsolete": False},
        {"msgctxt": None, "msgid": 'Old "one"', "msgid_plural": None, "msgstr": "旧",
         "msgstr_plural": {}, "flags": set(), "obsolete": True},
    ]


def test_header_names_the_language_and_its_single_plural_form(header):
    fields = dict(line.split(": ", 1) for line in header["msgstr"].splitlines() if line)
    assert fields["Language"] == "zh_Hans"
    assert fields["Plural-Forms"] == "nplurals=1; plural=0;"
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert "fuzzy" not in header["flags"]


def test_catalogue_has_no_obsolete_entries(po_entries):
    assert [e["msgid"] for e in po_entries if e["obsolete"]] == []


def test_every_entry_is_translated_and_not_fuzzy(messages):
    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e["flags"]]
    empty = [e["msgid"] for e in messages
             if (e["msgid_plural"] is None and not e["msgstr"])
             or (e["msgid_plural"] is not None and not e["msgstr_plural"].get(0))]
    assert fuzzy == []
    assert empty == []


def test_plural_entries_have_exactly_the_one_chinese_form(messages):
    plural = {e["msgid"]: sorted(e["msgstr_plural"]) for e in messages if e["msgid_plural"]}
    assert {"%(n)s entry", "%(n)s note"} <= set(plural)
    assert {msgid: forms for msgid, forms in plural.items() if forms != [0]} == {}


def test_no_entry_is_left_in_english(messages):
    same = {e["msgid"] for e in messages if e["msgid_plural"] is None and e["msgstr"] == e["msgid"]}
    assert {"MarketDesk", "English"} <= same
    assert sorted(same - SAME_IN_BOTH) == []


# ``%(name)s`` named placeholders, bare ``%s``/``%d`` ones; ``%%`` is a literal percent.
_PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[#0 +-]*\d*(?:\.\d+)?([sdifrx%])")


def placeholders(text: str) -> tuple[list[str], int]:
    named, bare = set(), 0
    for name, kind in _PLACEHOLDER.findall(text):
        if kind == "%":
            continue
        if name:
            named.add(f"%({name}){kind}")
        else:
            bare += 1
    return sorted(named), bare


def test_placeholder_reader():
    assert placeholders("%(n)s of %(m)d, 5%% off, %s") == (["%(m)d", "%(n)s"], 1)


def test_translations_keep_every_placeholder(messages):
    """A plural entry has one Chinese form for every count, so it keeps the
    placeholders of the plural msgid (``%(n)s problems in %(total)s rows``)."""
    wrong = []
    for e in messages:
        if e["msgid_plural"] is None:
            expected, targets = placeholders(e["msgid"]), [e["msgstr"]]
        else:
            expected, targets = placeholders(e["msgid_plural"]), list(e["msgstr_plural"].values())
        wrong += [(e["msgid"], t) for t in targets if placeholders(t) != expected]
    assert wrong == []


def test_required_translations(messages):
    found = {e["msgid"]: e["msgstr"] for e in messages
             if e["msgid"] in REQUIRED and e["msgctxt"] is None}
    assert found == REQUIRED


# --- (b) the compiled catalogue matches the source -----------------------------------

def _key(entry):
    return entry["msgid"] if entry["msgctxt"] is None else f"{entry['msgctxt']}\x04{entry['msgid']}"


def test_mo_holds_exactly_the_entries_of_the_po(messages):
    with MO.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    # The catalogue keys are the msgids (plural forms keyed by (msgid, n)); "" is the header.
    mo_ids = {k if isinstance(k, str) else k[0] for k in compiled._catalog} - {""}
    assert mo_ids == {_key(e) for e in messages}
    stale = []
    for e in messages:
        if e["msgid_plural"] is not None:
            got = [compiled.ngettext(e["msgid"], e["msgid_plural"], n) for n in (1, 2)]
            want = [e["msgstr_plural"][0]] * 2
        elif e["msgctxt"] is not None:
            got, want = compiled.pgettext(e["msgctxt"], e["msgid"]), e["msgstr"]
        else:
            got, want = compiled.gettext(e["msgid"]), e["msgstr"]
        if got != want:
            stale.append((e["msgid"], got, want))
    assert stale == []
    assert compiled.info()["language"] == "zh_Hans"


# --- (c) everything marked for translation is in the catalogue -----------------------

GETTEXT_CALLS = {
    # name: (index of the context argument or None, indexes of the message arguments)
    "_": (None, (0,)), "gettext": (None, (0,)), "gettext_lazy": (None, (0,)),
    "gettext_noop": (None, (0,)), "ngettext": (None, (0, 1)), "ngettext_lazy": (None, (0, 1)),
    "pgettext": (0, (1,)), "pgettext_lazy": (0, (1,)), "npgettext": (0, (1, 2)),
    "npgettext_lazy": (0, (1, 2)),
}


def _source_files(*suffixes):
    for path in sorted(SRC.rglob("*")):
        if path.suffix in suffixes and "static" not in path.relative_to(SRC).parts:
            yield path


def python_messages(path: Path, problems: list) -> set[str]:
    """Literal messages of gettext calls in one Python file (ast joins implicit string
    concatenation exactly as xgettext does); calls that xgettext cannot extract — an
    f-string or a concatenation as the message — are reported in ``problems``."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name not in GETTEXT_CALLS:
            continue
        ctx_index, indexes = GETTEXT_CALLS[name]
        args = node.args
        if len(args) <= max(indexes):
            continue
        texts = []
        for i in indexes:
            arg = args[i]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                texts.append(arg.value)
            elif isinstance(arg, (ast.JoinedStr, ast.BinOp)):
                problems.append(f"{path.name}:{node.lineno}: {name}() of a "
                                f"{type(arg).__name__}, which cannot be extracted")
        if len(texts) == len(indexes):
            context = args[ctx_index].value if ctx_index is not None else None
            found.add(texts[0] if context is None else f"{context}\x04{texts[0]}")
    return found


def template_messages(path: Path) -> set[str]:
    """Messages of one template, through Django's own ``templatize`` (what makemessages
    runs): it turns {% translate %}/{% blocktranslate %} and _("…") filter arguments into
    gettext() calls, {{ var }} into %(var)s, and blanks out everything else."""
    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    found = set()
    for call in _TEMPLATIZED_CALL.finditer(code):
        args, pos = [], call.end()
        while literal := _PY_LITERAL.match(code, pos):
            args.append(ast.literal_eval(literal[1]))
            pos = literal.end()
        ctx_index, indexes = GETTEXT_CALLS[call[1]]
        message = args[indexes[0]]
        found.add(message if ctx_index is None else f"{args[ctx_index]}\x04{message}")
    return found


# templatize writes `` gettext(u'…') ``, `` ngettext(u'…', u'…', count) `` and
# `` pgettext(u'ctx', u'…') `` with Python literals (repr) amid blanked-out text; a
# filter argument ``default:_("…")`` is copied as written.
_TEMPLATIZED_CALL = re.compile(r"(?<![\w])(_|gettext|ngettext|pgettext|npgettext)\(")
_PY_LITERAL = re.compile(r"""\s*(u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"))\s*,?""")


def test_template_scanner_reads_every_tag_form(tmp_path):
    sample = tmp_path / "sample.html"
    sample.write_text(
        "{% load i18n %}<p>{% translate \"Save\" %} {% translate 'Pages' %}"
        "{% translate \"Open\" context \"menu\" %} {{ x|default:_(\"never\") }}"
        "{% blocktranslate with name=user %}Welcome, {{ name }}{% endblocktranslate %}"
        "{% blocktranslate count n=items|length %}{{ n }} note{% plural %}{{ n }} notes"
        "{% endblocktranslate %} it's plain text</p>", encoding="utf-8")
    assert template_messages(sample) == {
        "Save", "Pages", "menu\x04Open", "never", "Welcome, %(name)s", "%(n)s note"}


def test_python_scanner_reads_calls_and_flags_unextractable_ones(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        'from django.utils.translation import gettext as _, pgettext_lazy, ngettext\n'
        'from django.utils import translation\n'
        'A = _("Joined " "text")\n'
        'B = pgettext_lazy("menu", "Open")\n'
        'C = ngettext("%(n)s note", "%(n)s notes", 2)\n'
        'D = translation.gettext_lazy("Dotted")\n'
        'E = _(f"Hello {A}")\n'
        'F = _("a" + B)\n'
        'G = _(A)\n', encoding="utf-8")
    problems = []
    messages = python_messages(sample, problems)
    assert messages == {"Joined text", "menu\x04Open", "%(n)s note", "Dotted"}
    assert [p.split(": ", 1)[1] for p in problems] == [
        "_() of a JoinedStr, which cannot be extracted",
        "_() of a BinOp, which cannot be extracted",
    ]


def test_every_marked_message_is_in_the_catalogue_and_nothing_else(messages):
    """The scan stands in for ``makemessages`` (which needs GNU gettext, missing on some
    machines). Limits: it knows the gettext functions by name (``_``, ``gettext``,
    ``gettext_lazy``, ``ngettext``, ``pgettext`` and their lazy/noop forms, also as
    ``translation.gettext``), so a message passed through another alias, or built from a
    variable, is not seen — exactly as xgettext would not see it; templates go through
    Django's own ``templatize``. Comparing both ways also catches stale entries."""
    problems: list[str] = []
    marked = set()
    for path in _source_files(".py"):
        marked |= python_messages(path, problems)
    for path in _source_files(".html", ".txt"):
        marked |= template_messages(path)
    assert problems == []
    catalogue = {_key(e) for e in messages}
    assert sorted(marked - catalogue) == []
    assert sorted(catalogue - marked) == []


# --- (d) the pages speak Chinese -----------------------------------------------------

class VisibleText(HTMLParser):
    """The text a person sees or hears: element text (outside script/style) and the
    attributes read out or shown (aria-label, title, placeholder, alt). The rows of an
    audit entry's change table (field names and stored before/after values) are data,
    not UI, and are left out."""

    SHOWN_ATTRS = {"aria-label", "title", "placeholder", "alt"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._in_changes = False

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "table" and "history-changes" in classes:
            self._in_changes = True
        if tag in ("script", "style") or (tag == "tbody" and self._in_changes):
            self._skip += 1
        if not self._skip:
            self.parts += [value for name, value in attrs if name in self.SHOWN_ATTRS and value]

    def handle_endtag(self, tag):
        if (tag in ("script", "style") or (tag == "tbody" and self._in_changes)) and self._skip:
            self._skip -= 1
        if tag == "table":
            self._in_changes = False

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


# English UI strings that must not show on a Chinese page (the data below is Chinese,
# team names "Growth"/"Brand" and lowercase usernames aside).
ENGLISH_UI = [
    "Sign out", "Sign in", "Products", "Product", "Competitors", "Competitor", "Research",
    "History", "Save", "Search", "Home", "Personas", "Positioning", "Overview", "Pricing",
    "Edit", "Delete", "Cancel", "Add", "Profile", "Audit log", "Actions", "Source", "Title",
    "Team", "Name", "Status", "Previous", "Next", "Welcome", "Recent changes", "None yet",
    "Not answered yet", "Evidence", "Strength", "Weakness", "Opportunity", "Threat",
    "Primary", "Secondary", "Tertiary", "Skip to content", "Language", "entries", "notes",
    "per year", "Rebate", "Progressive ratio", "Buyer", "User", "Password", "Vision",
    "Market", "Strategy", "Moves", "Summary", "Created", "Updated", "any", "Select an option",
]
_ENGLISH = re.compile(r"(?<![A-Za-z_])(" + "|".join(map(re.escape, ENGLISH_UI)) + r")(?![A-Za-z_])")
NAV = ["首页", "产品", "竞品", "市场研究", "退出登录", "搜索…（按 / 键）"]


def english_ui(html: str) -> list[str]:
    return sorted(set(_ENGLISH.findall(visible_text(html))))


def test_english_detector_sees_the_english_page(zh_data, client_for, users):
    client = client_for(users["director"])
    html = client.get(reverse("core:home")).content.decode()
    assert english_ui(html) == ["Audit log", "Competitors", "Created", "Home", "Language",
                                "Personas", "Products", "Profile", "Recent changes",
                                "Research", "Search", "Sign out", "Skip to content",
                                "Welcome", "notes"]


@pytest.fixture
def zh_data(users, team_a):
    """A small knowledge base written in Chinese (seeded review questions included)."""
    by = users["marketer"]
    with translation.override("zh-hans"):
        product = services.products.create(
            by=by, team=team_a, name="智能获客", tagline="B2B 获客引擎",
            description="**高效**获客", brand_voice_words=["效率", "增长"])
        services.features.create(by=by, product=product, name="线索评分",
                                 activation_event="lead_scored")
        services.visions.update(product.vision, by=by, target_users="市场运营负责人",
                                problems_solved="线索在工具之间流失",
                                success_measures="MQL 到 SQL 的转化率")
        services.personas.create(
            by=by, product=product, kind="buyer", name="陈总", age_min=35, age_max=50,
            gender="female", location="上海", education="master", title="首席营销官",
            income_level="high", goals="扩大销售管道", challenges="预算审查", personality_traits="果断")
        services.personas.create(
            by=by, product=product, kind="user", name="小王", age_min=25, age_max=35,
            location="杭州", education="bachelor", title="市场运营", income_level="middle")
        statement = services.positioning_statements.create(
            by=by, product=product, audience="B2B 市场人", problem="线索变冷",
            benefit="更多转化", statement="智能获客帮助 B2B 市场人提高获客转化效率")
        services.positioning_variants.create(by=by, statement=statement, channel="微信",
                                             text="微信版：提高获客效率")
        pricing = services.pricing_strategies.create(
            by=by, product=product, approach="value_based", value_strategy="premium",
            price_floor_note="不低于成本价")
        services.price_tiers.create(by=by, strategy=pricing, name="入门版", price=Decimal("9800"),
                                    min_seats=1, max_seats=10, fits="小团队", position=0)
        services.discount_policies.create(
            by=by, strategy=pricing, name="批量返利", kind="rebate", ratio_type="progressive",
            steps=[{"from": 0, "percent": 3}, {"from": 100000, "percent": 5}], conditions="年付")
        note = services.research_notes.create(
            by=by, team=team_a, product=product, kind="primary", method="interview",
            title="十位市场总监访谈", source="客户电话", collected_on=dt.date(2025, 3, 1),
            body="预算收紧")
        services.market_sizes.create(by=by, product=product, segment="中型企业", region="华东",
                                     year=2025, target_customers=1200, source_note=note)
        competitor = services.competitors.create(
            by=by, m2m={"products": [product]}, team_id=team_a.pk, name="对手软件",
            product_overlap="same", same_audience=True, summary="主要对手",
            strengths="品牌", weaknesses="价格", web_signals="流量上升")
        move = services.competitor_moves.create(
            by=by, competitor=competitor, happened_on=dt.date(2025, 4, 2), kind="launch",
            title="发布 AI 评分")
        services.competitor_products.create(by=by, competitor=competitor, name="对手 CRM",
                                            pricing_model="per_seat", list_price=Decimal("199"))
        services.swot_entries.create(by=by, m2m={"evidence_notes": [note], "evidence_moves": [move]},
                                     product_id=product.pk, quadrant="T", text="对手发布 AI 评分")
        services.swot_entries.create(by=by, competitor_id=competitor.pk, quadrant="S",
                                     text="华东品牌强")
    return SimpleNamespace(product=product, competitor=competitor, note=note)


@pytest.fixture
def zh_client(client_for):
    def make(user):
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
        return client

    return make


PRODUCT_TABS = ["overview", "vision", "personas", "positioning", "pricing", "swot", "market",
                "research", "review", "history"]
COMPETITOR_TABS = ["overview", "offerings", "moves", "swot", "history"]


def _pages(data):
    product, competitor = data.product, data.competitor
    ct = ContentType.objects.get_for_model(product)
    return [
        reverse("core:home"),
        reverse("strategy:product_list"),
        *[reverse("strategy:product_tab", args=[product.pk, tab]) for tab in PRODUCT_TABS],
        reverse("strategy:product_edit", args=[product.pk]),
        reverse("strategy:competitor_list"),
        *[reverse("strategy:competitor_tab", args=[competitor.pk, tab]) for tab in COMPETITOR_TABS],
        reverse("strategy:competitor_edit", args=[competitor.pk]),
        reverse("strategy:research_list"),
        reverse("strategy:research_detail", args=[data.note.pk]),
        reverse("core:history", args=[ct.pk, product.pk]),
        reverse("core:search") + "?q=智能",
        reverse("accounts:profile"),
        reverse("core:audit"),
    ]


@pytest.mark.parametrize("role", ["director", "marketer"])
def test_pages_in_chinese_show_no_english_ui(zh_data, zh_client, users, role):
    client = zh_client(users[role])
    pages = _pages(zh_data)
    if role != "director":
        pages.remove(reverse("core:audit"))  # company-wide roles only
    leftovers = {}
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert '<html lang="zh-hans">' in html, page
        text = visible_text(html)
        missing = [label for label in NAV if label not in text]
        if role == "director":
            missing += [] if "审计日志" in text else ["审计日志"]
        assert missing == [], page
        if found := english_ui(html):
            leftovers[page] = found
    assert leftovers == {}


def test_chinese_pages_show_the_domain_terms(zh_data, zh_client, users):
    client = zh_client(users["marketer"])
    product, competitor = zh_data.product, zh_data.competitor

    def text(name, *args):
        return visible_text(client.get(reverse(name, args=args)).content.decode())

    personas = text("strategy:product_tab", product.pk, "personas")
    assert "买方角色画像——做出购买决策" in personas and "用户角色画像——使用产品" in personas
    pricing = text("strategy:product_tab", product.pk, "pricing")
    for term in ["价值定价", "溢价定价——高品质、高价格、独特价值", "价格档位", "折扣政策",
                 "还本（返利）——返还部分金额 · 累进比率", "推荐"]:
        assert term in pricing, term
    swot = text("strategy:product_tab", product.pk, "swot")
    for term in ["优势", "劣势", "机会", "威胁", "智能获客的 SWOT 分析"]:
        assert term in swot, term
    review = text("strategy:product_tab", product.pk, "review")
    assert "产品是否仍然适合当下的市场和当下的客户？" in review
    assert "从未审视。" in review
    assert "保存" in text("strategy:product_edit", product.pk)
    competitors = text("strategy:competitor_list")
    for term in ["主要竞争对手", "次要竞争对手", "三级竞争对手", "该层级暂无竞品。"]:
        assert term in competitors, term
    assert "主要竞争对手" in text("strategy:competitor_detail", competitor.pk)
    research = text("strategy:research_list")
    assert "一手研究" in research and "1 条笔记" in research
    # The angle brackets are text, not a tag the browser would swallow.
    assert "“Authorization: Bearer <token>”的方式使用令牌" in text("accounts:profile")
    assert "- 请选择 -" in text("strategy:competitor_tab", competitor.pk, "moves")


def test_discount_and_tier_messages_in_chinese(zh_data, zh_client, users):
    client = zh_client(users["marketer"])
    product = zh_data.product
    policy = product.pricing.discounts.get()
    html = client.get(reverse("strategy:pricing_discount", args=[product.pk]),
                      {"policy": policy.pk, "amount": "200000"},
                      HTTP_HX_REQUEST="true").content.decode()
    # Progressive: 100000 × 3 % + 100000 × 5 % = 8000.00
    assert visible_text(html) == (
        "批量返利：客户支付 200000.00 CNY，返还 8000.00 CNY——实际支付 192000.00 CNY。")
    html = client.get(reverse("strategy:pricing_recommend", args=[product.pk]), {"seats": "5"},
                      HTTP_HX_REQUEST="true").content.decode()
    assert visible_text(html) == "推荐档位：入门版\n入门版覆盖 5 个席位，适用于：小团队"


# --- (e) Django's admin ----------------------------------------------------------------

def test_admin_speaks_chinese(zh_data, zh_client, users):
    client = zh_client(users["admin"])
    html = client.get(reverse("admin:index")).content.decode()
    text = visible_text(html)
    for label in ["站点管理", "产品战略", "账号与团队", "审计日志", "竞品动态", "定价策略"]:
        assert label in text, label
    assert "Site administration" not in text
    changelist = visible_text(client.get(reverse("admin:strategy_product_changelist")).content.decode())
    assert "选择 产品 来修改" in changelist
    assert "智能获客" in changelist
    users_page = visible_text(client.get(reverse("admin:accounts_user_changelist")).content.decode())
    assert "姓名" in users_page and "业务部门审核人" in users_page
    assert "Get full name" not in users_page
