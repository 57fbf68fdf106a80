"""The application shell in a real browser: keyboard search, inline form errors,
role-dependent actions and the audit log's HTMX filter."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django import forms
from django.utils import translation
from playwright.sync_api import expect

from marketdesk.core.models import AuditEntry
from marketdesk.strategy import models as m
from marketdesk.strategy import services
from tests.browser.conftest import arrive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_slash_focuses_the_search_and_enter_shows_results(page, login, make_user, team_a):
    marketer = make_user("marketer", username="mei")
    atlas = services.products.create(by=marketer, team_id=team_a.pk, name="Atlas CRM",
                                     tagline="Pipeline for small teams")
    services.products.create(by=marketer, team_id=team_a.pk, name="Borealis BI")
    login(page, marketer)

    search = page.locator("#global-search")
    expect(search).not_to_be_focused()
    page.keyboard.press("/")
    expect(search).to_be_focused()
    expect(search).to_have_value("")  # the slash opens the box, it is not typed into it
    page.keyboard.type("atlas")
    page.keyboard.press("Enter")

    arrive(page, "/search/?q=atlas")
    results = page.locator("main ul a")
    expect(results).to_have_count(1)
    expect(results).to_have_text("Atlas CRM")
    expect(results).to_have_attribute("href", f"/strategy/products/{atlas.pk}/")
    expect(search).to_have_value("atlas")

    # While typing in a field, "/" is a character, not a shortcut.
    search.fill("a")
    search.press("/")
    expect(search).to_have_value("a/")


def test_missing_required_field_is_shown_inline_and_nothing_is_created(page, login, make_user, team_a):
    login(page, make_user("marketer", username="mei"))
    page.goto("/strategy/products/new/")
    page.locator("#id_tagline").fill("Pipeline for small teams")
    with page.expect_response(lambda r: r.url.endswith("/strategy/products/new/")
                              and r.request.method == "POST") as posted:
        page.locator("main form[method=post] button[type=submit]").click()
    assert posted.value.status == 400

    name = page.locator("#id_name")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(name).to_have_attribute("aria-describedby", "id_name_error")
    error = page.locator("#id_name ~ .invalid-feedback")
    expect(error).to_have_count(1)
    expect(error).to_be_visible()
    expect(error).to_have_id("id_name_error")
    with translation.override("en"):
        expect(error).to_have_text(str(forms.Field.default_error_messages["required"]))
    # Only the broken field is marked; the typed values are kept.
    expect(page.locator("[aria-invalid=true]")).to_have_count(1)
    expect(page.locator(".invalid-feedback")).to_have_count(1)
    expect(page.locator("#id_tagline")).to_have_value("Pipeline for small teams")
    assert m.Product.objects.count() == 0


def test_sales_sees_no_new_product_button_and_the_create_url_is_forbidden(page, login, make_user, team_a):
    marketer = make_user("marketer", username="mei")
    atlas = services.products.create(by=marketer, team_id=team_a.pk, name="Atlas CRM")
    login(page, make_user("sales", username="sam"))

    page.locator('#nav a.nav-link[href="/strategy/products/"]').click()
    expect(page.locator(f'main a[href="/strategy/products/{atlas.pk}/"]')).to_have_text("Atlas CRM")
    expect(page.locator('a[href="/strategy/products/new/"]')).to_have_count(0)

    response = page.goto("/strategy/products/new/")
    assert response.status == 403
    # A page of the application (shell, way back), not the server's bare error.
    expect(page.locator("main [data-testid=error-page]")).to_have_attribute("data-status", "403")
    expect(page.locator('main [data-testid=error-page] a[href="/"]')).to_be_visible()
    expect(page.locator("#global-search")).to_be_visible()
    expect(page.locator("#id_name")).to_have_count(0)
    expect(page.locator("main form[method=post]")).to_have_count(0)
    assert m.Product.objects.count() == 1


def test_director_filters_the_audit_log_without_leaving_the_page(page, login, make_user, team_a):
    director = make_user("director", username="diana")
    services.products.create(by=director, team_id=team_a.pk, name="Atlas CRM")
    services.products.create(by=director, team_id=team_a.pk, name="Borealis BI")
    login(page, director)

    page.locator('#nav a.nav-link[href="/audit/"]').click()
    arrive(page, "/audit/")
    # Everything so far (team A and what it seeds, the director, 2 × (product, its vision,
    # its 4 review questions), the sign-in) fits on the first page.
    total = AuditEntry.objects.count()
    assert total < 50
    entries = page.locator("#results [data-testid=audit-entry]")
    expect(entries).to_have_count(total)

    page.evaluate("window.__auditMarker = 'no reload'")
    with page.expect_response(lambda r: "/audit/?" in r.url and "q=Borealis" in r.url) as filtered:
        page.locator("#audit-q").press_sequentially("Borealis")
    assert filtered.value.request.headers.get("hx-request") == "true"

    # The product and its vision document ("Borealis BI — vision"), newest first.
    expect(entries).to_have_count(2)
    assert [(entries.nth(i).get_attribute("data-model"), entries.nth(i).get_attribute("data-action"))
            for i in range(2)] == [("visiondocument", "create"), ("product", "create")]
    expect(entries.locator("strong")).to_have_text(["diana", "diana"])
    expect(entries.nth(1)).to_contain_text("Borealis BI")
    expect(page).to_have_url(re.compile(r"/audit/\?.*q=Borealis"))
    assert parse_qs(urlsplit(page.url).query)["q"] == ["Borealis"]
    assert page.evaluate("window.__auditMarker") == "no reload"

    # The pushed address is a real page: opened afresh it shows the same filter.
    page.reload()
    expect(page.locator("#audit-q")).to_have_value("Borealis")
    expect(entries).to_have_count(2)
    assert page.evaluate("window.__auditMarker") is None


@pytest.mark.parametrize("width", [1024, 1280])
def test_top_bar_keeps_search_language_and_user_menu_on_a_small_desktop_screen(
        page, login, make_user, width):
    # The director sees every area, so the nav list is at its longest.
    login(page, make_user("director", username="diana", first_name="Diana", last_name="Zhang"))
    page.set_viewport_size({"width": width, "height": 700})
    links = page.locator("#nav .navbar-nav a.nav-link")
    assert links.count() >= 4
    for i in range(links.count()):
        icon, link = links.nth(i).locator("i.bi").bounding_box(), links.nth(i).bounding_box()
        # icon and label on one line: the link is no taller than one line of text
        assert link["height"] < 2 * icon["height"] + 16, links.nth(i).get_attribute("href")
    for selector in ("#global-search", "#language-select", "#nav .dropdown > button"):
        box = page.locator(selector).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, selector
    assert page.locator("#global-search").bounding_box()["width"] >= 160
    assert page.evaluate("document.documentElement.scrollWidth") == width
