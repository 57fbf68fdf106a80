"""The strategy pages (S1–S8) over HTTP: permissions, writes with their audit trail,
inline errors that write nothing, HTMX partials and query counts."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from marketdesk.core.models import AuditEntry
from marketdesk.strategy import models as m
from marketdesk.strategy import services

HX = {"HTTP_HX_REQUEST": "true"}


def audit_rows(obj, action):
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return AuditEntry.objects.filter(content_type=ct, object_id=str(obj.pk), action=action)


@pytest.fixture
def kb(users, team_a, team_b):
    """A small knowledge base in team A and a few records of team B."""
    by = users["marketer"]
    product = services.products.create(
        by=by, team=team_a, name="LeadFlow", tagline="B2B lead engine",
        description="**Bold** claim", brand_voice_words=["效率", "增长"])
    feature = services.features.create(by=by, product=product, name="Smart scoring")
    services.visions.update(product.vision, by=by, target_users="Marketing ops leads",
                            problems_solved="Leads leak between tools",
                            success_measures="MQL to SQL conversion")
    buyer = services.personas.create(
        by=by, product=product, kind="buyer", name="CMO Chen", age_min=35, age_max=50,
        gender="female", location="Shanghai", education="master", title="CMO",
        income_level="high", goals="Grow pipeline", challenges="Budget scrutiny",
        personality_traits="Decisive")
    user_persona = services.personas.create(
        by=by, product=product, kind="user", name="Ops Olivia", age_min=25, age_max=35,
        location="Hangzhou", education="bachelor", title="Marketing operations",
        income_level="middle")
    statement = services.positioning_statements.create(
        by=by, product=product, audience="B2B marketers", problem="Leads go cold",
        benefit="More conversions", statement="LeadFlow 帮助B2B市场人提高获客转化效率")
    variant = services.positioning_variants.create(
        by=by, statement=statement, channel="WeChat", text="微信版:提高获客效率")
    pricing = services.pricing_strategies.create(
        by=by, product=product, approach="value_based", value_strategy="premium")
    starter = services.price_tiers.create(by=by, strategy=pricing, name="Starter",
                                          price=Decimal("9800"), min_seats=1, max_seats=10,
                                          fits="Small teams", position=0)
    growth = services.price_tiers.create(by=by, strategy=pricing, name="Growth",
                                         price=Decimal("39800"), min_seats=11, max_seats=50,
                                         fits="Mid-size teams", position=1)
    discount = services.discount_policies.create(
        by=by, strategy=pricing, name="Volume rebate", kind="rebate", ratio_type="progressive",
        steps=[{"from": 0, "percent": 3}, {"from": 100000, "percent": 5}])
    note = services.research_notes.create(
        by=by, team=team_a, product=product, kind="primary", method="interview",
        title="Ten CMO interviews", source="Customer calls", collected_on=dt.date(2025, 3, 1))
    report = services.research_notes.create(
        by=by, team=team_a, kind="secondary", method="report", title="China SaaS report",
        source="IDC", collected_on=dt.date(2025, 1, 15))
    size = services.market_sizes.create(by=by, product=product, segment="Mid-market",
                                        region="East China", year=2025, target_customers=1200,
                                        source_note=note)
    competitor = services.competitors.create(
        by=by, m2m={"products": [product]}, team_id=team_a.pk, name="RivalSoft",
        product_overlap="same", same_audience=True, summary="Main rival",
        strengths="Brand", weaknesses="Price", web_signals="Traffic up")
    old_move = services.competitor_moves.create(
        by=by, competitor=competitor, happened_on=dt.date(2025, 1, 10), kind="pricing",
        title="Cut list price")
    new_move = services.competitor_moves.create(
        by=by, competitor=competitor, happened_on=dt.date(2025, 4, 2), kind="launch",
        title="Launched AI scoring")
    offering = services.competitor_products.create(
        by=by, competitor=competitor, name="Rival CRM", pricing_model="per_seat",
        list_price=Decimal("199"))
    swot = services.swot_entries.create(by=by, m2m={"evidence_notes": [note],
                                                    "evidence_moves": [new_move]},
                                        product_id=product.pk, quadrant="T",
                                        text="Rival launched AI scoring")
    rival_swot = services.swot_entries.create(by=by, competitor_id=competitor.pk, quadrant="S",
                                              text="Strong brand in East China")

    other_by = users["director"]
    product_b = services.products.create(by=other_by, team=team_b, name="BrandPulse")
    competitor_b = services.competitors.create(by=other_by, team=team_b, name="OtherCo",
                                               product_overlap="similar")
    note_b = services.research_notes.create(
        by=other_by, team=team_b, kind="secondary", method="report", title="Team B report",
        source="Gartner", collected_on=dt.date(2025, 2, 1))
    move_b = services.competitor_moves.create(by=other_by, competitor=competitor_b,
                                              happened_on=dt.date(2025, 2, 2), kind="other",
                                              title="Team B move")
    return SimpleNamespace(**locals())


def url(name, *args):
    return reverse(f"strategy:{name}", args=args)


# --- pages render for viewers -----------------------------------------------------------

PRODUCT_TAB_TEXT = {
    "overview": ["<strong>Bold</strong> claim", "Smart scoring"],
    "vision": ["Marketing ops leads", "Leads leak between tools", "MQL to SQL conversion"],
    "personas": ["CMO Chen", "Ops Olivia", "35–50", "Shanghai", "Master&#x27;s degree", "High",
                 "Grow pipeline", "Budget scrutiny", "Decisive"],
    "positioning": ["LeadFlow 帮助B2B市场人提高获客转化效率", "微信版:提高获客效率", "WeChat", "✓"],
    "pricing": ["Value-based pricing", "Premium — high quality, high price, unique value",
                "Starter", "Growth", "11–50", "Volume rebate", "100000 CNY"],
    "swot": ["Rival launched AI scoring", "Ten CMO interviews", "RivalSoft: Launched AI scoring"],
    "market": ["Mid-market", "East China", "1200", "Ten CMO interviews"],
    "research": ["Ten CMO interviews"],
    "review": ["Is the product still a fit for today&#x27;s market and today&#x27;s customers?",
               "Never reviewed."],
    "history": [],
}


@pytest.mark.parametrize("role", ["sales", "reviewer"])
@pytest.mark.parametrize("tab", list(PRODUCT_TAB_TEXT))
def test_product_tabs_render_for_viewers(kb, users, client_for, role, tab):
    response = client_for(users[role]).get(url("product_tab", kb.product.pk, tab))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" in body
    assert "LeadFlow" in body
    for text in PRODUCT_TAB_TEXT[tab]:
        assert text in body, text
    if tab == "history":
        ct = ContentType.objects.get_for_model(m.Product)
        assert f'hx-get="/history/{ct.pk}/{kb.product.pk}/"' in body


COMPETITOR_TAB_TEXT = {
    "overview": ["Main rival", "Brand", "Price", "Traffic up", "LeadFlow"],
    "offerings": ["Rival CRM", "Per seat", "199.00 CNY"],
    "moves": ["Launched AI scoring", "Cut list price", "2025-04-02"],
    "swot": ["Strong brand in East China"],
    "history": [],
}


@pytest.mark.parametrize("role", ["sales", "reviewer"])
@pytest.mark.parametrize("tab", list(COMPETITOR_TAB_TEXT))
def test_competitor_tabs_render_for_viewers(kb, users, client_for, role, tab):
    response = client_for(users[role]).get(url("competitor_tab", kb.competitor.pk, tab))
    assert response.status_code == 200
    body = response.content.decode()
    assert "RivalSoft" in body
    assert "Primary competitor" in body
    for text in COMPETITOR_TAB_TEXT[tab]:
        assert text in body, text


def test_moves_are_listed_newest_first(kb, users, client_for):
    body = client_for(users["sales"]).get(url("competitor_tab", kb.competitor.pk, "moves")).content.decode()
    assert body.index("Launched AI scoring") < body.index("Cut list price")


@pytest.mark.parametrize("role", ["sales", "reviewer"])
def test_lists_and_research_render_for_viewers(kb, users, client_for, role):
    client = client_for(users[role])
    products = client.get(url("product_list")).content.decode()
    assert "LeadFlow" in products and "B2B lead engine" in products
    assert "BrandPulse" not in products  # team B
    competitors = client.get(url("competitor_list")).content.decode()
    assert "RivalSoft" in competitors and "OtherCo" not in competitors
    for rule in m.Competitor.TIER_RULES.values():
        assert str(rule) in competitors
    research = client.get(url("research_list")).content.decode()
    assert "Ten CMO interviews" in research and "China SaaS report" in research
    assert "Team B report" not in research
    detail = client.get(url("research_detail", kb.note.pk))
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "Customer calls" in body
    assert "Threat: Rival launched AI scoring" in body  # cited by a SWOT entry
    assert "LeadFlow · Mid-market · 2025" in body  # and by a market size


def test_product_list_counts(kb, users, client_for):
    response = client_for(users["sales"]).get(url("product_list"))
    product = response.context["products"].get(pk=kb.product.pk)
    assert (product.persona_count, product.competitor_count, product.feature_count) == (2, 1, 1)


def test_competitor_list_groups_by_tier(kb, users, client_for, team_a):
    by = users["marketer"]
    services.competitors.create(by=by, team=team_a, name="Lookalike", product_overlap="similar")
    services.competitors.create(by=by, team=team_a, name="Addon Inc", product_overlap="extends")
    response = client_for(users["sales"]).get(url("competitor_list"))
    grouped = {tier: [c.name for c in cs] for tier, _label, _rule, cs in response.context["tiers"]}
    assert grouped == {"primary": ["RivalSoft"], "secondary": ["Lookalike"],
                       "tertiary": ["Addon Inc"]}


@pytest.mark.parametrize("params, titles", [
    ({"kind": "primary"}, ["Ten CMO interviews"]),
    ({"kind": "secondary"}, ["China SaaS report"]),
    ({"method": "report"}, ["China SaaS report"]),
    ({"q": "idc"}, ["China SaaS report"]),
    ({"q": "calls"}, ["Ten CMO interviews"]),
    ({}, ["Ten CMO interviews", "China SaaS report"]),
])
def test_research_filters(kb, users, client_for, params, titles):
    response = client_for(users["sales"]).get(url("research_list"), params)
    assert [n.title for n in response.context["page"].object_list] == titles


def test_research_filter_by_product(kb, users, client_for):
    response = client_for(users["sales"]).get(url("research_list"), {"product": kb.product.pk})
    assert [n.title for n in response.context["page"].object_list] == ["Ten CMO interviews"]
    # another team's product is not a choice: the filter says so and lists nothing
    response = client_for(users["sales"]).get(url("research_list"), {"product": kb.product_b.pk})
    assert list(response.context["page"].object_list) == []
    assert "Select a valid choice" in response.content.decode()


# --- scope and rights --------------------------------------------------------------------

def test_other_teams_records_are_404(kb, users, client_for):
    client = client_for(users["team_leader"])
    for address in [
        url("product_detail", kb.product_b.pk),
        url("product_tab", kb.product_b.pk, "personas"),
        url("product_edit", kb.product_b.pk),
        url("competitor_detail", kb.competitor_b.pk),
        url("competitor_tab", kb.competitor_b.pk, "moves"),
        url("research_detail", kb.note_b.pk),
        url("child_create", "products", kb.product_b.pk, "personas"),
        url("child_edit", "competitors", kb.competitor_b.pk, "moves", kb.move_b.pk),
        # a child of our product asked for under another product
        url("child_edit", "products", kb.product_b.pk, "personas", kb.buyer.pk),
    ]:
        assert client.get(address).status_code == 404, address


def test_unknown_tab_and_kind_are_404(kb, users, client_for):
    client = client_for(users["marketer"])
    assert client.get(url("product_tab", kb.product.pk, "secrets")).status_code == 404
    assert client.get(url("child_create", "products", kb.product.pk, "moves")).status_code == 404


def test_anonymous_is_sent_to_login(kb, client):
    response = client.get(url("product_detail", kb.product.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def sales_write_attempts(kb):
    p, c = kb.product.pk, kb.competitor.pk
    return [
        (url("product_create"), {"name": "X"}),
        (url("product_edit", p), {"name": "X"}),
        (url("product_delete", p), {}),
        (url("vision_edit", p), {"target_users": "X"}),
        (url("pricing_edit", p), {"approach": "competitive"}),
        (url("review_answer", p, kb.product.review_questions.first().pk), {"answer": "X"}),
        (url("child_create", "products", p, "personas"), {"name": "X"}),
        (url("child_edit", "products", p, "personas", kb.buyer.pk), {"name": "X"}),
        (url("child_delete", "products", p, "personas", kb.buyer.pk), {}),
        (url("child_create", "products", p, "tiers"), {"name": "X"}),
        (url("child_create", "products", p, "swot"), {"text": "X"}),
        (url("competitor_create"), {"name": "X"}),
        (url("competitor_edit", c), {"name": "X"}),
        (url("competitor_delete", c), {}),
        (url("child_create", "competitors", c, "moves"), {"title": "X"}),
        (url("research_create"), {"title": "X"}),
        (url("research_edit", kb.note.pk), {"title": "X"}),
        (url("research_delete", kb.note.pk), {}),
    ]


def test_sales_gets_403_on_every_write(kb, users, client_for):
    client = client_for(users["sales"])
    before = AuditEntry.objects.count()
    for address, data in sales_write_attempts(kb):
        assert client.post(address, data).status_code == 403, address
        assert client.get(address).status_code == 403, address
    assert AuditEntry.objects.count() == before
    assert m.Product.objects.filter(name="X").count() == 0


def test_marketer_may_not_delete(kb, users, client_for):
    client = client_for(users["marketer"])
    response = client.post(url("child_delete", "products", kb.product.pk, "personas", kb.buyer.pk))
    assert response.status_code == 403
    assert m.Persona.objects.filter(pk=kb.buyer.pk).exists()


EDIT_MARKERS = ["Edit product", "Delete product", "Add feature", "/edit/", "/delete/", "/new/"]


@pytest.mark.parametrize("tab", ["overview", "personas", "positioning", "pricing", "swot",
                                 "market", "review", "vision"])
def test_sales_sees_no_edit_buttons(kb, users, client_for, tab):
    body = client_for(users["sales"]).get(url("product_tab", kb.product.pk, tab)).content.decode()
    for marker in EDIT_MARKERS:
        assert marker not in body, marker
    leader = client_for(users["team_leader"]).get(url("product_tab", kb.product.pk, tab)).content.decode()
    assert "/edit/" in leader


def test_sales_sees_no_buttons_on_lists_and_competitor(kb, users, client_for):
    client = client_for(users["sales"])
    assert "New product" not in client.get(url("product_list")).content.decode()
    assert "New competitor" not in client.get(url("competitor_list")).content.decode()
    assert "New research note" not in client.get(url("research_list")).content.decode()
    for tab in COMPETITOR_TAB_TEXT:
        body = client.get(url("competitor_tab", kb.competitor.pk, tab)).content.decode()
        assert "/edit/" not in body and "/new/" not in body and "/delete/" not in body
    marketer = client_for(users["marketer"])
    assert "New product" in marketer.get(url("product_list")).content.decode()
    moves = marketer.get(url("competitor_tab", kb.competitor.pk, "moves")).content.decode()
    assert "Log a move" in moves
    assert "/delete/" not in moves  # marketers edit but do not delete


# --- writes by a marketer: database state and audit trail ---------------------------------

def test_marketer_creates_product(users, client_for, team_a):
    client = client_for(users["marketer"])
    response = client.post(url("product_create"), {
        "team": team_a.pk, "name": "SignalDesk", "tagline": "Intent data",
        "description": "# Intent", "brand_voice_words": "高效, 可信，增长、 trusted",
    })
    product = m.Product.objects.get(name="SignalDesk")
    assert response.status_code == 302
    assert response["Location"] == url("product_detail", product.pk)
    assert (product.team, product.tagline, product.brand_voice_words) == (
        team_a, "Intent data", ["高效", "可信", "增长", "trusted"])
    entry = audit_rows(product, "create").get()
    assert entry.actor == users["marketer"]
    assert entry.changes["after"]["name"] == "SignalDesk"
    assert product.review_questions.count() == 4
    assert m.VisionDocument.objects.filter(product=product).exists()
    follow = client.get(response["Location"])
    assert "Saved product “SignalDesk”." in follow.content.decode()


def test_marketer_edits_product(kb, users, client_for):
    response = client_for(users["marketer"]).post(url("product_edit", kb.product.pk), {
        "name": "LeadFlow", "tagline": "New tagline", "description": "",
        "brand_voice_words": "效率",
    })
    assert response.status_code == 302
    kb.product.refresh_from_db()
    assert (kb.product.tagline, kb.product.brand_voice_words) == ("New tagline", ["效率"])
    entry = audit_rows(kb.product, "update").get()
    assert entry.changes == {
        "before": {"tagline": "B2B lead engine", "description": "**Bold** claim",
                   "brand_voice_words": ["效率", "增长"]},
        "after": {"tagline": "New tagline", "description": "", "brand_voice_words": ["效率"]},
    }


PERSONA = {
    "kind": "buyer", "name": "VP Wang", "title": "VP Marketing", "age_min": "30",
    "age_max": "45", "gender": "male", "location": "Beijing", "education": "doctorate",
    "income_level": "upper_middle", "goals": "Prove ROI", "challenges": "Long sales cycles",
    "personality_traits": "Analytical",
}


def test_marketer_creates_persona_with_every_attribute(kb, users, client_for):
    response = client_for(users["marketer"]).post(
        url("child_create", "products", kb.product.pk, "personas"), PERSONA)
    assert response.status_code == 302
    assert response["Location"] == url("product_tab", kb.product.pk, "personas")
    persona = m.Persona.objects.get(name="VP Wang")
    assert {k: str(getattr(persona, k)) for k in PERSONA} == PERSONA
    assert persona.product == kb.product
    entry = audit_rows(persona, "create").get()
    assert entry.root_id == str(kb.product.pk)  # shows in the product's History
    assert entry.actor == users["marketer"]


def test_marketer_edits_persona(kb, users, client_for):
    data = {**PERSONA, "name": "CMO Chen", "location": "Shenzhen"}
    response = client_for(users["marketer"]).post(
        url("child_edit", "products", kb.product.pk, "personas", kb.buyer.pk), data)
    assert response.status_code == 302
    kb.buyer.refresh_from_db()
    assert (kb.buyer.location, kb.buyer.age_min, kb.buyer.education) == ("Shenzhen", 30, "doctorate")
    assert audit_rows(kb.buyer, "update").get().changes["after"]["location"] == "Shenzhen"


@pytest.mark.parametrize("overlap, same_audience, tier", [
    ("same", False, "primary"),        # same product
    ("extends", True, "primary"),      # same audience
    ("same", True, "primary"),         # both
    ("similar", False, "secondary"),   # similar product, different audience
    ("extends", False, "tertiary"),    # extends our product
])
def test_marketer_creates_competitor_with_derived_tier(kb, users, client_for, team_a,
                                                       overlap, same_audience, tier):
    data = {"team": team_a.pk, "name": "NewRival", "product_overlap": overlap,
            "products": [kb.product.pk], "summary": "They grow fast"}
    if same_audience:
        data["same_audience"] = "on"
    response = client_for(users["marketer"]).post(url("competitor_create"), data)
    assert response.status_code == 302
    competitor = m.Competitor.objects.get(name="NewRival")
    assert competitor.tier == tier
    assert list(competitor.products.all()) == [kb.product]
    entry = audit_rows(competitor, "create").get()
    assert entry.changes["after"]["tier"] == tier
    assert entry.changes["after"]["products"] == [kb.product.pk]


def test_competitor_without_overlap_is_refused(kb, users, client_for, team_a):
    before = (m.Competitor.objects.count(), AuditEntry.objects.count())
    response = client_for(users["marketer"]).post(url("competitor_create"), {
        "team": team_a.pk, "name": "NotARival", "product_overlap": "none"})
    assert response.status_code == 400
    assert ("Not a competitor by the three-tier rules: no product overlap and a different "
            "audience.") in response.content.decode()
    assert (m.Competitor.objects.count(), AuditEntry.objects.count()) == before


def test_competitor_form_explains_the_tier(kb, users, client_for):
    client = client_for(users["marketer"])
    body = client.get(url("competitor_edit", kb.competitor.pk)).content.decode()
    assert 'id="tier-preview"' in body
    for rule in m.Competitor.TIER_RULES.values():
        assert str(rule) in body
    assert 'name="tier"' not in body  # derived, never edited
    preview = client.get(url("competitor_tier"), {"product_overlap": "similar"}, **HX)
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "Secondary" in text and "A similar product sold to a different audience." in text
    assert "<html" not in text
    preview = client.get(url("competitor_tier"), {"product_overlap": "extends",
                                                  "same_audience": "on"}, **HX)
    assert "Primary" in preview.content.decode()


def test_marketer_creates_statement_and_variant(kb, users, client_for):
    client = client_for(users["marketer"])
    response = client.post(url("child_create", "products", kb.product.pk, "statements"), {
        "audience": "SaaS founders", "problem": "No pipeline", "benefit": "Pipeline in weeks",
        "statement": "LeadFlow 帮助SaaS创始人更快增长", "is_primary": "on"})
    assert response.status_code == 302
    statement = m.PositioningStatement.objects.get(audience="SaaS founders")
    assert (statement.product, statement.is_primary) == (kb.product, True)
    assert audit_rows(statement, "create").count() == 1
    response = client.post(url("child_create", "products", kb.product.pk, "variants"), {
        "statement": statement.pk, "channel": "", "region": "Greater Bay Area",
        "audience": "", "text": "大湾区版本"})
    assert response.status_code == 302
    variant = m.PositioningVariant.objects.get(region="Greater Bay Area")
    assert (variant.statement, variant.text) == (statement, "大湾区版本")
    entry = audit_rows(variant, "create").get()
    assert entry.root_id == str(kb.product.pk)


def test_variant_cannot_point_at_another_products_statement(kb, users, client_for):
    other = services.positioning_statements.create(
        by=users["director"], product=kb.product_b, audience="A", problem="B", benefit="C",
        statement="Other team")
    before = (m.PositioningVariant.objects.count(), AuditEntry.objects.count())
    response = client_for(users["marketer"]).post(
        url("child_create", "products", kb.product.pk, "variants"),
        {"statement": other.pk, "channel": "Web", "text": "X"})
    assert response.status_code == 400
    assert "Select a valid choice. That choice is not one of the available choices." in response.content.decode()
    assert (m.PositioningVariant.objects.count(), AuditEntry.objects.count()) == before


def test_variant_needs_a_scope(kb, users, client_for):
    before = (m.PositioningVariant.objects.count(), AuditEntry.objects.count())
    response = client_for(users["marketer"]).post(
        url("child_create", "products", kb.product.pk, "variants"),
        {"statement": kb.statement.pk, "text": "No scope"})
    assert response.status_code == 400
    assert "A variant needs a channel, a region or an audience." in response.content.decode()
    assert (m.PositioningVariant.objects.count(), AuditEntry.objects.count()) == before


def test_marketer_creates_swot_entry_with_evidence(kb, users, client_for):
    response = client_for(users["marketer"]).post(
        url("child_create", "products", kb.product.pk, "swot"),
        {"quadrant": "O", "text": "Mid-market is under-served",
         "evidence_notes": [kb.note.pk, kb.report.pk], "evidence_moves": [kb.old_move.pk]})
    assert response.status_code == 302
    entry = m.SwotEntry.objects.get(text="Mid-market is under-served")
    assert (entry.product, entry.competitor, entry.team_id, entry.quadrant) == (
        kb.product, None, kb.product.team_id, "O")
    assert sorted(entry.evidence_notes.values_list("pk", flat=True)) == sorted([kb.note.pk, kb.report.pk])
    assert list(entry.evidence_moves.all()) == [kb.old_move]
    audit = audit_rows(entry, "create").get()
    assert audit.changes["after"]["evidence_notes"] == sorted([kb.note.pk, kb.report.pk])
    page = client_for(users["sales"]).get(url("product_tab", kb.product.pk, "swot")).content.decode()
    assert "Mid-market is under-served" in page


def test_marketer_creates_competitor_swot_entry(kb, users, client_for):
    response = client_for(users["marketer"]).post(
        url("child_create", "competitors", kb.competitor.pk, "swot"),
        {"quadrant": "W", "text": "Slow support", "evidence_moves": [kb.new_move.pk]})
    assert response.status_code == 302
    assert response["Location"] == url("competitor_tab", kb.competitor.pk, "swot")
    entry = m.SwotEntry.objects.get(text="Slow support")
    assert (entry.competitor, entry.product, entry.team_id) == (kb.competitor, None, kb.competitor.team_id)
    assert audit_rows(entry, "create").get().root_id == str(kb.competitor.pk)


def test_marketer_logs_a_competitive_move(kb, users, client_for):
    response = client_for(users["marketer"]).post(
        url("child_create", "competitors", kb.competitor.pk, "moves"),
        {"happened_on": "2025-05-20", "kind": "campaign", "title": "618 campaign",
         "details": "Big discounts", "source_url": "https://example.com/618"})
    assert response.status_code == 302
    move = m.CompetitorMove.objects.get(title="618 campaign")
    assert (move.competitor, move.happened_on, move.kind) == (kb.competitor, dt.date(2025, 5, 20), "campaign")
    assert audit_rows(move, "create").count() == 1


def test_marketer_sets_pricing_and_adds_tier(kb, users, client_for):
    client = client_for(users["marketer"])
    response = client.post(url("pricing_edit", kb.product.pk), {
        "approach": "competitive", "value_strategy": "", "currency": "usd",
        "rationale": "Match RivalSoft", "price_floor_note": "Never below cost + 20%"})
    assert response.status_code == 302
    kb.pricing.refresh_from_db()
    assert (kb.pricing.approach, kb.pricing.value_strategy, kb.pricing.currency) == ("competitive", "", "USD")
    assert audit_rows(kb.pricing, "update").get().changes["after"]["approach"] == "competitive"
    response = client.post(url("child_create", "products", kb.product.pk, "tiers"), {
        "name": "Enterprise", "price": "99000", "period": "year", "min_seats": "51",
        "max_seats": "", "fits": "Large teams", "included": "SSO", "position": "2"})
    assert response.status_code == 302
    tier = m.PriceTier.objects.get(name="Enterprise")
    assert (tier.strategy, tier.price, tier.min_seats, tier.max_seats) == (kb.pricing, Decimal("99000.00"), 51, None)
    assert audit_rows(tier, "create").get().root_id == str(kb.product.pk)


def test_pricing_strategy_created_when_missing(users, client_for, team_a):
    product = services.products.create(by=users["marketer"], team=team_a, name="Fresh")
    client = client_for(users["marketer"])
    # tiers need a strategy first
    response = client.get(url("child_create", "products", product.pk, "tiers"))
    assert response.status_code == 302
    response = client.post(url("pricing_edit", product.pk), {
        "approach": "value_based", "value_strategy": "skimming", "currency": "CNY"})
    assert response.status_code == 302
    strategy = m.PricingStrategy.objects.get(product=product)
    assert strategy.value_strategy == "skimming"
    assert audit_rows(strategy, "create").count() == 1


def test_marketer_adds_discount_policy(kb, users, client_for):
    response = client_for(users["marketer"]).post(
        url("child_create", "products", kb.product.pk, "discounts"),
        {"name": "Annual prepay", "kind": "reduction", "ratio_type": "progressive",
         "steps": "0 = 2\n50,000 = 4.5%\n"})
    assert response.status_code == 302
    policy = m.DiscountPolicy.objects.get(name="Annual prepay")
    assert policy.steps == [{"from": 0, "percent": 2}, {"from": 50000, "percent": 4.5}]
    assert audit_rows(policy, "create").count() == 1


def test_marketer_answers_review_question(kb, users, client_for):
    question = kb.product.review_questions.get(position=1)
    response = client_for(users["marketer"]).post(
        url("review_answer", kb.product.pk, question.pk), {"answer": "Lead scoring tuned for China"})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.answer == "Lead scoring tuned for China"
    assert question.last_reviewed_on == kb.product.team.today()
    entry = audit_rows(question, "update").get()
    assert entry.changes["after"] == {"answer": "Lead scoring tuned for China",
                                      "last_reviewed_on": kb.product.team.today().isoformat()}
    page = client_for(users["sales"]).get(url("product_tab", kb.product.pk, "review")).content.decode()
    assert f"Last reviewed on {kb.product.team.today():%Y-%m-%d}" in page


def test_marketer_adds_custom_review_question(kb, users, client_for):
    response = client_for(users["marketer"]).post(
        url("child_create", "products", kb.product.pk, "questions"),
        {"question": "Which segment should we leave?", "position": "9"})
    assert response.status_code == 302
    question = m.ReviewQuestion.objects.get(question="Which segment should we leave?")
    assert (question.product, question.position, question.last_reviewed_on) == (kb.product, 9, None)
    assert audit_rows(question, "create").count() == 1


def test_marketer_edits_vision(kb, users, client_for):
    response = client_for(users["marketer"]).post(url("vision_edit", kb.product.pk), {
        "target_users": "Demand-gen teams", "problems_solved": "Leads leak between tools",
        "success_measures": "MQL to SQL conversion"})
    assert response.status_code == 302
    vision = m.VisionDocument.objects.get(product=kb.product)
    assert vision.target_users == "Demand-gen teams"
    assert audit_rows(vision, "update").count() == 2  # the fixture's answers, then ours
    assert audit_rows(vision, "update").first().changes == {
        "before": {"target_users": "Marketing ops leads"}, "after": {"target_users": "Demand-gen teams"}}


def test_marketer_creates_research_note_and_market_size(kb, users, client_for, team_a):
    client = client_for(users["marketer"])
    response = client.post(url("research_create"), {
        "team": team_a.pk, "title": "Survey of 200 marketers", "kind": "primary",
        "method": "survey", "product": kb.product.pk, "source": "WJX survey",
        "source_url": "https://example.com/survey", "collected_on": "2025-06-01",
        "body": "60% use spreadsheets"})
    note = m.ResearchNote.objects.get(title="Survey of 200 marketers")
    assert response.status_code == 302
    assert response["Location"] == url("research_detail", note.pk)
    assert (note.team, note.product, note.kind, note.collected_on) == (
        team_a, kb.product, "primary", dt.date(2025, 6, 1))
    assert audit_rows(note, "create").count() == 1
    response = client.post(url("child_create", "products", kb.product.pk, "market_sizes"), {
        "segment": "SMB", "region": "", "year": "2026", "target_customers": "5000",
        "source_note": note.pk})
    assert response.status_code == 302
    size = m.MarketSize.objects.get(segment="SMB")
    assert (size.product, size.target_customers, size.source_note) == (kb.product, 5000, note)
    assert audit_rows(size, "create").count() == 1


def test_team_leader_deletes_persona_after_confirmation(kb, users, client_for):
    client = client_for(users["team_leader"])
    address = url("child_delete", "products", kb.product.pk, "personas", kb.buyer.pk)
    confirm = client.get(address)
    assert confirm.status_code == 200
    assert "Delete the persona “CMO Chen”?" in confirm.content.decode()
    response = client.post(address)
    assert response.status_code == 302
    assert response["Location"] == url("product_tab", kb.product.pk, "personas")
    assert not m.Persona.objects.filter(pk=kb.buyer.pk).exists()
    entry = AuditEntry.objects.get(action="delete", object_id=str(kb.buyer.pk),
                                   content_type=ContentType.objects.get_for_model(m.Persona))
    assert entry.actor == users["team_leader"]


def test_delete_product_confirmation_lists_cascade(kb, users, client_for):
    client = client_for(users["team_leader"])
    response = client.get(url("product_delete", kb.product.pk))
    assert sorted(response.context["cascade"]) == sorted([
        ("features", 1), ("vision documents", 1), ("personas", 2),
        ("positioning statements", 1), ("positioning variants", 1), ("pricing strategies", 1),
        ("price tiers", 2), ("discount policies", 1), ("market sizes", 1), ("SWOT entries", 1),
        ("strategy review questions", 4)])
    assert "2 × personas" in response.content.decode()
    response = client.post(url("product_delete", kb.product.pk))
    assert response["Location"] == url("product_list")
    assert not m.Product.objects.filter(pk=kb.product.pk).exists()
    assert audit_rows(kb.product, "delete").count() == 1


# --- bad input: the form comes back with the message and nothing is written -------------

def bad_inputs(kb, team_a):
    p = kb.product.pk
    return {
        "empty required field": (
            url("product_create"), {"team": team_a.pk, "name": ""}, m.Product,
            "This field is required."),
        "text too long": (
            url("product_create"), {"team": team_a.pk, "name": "x" * 121}, m.Product,
            "Ensure this value has at most 120 characters (it has 121)."),
        "markup in a plain field": (
            url("child_create", "products", p, "personas"),
            {**PERSONA, "location": "<script>alert(1)</script>"}, m.Persona,
            "HTML tags are not allowed here; write plain text."),
        "age_min above age_max": (
            url("child_create", "products", p, "personas"),
            {**PERSONA, "age_min": "50", "age_max": "30"}, m.Persona,
            "The upper age must not be below the lower age."),
        "progressive discount with falling percents": (
            url("child_create", "products", p, "discounts"),
            {"name": "Bad", "kind": "rebate", "ratio_type": "progressive",
             "steps": "0 = 5\n100000 = 3"}, m.DiscountPolicy,
            "Step 2: a progressive ratio must not fall."),
        "unparseable discount step": (
            url("child_create", "products", p, "discounts"),
            {"name": "Bad", "kind": "rebate", "ratio_type": "fixed", "steps": "five percent"},
            m.DiscountPolicy, "Line 1: write “from amount = percent”, e.g. “100000 = 5”."),
        "SWOT evidence from team B": (
            url("child_create", "products", p, "swot"),
            {"quadrant": "S", "text": "X", "evidence_notes": [kb.note_b.pk]}, m.SwotEntry,
            f"Select a valid choice. {kb.note_b.pk} is not one of the available choices."),
        "SWOT move evidence from team B": (
            url("child_create", "products", p, "swot"),
            {"quadrant": "S", "text": "X", "evidence_moves": [kb.move_b.pk]}, m.SwotEntry,
            f"Select a valid choice. {kb.move_b.pk} is not one of the available choices."),
        "empty brand-voice word": (
            url("product_create"),
            {"team": team_a.pk, "name": "Y", "brand_voice_words": "效率,,增长"}, m.Product,
            "Item 2 is empty: remove the extra comma."),
        "markup in a brand-voice word": (
            url("product_create"),
            {"team": team_a.pk, "name": "Y", "brand_voice_words": "效率, <b>bold</b>"}, m.Product,
            "HTML tags are not allowed here; write plain text."),
        "competitor products of another team": (
            url("competitor_create"),
            {"team": team_a.pk, "name": "Z", "product_overlap": "same",
             "products": [kb.product_b.pk]}, m.Competitor,
            f"Select a valid choice. {kb.product_b.pk} is not one of the available choices."),
        "research note for another team's product": (
            url("research_create"),
            {"team": team_a.pk, "title": "T", "kind": "primary", "method": "survey",
             "product": kb.product_b.pk, "source": "S", "collected_on": "2025-01-01"},
            m.ResearchNote, "Select a valid choice. That choice is not one of the available choices."),
        "secondary research by interview": (
            url("research_create"),
            {"team": team_a.pk, "title": "T", "kind": "secondary", "method": "interview",
             "source": "S", "collected_on": "2025-01-01"}, m.ResearchNote,
            "Secondary research comes from reports, government, associations or publications."),
        "negative tier price": (
            url("child_create", "products", p, "tiers"),
            {"name": "T", "price": "-1", "period": "year", "min_seats": "5", "max_seats": "",
             "fits": "F", "position": "0"}, m.PriceTier,
            "Ensure this value is greater than or equal to 0."),
        "tier seats upside down": (
            url("child_create", "products", p, "tiers"),
            {"name": "T", "price": "10", "period": "year", "min_seats": "5", "max_seats": "2",
             "fits": "F", "position": "0"}, m.PriceTier,
            "The upper seat count must not be below the lower one."),
        "value-based pricing without a value strategy": (
            url("pricing_edit", p),
            {"approach": "value_based", "value_strategy": "", "currency": "CNY"},
            m.PricingStrategy, "Choose premium, promotional, commodity or skimming."),
        "review question too long": (
            url("child_create", "products", p, "questions"),
            {"question": "q" * 301, "position": "0"}, m.ReviewQuestion,
            "Ensure this value has at most 300 characters (it has 301)."),
    }


BAD_CASES = ["empty required field", "text too long", "markup in a plain field",
             "age_min above age_max", "progressive discount with falling percents",
             "unparseable discount step", "SWOT evidence from team B",
             "SWOT move evidence from team B", "empty brand-voice word",
             "markup in a brand-voice word", "competitor products of another team",
             "research note for another team's product", "secondary research by interview",
             "negative tier price", "tier seats upside down",
             "value-based pricing without a value strategy",
             "review question too long"]


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_input_is_shown_inline_and_writes_nothing(kb, users, client_for, team_a, case):
    address, data, model, message = bad_inputs(kb, team_a)[case]
    before = (model.objects.count(), AuditEntry.objects.count())
    response = client_for(users["marketer"]).post(address, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert message.replace("'", "&#x27;") in body
    assert 'class="invalid-feedback d-block"' in body or 'class="alert alert-danger"' in body
    assert "novalidate" in body
    assert (model.objects.count(), AuditEntry.objects.count()) == before


def test_service_validation_error_is_shown_on_the_form(kb, users, client_for):
    """The unique market size is checked by the service (the form does not hold the
    product); its ValidationError comes back on the form and nothing is written."""
    before = (m.MarketSize.objects.count(), AuditEntry.objects.count())
    response = client_for(users["marketer"]).post(
        url("child_create", "products", kb.product.pk, "market_sizes"),
        {"segment": "Mid-market", "region": "East China", "year": "2025",
         "target_customers": "99"})
    assert response.status_code == 400
    assert "Market size with this Product, Segment, Region and Year already exists." in response.content.decode()
    assert (m.MarketSize.objects.count(), AuditEntry.objects.count()) == before


def test_duplicate_product_name_in_team_is_refused_on_edit(kb, users, client_for, team_a):
    services.products.create(by=users["marketer"], team=team_a, name="Taken")
    before = AuditEntry.objects.count()
    response = client_for(users["marketer"]).post(url("product_edit", kb.product.pk),
                                                  {"name": "Taken"})
    assert response.status_code == 400
    assert "Product with this Team and Name already exists." in response.content.decode()
    assert AuditEntry.objects.count() == before
    kb.product.refresh_from_db()
    assert kb.product.name == "LeadFlow"


# --- HTMX partials ------------------------------------------------------------------------

def test_positioning_check_partial(kb, users, client_for):
    client = client_for(users["marketer"])
    good = client.post(url("positioning_check", kb.product.pk),
                       {"statement": "帮助B2B市场人提高获客转化效率"}, **HX)
    assert good.status_code == 200
    body = good.content.decode()
    assert "<html" not in body
    assert body.count("✓") == 3 and "✗" not in body
    assert "Uses brand-voice words: 效率." in body
    long_text = ("LeadFlow includes a dashboard module, supports API integrations, has built-in "
                 "Smart scoring features and integrates modules. ") * 20
    bad = client.post(url("positioning_check", kb.product.pk), {"statement": long_text}, **HX)
    text = bad.content.decode()
    assert text.count("✗") == 3 and "✓" not in text
    assert "cut it to one minute" in text
    assert "Talks about features" in text


def test_positioning_form_checks_live_and_shows_current_checks(kb, users, client_for):
    body = client_for(users["marketer"]).get(
        url("child_edit", "products", kb.product.pk, "statements", kb.statement.pk)).content.decode()
    check_url = url("positioning_check", kb.product.pk)
    assert f'hx-post="{check_url}"' in body
    assert 'hx-trigger="input changed delay:300ms, change"' in body
    assert 'id="positioning-checks"' in body
    assert body.count("✓") == 3


def test_positioning_check_is_gated(kb, users, client_for):
    response = client_for(users["team_leader"]).post(
        url("positioning_check", kb.product_b.pk), {"statement": "x"}, **HX)
    assert response.status_code == 404


@pytest.mark.parametrize("tab", list(PRODUCT_TAB_TEXT))
def test_htmx_product_tab_returns_partial(kb, users, client_for, tab):
    response = client_for(users["sales"]).get(url("product_tab", kb.product.pk, tab), **HX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and "<nav class=\"navbar" not in body
    assert body.lstrip().startswith('<div id="product-tabs">')
    assert "HX-Request" in response["Vary"]
    for text in PRODUCT_TAB_TEXT[tab]:
        assert text in body, text


@pytest.mark.parametrize("tab", list(COMPETITOR_TAB_TEXT))
def test_htmx_competitor_tab_returns_partial(kb, users, client_for, tab):
    response = client_for(users["sales"]).get(url("competitor_tab", kb.competitor.pk, tab), **HX)
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="competitor-tabs">')
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_full_page_also_varies_on_hx_request(kb, users, client_for):
    response = client_for(users["sales"]).get(url("product_tab", kb.product.pk, "personas"))
    assert "HX-Request" in response["Vary"]
    assert 'hx-push-url="true"' in response.content.decode()


def test_history_restore_request_gets_the_full_page(kb, users, client_for):
    response = client_for(users["sales"]).get(
        url("product_tab", kb.product.pk, "vision"), HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HX)
    assert "<html" in response.content.decode()


def test_research_filter_returns_results_partial(kb, users, client_for):
    response = client_for(users["sales"]).get(url("research_list"), {"kind": "secondary"}, **HX)
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "China SaaS report" in body and "Ten CMO interviews" not in body


def test_product_history_lists_child_changes(kb, users, client_for):
    ct = ContentType.objects.get_for_model(m.Product)
    response = client_for(users["sales"]).get(
        reverse("core:history", args=[ct.pk, kb.product.pk]), **HX)
    body = response.content.decode()
    assert "CMO Chen" in body  # a persona
    assert "Volume rebate" in body  # a discount policy, two levels down


@pytest.mark.parametrize("seats, expected", [
    ("5", "Recommended tier: Starter"),
    ("20", "Recommended tier: Growth"),
    ("80", "No tier covers 80 seats; talk to the product manager."),
    ("0", "Ensure this value is greater than or equal to 1."),
])
def test_recommend_tier(kb, users, client_for, seats, expected):
    client = client_for(users["sales"])
    response = client.get(url("pricing_recommend", kb.product.pk), {"seats": seats}, **HX)
    body = response.content.decode()
    assert "<html" not in body
    assert expected in body
    page = client.get(url("pricing_recommend", kb.product.pk), {"seats": seats})
    assert "<html" in page.content.decode() and expected in page.content.decode()


def test_discount_calculator(kb, users, client_for):
    response = client_for(users["sales"]).get(
        url("pricing_discount", kb.product.pk),
        {"policy": kb.discount.pk, "amount": "150000"}, **HX)
    body = response.content.decode()
    # progressive: 100000 × 3 % + 50000 × 5 % = 5500
    assert ("Volume rebate: the customer pays 150000.00 CNY and gets 5500.00 CNY back — "
            "effectively 144500.00 CNY.") in body
    assert "<html" not in body


# --- search, home and links ----------------------------------------------------------------

def test_search_finds_strategy_records_with_links(kb, users, client_for):
    client = client_for(users["sales"])
    body = client.get(reverse("core:search"), {"q": "CMO"}).content.decode()
    assert f'href="{url("product_tab", kb.product.pk, "personas")}#persona-{kb.buyer.pk}"' in body
    assert f'href="{url("research_detail", kb.note.pk)}"' in body
    body = client.get(reverse("core:search"), {"q": "B2B"}).content.decode()
    assert f'href="{url("product_detail", kb.product.pk)}"' in body
    assert f'href="{url("product_tab", kb.product.pk, "positioning")}#statement-{kb.statement.pk}"' in body
    assert "Team B report" not in client.get(reverse("core:search"), {"q": "report"}).content.decode()


def test_home_summary_counts_through_the_gate(kb, users):
    from django.apps import apps

    rows = apps.get_app_config("strategy").home_summary(users["sales"])
    assert [(str(r["label"]), r["value"], r["url"]) for r in rows] == [
        ("Products", 1, url("product_list")),
        ("Competitors", 1, url("competitor_list")),
        ("Personas", 2, url("product_list")),
        ("Research notes", 2, url("research_list")),
    ]
    director = apps.get_app_config("strategy").home_summary(users["director"])
    assert [r["value"] for r in director] == [2, 2, 2, 3]


def test_every_record_has_a_page(kb):
    assert kb.variant.get_absolute_url() == url("product_tab", kb.product.pk, "positioning") + f"#variant-{kb.variant.pk}"
    assert kb.starter.get_absolute_url() == url("product_tab", kb.product.pk, "pricing") + f"#tier-{kb.starter.pk}"
    assert kb.rival_swot.get_absolute_url() == url("competitor_tab", kb.competitor.pk, "swot") + f"#swot-{kb.rival_swot.pk}"
    assert kb.offering.get_absolute_url() == url("competitor_tab", kb.competitor.pk, "offerings") + f"#offering-{kb.offering.pk}"
    assert kb.size.get_absolute_url() == url("product_tab", kb.product.pk, "market") + f"#market-size-{kb.size.pk}"


# --- query counts --------------------------------------------------------------------------

def _many(users, team_a, n):
    by = users["marketer"]
    for i in range(n):
        product = services.products.create(by=by, team=team_a, name=f"P{i}")
        services.personas.create(by=by, product=product, kind="user", name=f"U{i}", age_min=20,
                                 age_max=30, location="Shanghai", education="bachelor",
                                 title="Ops", income_level="middle")
        competitor = services.competitors.create(by=by, m2m={"products": [product]}, team_id=team_a.pk,
                                                 name=f"C{i}", product_overlap="similar")
        services.competitor_moves.create(by=by, competitor=competitor, happened_on=dt.date(2025, 1, 1),
                                         kind="other", title=f"M{i}")


def test_product_list_query_count(users, team_a, client_for, django_assert_max_num_queries):
    _many(users, team_a, 8)
    client = client_for(users["sales"])
    # session, user, team ids, time zone, products with their counts: 5 for any number
    with django_assert_max_num_queries(5):
        response = client.get(url("product_list"))
    assert len(response.context["products"]) == 8


def test_competitor_list_query_count(users, team_a, client_for, django_assert_max_num_queries):
    _many(users, team_a, 8)
    client = client_for(users["sales"])
    # ... competitors with move counts, and their products in one prefetch: 6
    with django_assert_max_num_queries(6):
        response = client.get(url("competitor_list"))
    assert sum(len(cs) for *_rest, cs in response.context["tiers"]) == 8
    assert "P3" in response.content.decode()


def test_research_list_query_count(users, team_a, client_for, django_assert_max_num_queries):
    by = users["marketer"]
    for i in range(8):
        product = services.products.create(by=by, team=team_a, name=f"P{i}")
        services.research_notes.create(by=by, team=team_a, product=product, kind="secondary",
                                       method="report", title=f"R{i}", source="S",
                                       collected_on=dt.date(2025, 1, i + 1))
    client = client_for(users["sales"])
    # ... the filter's product choices, the page count and the notes with team and product
    with django_assert_max_num_queries(7):
        response = client.get(url("research_list"))
    assert len(response.context["page"].object_list) == 8


# --- form pages: keyboard and accessibility -------------------------------------------------

def test_form_page_focuses_first_field_and_offers_a_way_back(kb, users, client_for):
    response = client_for(users["marketer"]).get(
        url("child_create", "products", kb.product.pk, "personas"), {"kind": "user"})
    body = response.content.decode()
    assert response.status_code == 200
    assert '<select name="kind" class="form-select" autofocus' in body
    assert '<option value="user" selected>' in body
    back = url("product_tab", kb.product.pk, "personas")
    assert f'<a class="btn btn-outline-secondary" href="{back}">Cancel</a>' in body
    assert f'data-cancel-url="{back}"' in body and "event.key === 'Escape'" in body
    assert '<label class="form-label" for="id_age_min">' in body
    assert "novalidate" in body


def test_invalid_field_is_marked_for_assistive_technology(kb, users, client_for):
    body = client_for(users["marketer"]).post(
        url("child_create", "products", kb.product.pk, "personas"),
        {**PERSONA, "age_min": "50", "age_max": "30"}).content.decode()
    assert 'aria-invalid="true"' in body
    assert 'aria-describedby="id_age_max_error"' in body
    assert 'id="id_age_max_error"' in body


def test_competitor_edit_recomputes_the_tier(kb, users, client_for):
    response = client_for(users["marketer"]).post(url("competitor_edit", kb.competitor.pk), {
        "name": "RivalSoft", "product_overlap": "similar", "products": [kb.product.pk]})
    assert response.status_code == 302
    kb.competitor.refresh_from_db()
    assert kb.competitor.tier == "secondary"
    assert audit_rows(kb.competitor, "update").get().changes["after"] == {
        "product_overlap": "similar", "same_audience": False, "tier": "secondary",
        "summary": "", "strengths": "", "weaknesses": "", "web_signals": ""}
