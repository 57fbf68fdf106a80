"""The walkthrough of the strategy foundation, in Chinese, in a real browser.

A marketer signs in, switches the interface to Simplified Chinese, files a product with
its brand voice, a buyer persona (S5), a positioning statement checked live against the
seed's rules (S6) and a competitor whose tier is derived live (S3), then reads the
History tabs. Elements are found by ids, names, hrefs and data attributes; the only text
asserted is user data and the Chinese labels the catalogue fixes.
"""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from marketdesk.core.audit import history_for
from marketdesk.strategy import models as m
from tests.browser.conftest import arrive, artifact_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PRODUCT = "灵犀CRM"
TAGLINE = "让每条线索都有回音"
PERSONA = "王经理"
STATEMENT_START = "帮助B2B市场人"
STATEMENT_END = "提高获客转化效率"
COMPETITOR = "飞鸽营销云"


def zh(text) -> str:
    """A label as the catalogue renders it in Simplified Chinese (choice labels and such,
    whose wording the translators own)."""
    with translation.override("zh-hans"):
        return str(text)


def check_states(scope) -> dict:
    items = scope.locator("li[data-rule]")
    return {items.nth(i).get_attribute("data-rule"): items.nth(i).get_attribute("data-ok")
            for i in range(items.count())}


def test_marketer_builds_a_product_strategy_in_chinese(page, login, make_user, team_a):
    marketer = make_user("marketer", username="li.na", first_name="Na", last_name="Li")
    base = page.base_url
    login(page, marketer)

    # The language switcher in the top bar submits on change and keeps the page.
    page.locator("nav select[name=language]").select_option("zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    arrive(page, "/")
    expect(page.locator("#language-select option:checked")).to_have_text("简体中文")
    nav = page.locator("#nav")
    expect(nav.locator('a.nav-link[href="/"]')).to_have_text("首页")
    expect(nav.locator('a.nav-link[href="/strategy/products/"]')).to_have_text("产品")
    expect(nav.locator('a.nav-link[href="/strategy/competitors/"]')).to_have_text("竞品")
    expect(nav.locator('a.nav-link[href="/strategy/research/"]')).to_have_text("市场研究")
    expect(nav.locator('form[action="/accounts/logout/"] button')).to_have_text("退出登录")
    marketer.refresh_from_db()
    assert marketer.language == "zh-hans"

    # --- a product with its brand voice ---------------------------------------------
    nav.locator('a.nav-link[href="/strategy/products/"]').click()
    arrive(page, "/strategy/products/")
    page.locator('main a[href="/strategy/products/new/"]').first.click()
    expect(page.locator("#id_team")).to_have_value(str(team_a.pk))
    page.locator("#id_name").fill(PRODUCT)
    page.locator("#id_tagline").fill(TAGLINE)
    page.locator("#id_brand_voice_words").fill("效率，可信赖, smart")
    save = page.locator("main form[method=post] button[type=submit]")
    expect(save).to_have_text("保存")
    save.click()

    expect(page).to_have_url(re.compile(r"/strategy/products/\d+/$"))
    product = m.Product.objects.get(name=PRODUCT)
    assert (product.team_id, product.tagline, product.brand_voice_words) == (
        team_a.pk, TAGLINE, ["效率", "可信赖", "smart"])
    product_path = f"/strategy/products/{product.pk}/"
    product_url = base + product_path
    arrive(page, product_path)
    expect(page.locator("main h1")).to_have_text(PRODUCT)
    tabs = page.locator("#product-tabs > nav")

    # --- Personas tab: an HTMX swap that also moves the address bar ------------------
    page.evaluate("window.__walkthrough = 'same document'")
    personas_tab = tabs.locator(f'a[href="/strategy/products/{product.pk}/personas/"]')
    expect(personas_tab).to_have_text("用户画像")
    personas_tab.click()
    expect(page).to_have_url(f"{product_url}personas/")
    expect(personas_tab).to_have_attribute("aria-current", "page")
    assert page.evaluate("window.__walkthrough") == "same document"
    buyers = page.locator('section[aria-labelledby="personas-buyer"]')
    expect(buyers.locator("article")).to_have_count(0)

    buyers.locator(f'a[href="/strategy/products/{product.pk}/personas/new/?kind=buyer"]').click()
    expect(page.locator("#id_kind")).to_have_value("buyer")
    page.locator("#id_name").fill(PERSONA)
    page.locator("#id_title").fill("市场总监")
    page.locator("#id_age_min").fill("32")
    page.locator("#id_age_max").fill("45")
    page.locator("#id_gender").select_option("female")
    page.locator("#id_location").fill("上海")
    page.locator("#id_education").select_option("master")
    page.locator("#id_income_level").select_option("upper_middle")
    page.locator("#id_goals").fill("每季度获得更多合格线索")
    page.locator("#id_challenges").fill("预算有限，渠道效果难以衡量")
    page.locator("#id_personality_traits").fill("务实、数据驱动")
    page.locator("main form[method=post] button[type=submit]").click()

    arrive(page, f"{product_path}personas/")
    persona = m.Persona.objects.get(product=product)
    card = page.locator(f"article#persona-{persona.pk}")
    expect(card).to_be_visible()
    expect(page.locator('section[aria-labelledby="personas-buyer"] article')).to_have_count(1)
    expect(page.locator('section[aria-labelledby="personas-user"] article')).to_have_count(0)
    expect(card.locator("h4")).to_have_text(f"{PERSONA} · 市场总监")
    expect(card.locator("dd")).to_have_text([
        "32–45", zh(m.Persona.Gender.FEMALE.label), "上海", zh(m.Persona.Education.MASTER.label),
        "市场总监", zh(m.Persona.Income.UPPER_MIDDLE.label), "每季度获得更多合格线索",
        "预算有限，渠道效果难以衡量", "务实、数据驱动",
    ])

    # --- Positioning tab: the seed's three rules are checked while typing -----------
    positioning_tab = tabs.locator(f'a[href="/strategy/products/{product.pk}/positioning/"]')
    expect(positioning_tab).to_have_text("产品定位")
    page.evaluate("window.__walkthrough = 'same document'")  # saving the persona reloaded
    positioning_tab.click()
    expect(page).to_have_url(f"{product_url}positioning/")
    assert page.evaluate("window.__walkthrough") == "same document"
    page.locator(f'main a[href="/strategy/products/{product.pk}/statements/new/"]').click()
    arrive(page, f"{product_path}statements/new/")

    checks = page.locator("#positioning-checks")
    expect(checks.locator("li[data-rule]")).to_have_count(3)
    assert check_states(checks) == {"short": "false", "benefit": "false", "voice": "false"}
    page.locator("#id_audience").fill("B2B市场团队")
    page.locator("#id_problem").fill("线索多但转化低")
    page.locator("#id_benefit").fill("提高获客转化效率")
    statement = page.locator("#id_statement")
    check_url = f"/strategy/products/{product.pk}/positioning/check/"

    with page.expect_response(lambda r: r.url.endswith(check_url)) as first:
        statement.press_sequentially(STATEMENT_START)
    assert first.value.status == 200
    expect(checks.locator('li[data-rule="short"]')).to_have_attribute("data-ok", "true")
    expect(checks.locator('li[data-rule="benefit"]')).to_have_attribute("data-ok", "true")
    expect(checks.locator('li[data-rule="voice"]')).to_have_attribute("data-ok", "false")
    expect(checks.locator('li[data-rule="voice"]')).to_have_class(re.compile(r"\bcheck-bad\b"))

    with page.expect_response(lambda r: r.url.endswith(check_url)) as second:
        statement.press_sequentially(STATEMENT_END)
    assert second.value.status == 200
    for rule in ("short", "benefit", "voice"):
        item = checks.locator(f'li[data-rule="{rule}"]')
        expect(item).to_have_attribute("data-ok", "true")
        expect(item).to_have_class(re.compile(r"\bcheck-ok\b"))
        expect(item.locator("span[aria-hidden=true]")).to_have_text("✓")
    expect(checks.locator('li[data-rule="voice"]')).to_contain_text("效率")
    page.locator("main form[method=post] button[type=submit]").click()

    arrive(page, f"{product_path}positioning/")
    saved = m.PositioningStatement.objects.get(product=product)
    assert (saved.statement, saved.audience, saved.problem, saved.benefit, saved.is_primary) == (
        STATEMENT_START + STATEMENT_END, "B2B市场团队", "线索多但转化低", "提高获客转化效率", True)
    statement_card = page.locator(f"article#statement-{saved.pk}")
    expect(statement_card.locator("blockquote")).to_have_text(STATEMENT_START + STATEMENT_END)
    assert check_states(statement_card) == {"short": "true", "benefit": "true", "voice": "true"}

    # The Chinese product page, as a person sees it (CJK glyphs, not boxes).
    shot = artifact_path("product-page-zh.png")
    if shot:
        page.screenshot(path=shot, full_page=True)

    # --- a competitor, its tier derived while the form is filled in -----------------
    nav.locator('a.nav-link[href="/strategy/competitors/"]').click()
    arrive(page, "/strategy/competitors/")
    page.locator('main a[href="/strategy/competitors/new/"]').click()
    arrive(page, "/strategy/competitors/new/")
    tier = page.locator("#tier-preview")
    expect(tier.locator("[data-testid=derived-tier]")).to_have_count(0)
    page.locator("#id_name").fill(COMPETITOR)
    with page.expect_response(lambda r: "/strategy/competitors/tier/" in r.url):
        page.locator("#id_product_overlap").select_option("similar")
    expect(tier.locator("[data-testid=derived-tier]")).to_have_attribute("data-tier", "secondary")
    expect(tier.locator("[data-testid=derived-tier]")).to_have_text(zh(m.Competitor.Tier.SECONDARY.label))
    with page.expect_response(lambda r: "/strategy/competitors/tier/" in r.url):
        page.locator("#id_same_audience").check()
    expect(tier.locator("[data-testid=derived-tier]")).to_have_attribute("data-tier", "primary")
    expect(tier.locator("[data-testid=derived-tier]")).to_have_text(zh(m.Competitor.Tier.PRIMARY.label))
    page.locator("#id_products").select_option(str(product.pk))
    page.locator("#id_summary").fill("同样面向B2B市场团队的营销自动化平台")
    page.locator("main form[method=post] button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/strategy/competitors/\d+/$"))
    competitor = m.Competitor.objects.get(name=COMPETITOR)
    assert (competitor.team_id, competitor.product_overlap, competitor.same_audience,
            competitor.tier, list(competitor.products.all())) == (
        team_a.pk, "similar", True, "primary", [product])
    competitor_path = f"/strategy/competitors/{competitor.pk}/"
    competitor_url = base + competitor_path
    arrive(page, competitor_path)

    # --- History tabs: who did what ---------------------------------------------------
    page.goto(product_path)
    history_tab = tabs.locator(f'a[href="/strategy/products/{product.pk}/history/"]')
    expect(history_tab).to_have_text("历史记录")
    history_tab.click()
    expect(page).to_have_url(f"{product_url}history/")
    expect(history_tab).to_have_attribute("aria-current", "page")
    entries = page.locator("#history [data-testid=audit-entry]")
    expected = list(history_for(product).values_list("content_type__model", "action"))
    assert sorted(expected) == sorted(
        [("product", "create"), ("visiondocument", "create"), ("persona", "create"),
         ("positioningstatement", "create")] + [("reviewquestion", "create")] * 4)
    expect(entries).to_have_count(8)
    assert [(entries.nth(i).get_attribute("data-model"), entries.nth(i).get_attribute("data-action"))
            for i in range(8)] == expected
    expect(entries.locator("strong")).to_have_text(["li.na"] * 8)
    expect(entries.and_(page.locator('[data-model="product"]'))).to_contain_text(PRODUCT)
    expect(entries.and_(page.locator('[data-model="persona"]'))).to_contain_text(PERSONA)
    expect(entries.and_(page.locator('[data-model="positioningstatement"]'))).to_contain_text(
        STATEMENT_START + STATEMENT_END)

    page.goto(competitor_path)
    history_tab = page.locator(f'#competitor-tabs a[href="/strategy/competitors/{competitor.pk}/history/"]')
    expect(history_tab).to_have_text("历史记录")
    history_tab.click()
    expect(page).to_have_url(f"{competitor_url}history/")
    entries = page.locator("#history [data-testid=audit-entry]")
    expect(entries).to_have_count(1)
    expect(entries).to_have_attribute("data-model", "competitor")
    expect(entries).to_have_attribute("data-action", "create")
    expect(entries.locator("strong")).to_have_text("li.na")
    expect(entries).to_contain_text(COMPETITOR)

    # --- reloaded pages list the records ---------------------------------------------
    page.goto("/strategy/products/")
    expect(page.locator("main h1")).to_have_text("产品")
    expect(page.locator(f'main table a[href="/strategy/products/{product.pk}/"]')).to_have_text(PRODUCT)
    page.goto("/strategy/competitors/")
    expect(page.locator("main h1")).to_have_text("竞品")
    link = f'a[href="/strategy/competitors/{competitor.pk}/"]'
    expect(page.locator(f'section[aria-labelledby="tier-primary-title"] {link}')).to_have_text(COMPETITOR)
    expect(page.locator(f"main {link}")).to_have_count(1)
    page.reload()
    expect(page.locator(f'section[aria-labelledby="tier-primary-title"] {link}')).to_have_text(COMPETITOR)

    shot = artifact_path("strategy-walkthrough-end.png")
    if shot:
        page.screenshot(path=shot, full_page=True)
