"""The REST API of the strategy knowledge base (/api/v1/strategy): pagination, filters,
CRUD with audit rows, the error format, authentication, the OpenAPI schema and the two
hand-written operations (positioning check, tier recommendation)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.test import Client

from marketdesk.core.models import AuditEntry
from marketdesk.strategy import models as m
from marketdesk.strategy import services
from tests.core import factories as f

API = "/api/v1/strategy"
INVALID = "The request is not valid."


@pytest.fixture
def marketer(users):
    return users["marketer"]


@pytest.fixture
def api(marketer, api_client_for):
    return api_client_for(marketer)


@pytest.fixture
def product(team_a):
    return f.product(team_a, name="Atlas")


def post(client, path, data, **kw):
    return client.post(f"{API}/{path}", data, content_type="application/json", **kw)


def patch(client, path, data, **kw):
    return client.patch(f"{API}/{path}", data, content_type="application/json", **kw)


def counts():
    tally = {model.__name__: model.objects.count()
             for model in apps.get_app_config("strategy").get_models()}
    tally["AuditEntry"] = AuditEntry.objects.count()
    return tally


# --- pagination --------------------------------------------------------------------------

def _seven_products(team):
    return [f.product(team, name=f"P{i}") for i in range(7)]


def _seven_personas(team):
    product = f.product(team, name="Atlas")
    return [f.persona(product, name=f"P{i}") for i in range(7)]


def _seven_notes(team):
    # Listed newest first: collected on 7 … 1 March.
    return [f.research_note(team, title=f"P{i}", collected_on=dt.date(2026, 3, 7 - i))
            for i in range(7)]


@pytest.mark.parametrize(("path", "make"), [
    ("products", _seven_products),
    ("personas", _seven_personas),
    ("research-notes", _seven_notes),
])
def test_list_pagination(path, make, team_a, team_b, api):
    records = make(team_a)
    make(team_b)  # another team's records are not counted
    expected_ids = [r.pk for r in records]
    pages = []
    for page in (1, 2, 3, 4):
        body = api.get(f"{API}/{path}?page={page}&page_size=3").json()
        assert (body["count"], body["page"], body["page_size"]) == (7, page, 3)
        pages.append([item["id"] for item in body["items"]])
    assert pages == [expected_ids[0:3], expected_ids[3:6], expected_ids[6:7], []]
    assert [i["name" if path != "research-notes" else "title"]
            for i in api.get(f"{API}/{path}?page=3&page_size=3").json()["items"]] == ["P6"]


def test_list_defaults_to_50_per_page(team_a, api):
    _seven_products(team_a)
    body = api.get(f"{API}/products").json()
    assert (body["count"], body["page"], body["page_size"], len(body["items"])) == (7, 1, 50, 7)


@pytest.mark.parametrize(("query", "field", "message"), [
    ("page_size=0", "page_size", "Input should be greater than or equal to 1"),
    ("page_size=201", "page_size", "Input should be less than or equal to 200"),
    ("page_size=many", "page_size", "Input should be a valid integer, unable to parse string as an integer"),
    ("page=0", "page", "Input should be greater than or equal to 1"),
])
def test_bad_paging_is_422_naming_the_parameter(query, field, message, api):
    response = api.get(f"{API}/products?{query}")
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == INVALID
    assert [(e["field"], e["message"]) for e in body["errors"]] == [(field, message)]


def test_page_size_200_is_allowed(api):
    assert api.get(f"{API}/products?page_size=200").status_code == 200


# --- filters ---------------------------------------------------------------------------------

def test_filter_by_product_kind_and_text(team_a, api):
    atlas = f.product(team_a, name="Atlas")
    beacon = f.product(team_a, name="Beacon")
    paula = f.persona(atlas, name="Procurement Paula", kind="buyer", title="Buyer")
    uma = f.persona(atlas, name="User Uma", kind="user", title="Store clerk")
    bob = f.persona(beacon, name="Buyer Bob", kind="buyer", title="CFO")

    def ids(query):
        response = api.get(f"{API}/personas?{query}")
        assert response.status_code == 200, response.content
        return [i["id"] for i in response.json()["items"]]

    assert ids(f"product={atlas.pk}") == [paula.pk, uma.pk]
    assert ids("kind=buyer") == [paula.pk, bob.pk]
    assert ids(f"product={atlas.pk}&kind=user") == [uma.pk]
    assert ids("q=clerk") == [uma.pk]        # title
    assert ids("q=BUYER") == [paula.pk, bob.pk]  # name or title, any case
    assert ids("q=nobody") == []
    assert ids("product=999999") == []


def test_filter_value_of_the_wrong_type_is_422(api):
    response = api.get(f"{API}/personas?product=abc")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["product"]


def test_filtering_by_another_teams_product_shows_nothing(team_b, api):
    theirs = f.product(team_b, name="Theirs")
    f.persona(theirs)
    assert api.get(f"{API}/personas?product={theirs.pk}").json()["count"] == 0


def test_research_notes_filter_by_kind_and_search_the_body(team_a, api):
    interview = f.research_note(team_a, title="Interviews", body="Managers fear stock-outs.")
    report = f.research_note(team_a, title="Report", kind="secondary", method="report",
                             source="Retail Association")
    assert [i["id"] for i in api.get(f"{API}/research-notes?kind=secondary").json()["items"]] \
        == [report.pk]
    assert [i["id"] for i in api.get(f"{API}/research-notes?q=stock-outs").json()["items"]] \
        == [interview.pk]
    assert [i["id"] for i in api.get(f"{API}/research-notes?q=association").json()["items"]] \
        == [report.pk]


# --- CRUD ------------------------------------------------------------------------------------

def _audit(action, model, pk):
    return AuditEntry.objects.filter(action=action, content_type__model=model._meta.model_name,
                                     object_id=str(pk))


def test_persona_crud(product, marketer, users, api, api_client_for):
    payload = {"product": product.pk, "kind": "user", "name": "Clerk Chen", "age_min": 22,
               "age_max": 35, "gender": "female", "location": "Chengdu",
               "education": "college", "title": "Store clerk", "income_level": "low",
               "goals": "Fewer empty shelves", "challenges": "", "personality_traits": "Calm"}
    response = post(api, "personas", payload)
    assert response.status_code == 201
    body = response.json()
    pk = body["id"]
    assert {k: body[k] for k in payload} == payload
    assert set(body) == {"id", *payload, "created_at", "updated_at"}
    [created] = _audit("create", m.Persona, pk)
    assert created.actor == marketer
    assert created.changes["after"]["name"] == "Clerk Chen"

    got = api.get(f"{API}/personas/{pk}")
    assert got.status_code == 200
    assert got.json() == body

    changed = patch(api, f"personas/{pk}", {"title": "Shift lead", "age_max": 40})
    assert changed.status_code == 200
    assert (changed.json()["title"], changed.json()["age_max"], changed.json()["name"]) == (
        "Shift lead", 40, "Clerk Chen")
    [updated] = _audit("update", m.Persona, pk)
    assert updated.changes == {"before": {"age_max": 35, "title": "Store clerk"},
                               "after": {"age_max": 40, "title": "Shift lead"}}

    # A patch that changes nothing is a 200 and writes no entry.
    assert patch(api, f"personas/{pk}", {"title": "Shift lead"}).status_code == 200
    assert _audit("update", m.Persona, pk).count() == 1

    leader = api_client_for(users["team_leader"])
    deleted = leader.delete(f"{API}/personas/{pk}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert not m.Persona.objects.filter(pk=pk).exists()
    [gone] = _audit("delete", m.Persona, pk)
    assert gone.actor == users["team_leader"]
    assert api.get(f"{API}/personas/{pk}").status_code == 404


def test_competitor_crud_derives_the_tier(team_a, product, api, users, api_client_for):
    response = post(api, "competitors", {"team": team_a.pk, "name": "Rival",
                                         "product_overlap": "similar", "same_audience": False,
                                         "products": [product.pk]})
    assert response.status_code == 201
    body = response.json()
    assert (body["tier"], body["products"]) == ("secondary", [product.pk])
    changed = patch(api, f"competitors/{body['id']}", {"same_audience": True})
    assert changed.json()["tier"] == "primary"
    # The tier is read-only: it is not an input.
    ignored = patch(api, f"competitors/{body['id']}", {"tier": "tertiary"})
    assert ignored.status_code == 200
    assert ignored.json()["tier"] == "primary"
    delete = api_client_for(users["director"]).delete(f"{API}/competitors/{body['id']}")
    assert delete.status_code == 204
    assert _audit("delete", m.Competitor, body["id"]).count() == 1


def test_product_create_through_the_api_seeds_its_records(team_a, api):
    response = post(api, "products", {"team": team_a.pk, "name": "Atlas",
                                      "brand_voice_words": ["calm", "安心"]})
    assert response.status_code == 201
    pk = response.json()["id"]
    questions = api.get(f"{API}/review-questions?product={pk}").json()
    assert questions["count"] == 4
    assert [q["position"] for q in questions["items"]] == [0, 1, 2, 3]
    assert api.get(f"{API}/visions?product={pk}").json()["count"] == 1
    assert AuditEntry.objects.filter(root_id=str(pk), root_type__model="product").count() == 6


def test_price_tier_crud_with_decimals(product, api):
    strategy = f.pricing(product)
    response = post(api, "price-tiers", {"strategy": strategy.pk, "name": "Team",
                                         "price": "4999.50", "min_seats": 5, "max_seats": 50,
                                         "fits": "chains", "position": 1})
    assert response.status_code == 201
    assert response.json()["price"] == "4999.50"
    tier = m.PriceTier.objects.get()
    assert tier.price == Decimal("4999.50")
    assert _audit("create", m.PriceTier, tier.pk).get().changes["after"]["price"] == "4999.50"


# --- validation errors: 422 naming the field, nothing written ----------------------------------

PERSONA = {"kind": "buyer", "name": "Paula", "age_min": 30, "age_max": 45,
           "location": "Shanghai", "education": "bachelor", "title": "CFO",
           "income_level": "high"}


def _persona(product_id, **changes):
    data = {"product": product_id, **PERSONA, **changes}
    return {k: v for k, v in data.items() if v is not ...}


@pytest.mark.parametrize(("case", "field", "code", "message"), [
    ("missing", "name", "missing", "Field required"),
    ("wrong type", "age_min", "int_parsing",
     "Input should be a valid integer, unable to parse string as an integer"),
    ("too long", "name", "string_too_long", "String should have at most 120 characters"),
    ("html", "name", "markup", "HTML tags are not allowed here; write plain text."),
    ("null", "name", "string_type", "Input should be a valid string"),
    ("ages", "age_max", "invalid", "The upper age must not be below the lower age."),
    ("bad choice", "kind", "invalid_choice", "Value 'robot' is not a valid choice."),
    ("other team's product", "product", "scope", "No product with this id in your teams."),
    ("no product", "product", "scope", "No product with this id in your teams."),
])
def test_persona_create_errors(case, field, code, message, product, team_b, api):
    theirs = f.product(team_b, name="Theirs")
    payload = {
        "missing": _persona(product.pk, name=...),
        "wrong type": _persona(product.pk, age_min="thirty"),
        "too long": _persona(product.pk, name="x" * 121),
        "html": _persona(product.pk, name="<b>Paula</b>"),
        "null": _persona(product.pk, name=None),
        "ages": _persona(product.pk, age_min=50, age_max=40),
        "bad choice": _persona(product.pk, kind="robot"),
        "other team's product": _persona(theirs.pk),
        "no product": _persona(999_999),
    }[case]
    before = counts()
    response = post(api, "personas", payload)
    assert response.status_code == 422, response.content
    assert response.json() == {"detail": INVALID,
                               "errors": [{"field": field, "message": message, "code": code}]}
    assert counts() == before


@pytest.mark.parametrize(("payload", "field", "message"), [
    ({"name": "Atlas"}, "team", "Field required"),
    ({"team": "growth", "name": "Atlas"}, "team",
     "Input should be a valid integer, unable to parse string as an integer"),
    ({"team": "TEAM_B", "name": "Atlas"}, "team", "Not one of your teams."),
    ({"team": "TEAM_A", "name": "x" * 121}, "name", "String should have at most 120 characters"),
    ({"team": "TEAM_A", "name": ""}, "name", "This field cannot be blank."),
    ({"team": "TEAM_A", "name": "Atlas", "tagline": "<script>x</script>"}, "tagline",
     "HTML tags are not allowed here; write plain text."),
    ({"team": "TEAM_A", "name": "Atlas", "brand_voice_words": "calm"}, "brand_voice_words",
     "Give a list of words."),
    ({"team": "TEAM_A", "name": "Atlas", "brand_voice_words": ["calm", 7]}, "brand_voice_words",
     "Item 2 must be a non-empty text."),
    ({"team": None, "name": "Atlas"}, "team", "Input should be a valid integer"),
])
def test_product_create_errors(payload, field, message, team_a, team_b, api):
    ids = {"TEAM_A": team_a.pk, "TEAM_B": team_b.pk}
    payload = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in payload.items()}
    before = counts()
    response = post(api, "products", payload)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"] == INVALID
    assert [(e["field"], e["message"]) for e in body["errors"]] == [(field, message)]
    assert counts() == before


def test_several_errors_are_reported_together(product, api):
    before = counts()
    response = post(api, "personas", _persona(product.pk, name="x" * 121, age_min="old",
                                              title=...))
    assert response.status_code == 422
    assert sorted(e["field"] for e in response.json()["errors"]) == ["age_min", "name", "title"]
    assert counts() == before


@pytest.mark.parametrize(("payload", "field", "code", "message"), [
    ({"name": None}, "name", "null", "This field cannot be null."),
    ({"age_min": 60}, "age_max", "invalid", "The upper age must not be below the lower age."),
    ({"title": "<i>CFO</i>"}, "title", "markup", "HTML tags are not allowed here; write plain text."),
    ({"age_max": "old"}, "age_max", "int_parsing",
     "Input should be a valid integer, unable to parse string as an integer"),
    ({"product": "OTHER"}, "product", "scope", "No product with this id in your teams."),
    ({"product": None}, "product", "null", "This field cannot be null."),
])
def test_persona_patch_errors_change_nothing(payload, field, code, message, product, team_b, api):
    theirs = f.product(team_b, name="Theirs")
    persona = f.persona(product, name="Paula", title="CFO")
    payload = {k: theirs.pk if v == "OTHER" else v for k, v in payload.items()}
    before = counts()
    response = patch(api, f"personas/{persona.pk}", payload)
    assert response.status_code == 422, response.content
    assert response.json()["errors"] == [{"field": field, "message": message, "code": code}]
    assert counts() == before
    persona.refresh_from_db()
    assert (persona.name, persona.title, persona.age_min, persona.product_id) == (
        "Paula", "CFO", 30, product.pk)


def test_moving_a_research_note_to_a_team_one_is_not_in_is_refused(team_a, team_b, api):
    note = f.research_note(team_a)
    before = counts()
    response = patch(api, f"research-notes/{note.pk}", {"team": team_b.pk})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "team", "message": "Not one of your teams.", "code": "scope"}]
    assert counts() == before


def test_linking_another_teams_records_is_refused(team_a, team_b, product, api):
    theirs = f.product(team_b, name="Theirs")
    before = counts()
    response = post(api, "competitors", {"team": team_a.pk, "name": "Rival",
                                         "product_overlap": "same", "products": [product.pk, theirs.pk]})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["products"]
    assert counts() == before


def test_malformed_json_is_a_422_in_the_documented_shape(api):
    before = counts()
    response = api.post(f"{API}/products", "{not json", content_type="application/json")
    assert response.status_code == 422
    assert response.json() == {"detail": INVALID, "errors": [
        {"field": "", "message": "The request body is not valid JSON.", "code": "parse"}]}
    assert counts() == before


# --- conflicts -------------------------------------------------------------------------------

def test_duplicate_product_name_in_a_team_is_409(team_a, product, api):
    before = counts()
    response = post(api, "products", {"team": team_a.pk, "name": "Atlas"})
    assert response.status_code == 409
    assert response.json() == {
        "detail": "A record with these values already exists.",
        "errors": [{"field": "", "message": "Product with this Team and Name already exists.",
                    "code": "unique_together"}],
    }
    assert counts() == before


def test_renaming_onto_an_existing_name_is_409(team_a, product, api):
    other = f.product(team_a, name="Beacon")
    response = patch(api, f"products/{other.pk}", {"name": "Atlas"})
    assert response.status_code == 409
    other.refresh_from_db()
    assert other.name == "Beacon"


def test_the_same_name_in_two_teams_is_fine(team_b, product, users, api_client_for):
    response = post(api_client_for(users["director"]), "products",
                    {"team": team_b.pk, "name": "Atlas"})
    assert response.status_code == 201


# --- authentication ---------------------------------------------------------------------------

def test_no_credentials_is_401(product):
    client = Client()
    assert client.get(f"{API}/products").status_code == 401
    assert client.get(f"{API}/products/{product.pk}").status_code == 401
    response = post(client, "products", {"team": product.team_id, "name": "X"})
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Authentication required: send a bearer token or sign in.", "errors": []}


def test_session_auth_reads_freely_but_writes_need_the_csrf_token(team_a, marketer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(marketer)
    assert client.get(f"{API}/products").status_code == 200
    before = counts()
    refused = post(client, "products", {"team": team_a.pk, "name": "Atlas"})
    assert refused.status_code == 403
    assert refused.json() == {"detail": "CSRF check failed: a signed-in browser must send the "
                                        "CSRF token in the X-CSRFToken header.", "errors": []}
    assert counts() == before
    client.get("/accounts/profile/")  # a page with a form sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = post(client, "products", {"team": team_a.pk, "name": "Atlas"},
                    headers={"X-CSRFToken": token})
    assert accepted.status_code == 201
    assert AuditEntry.objects.get(content_type__model="product").actor == marketer


def test_a_bearer_token_needs_no_csrf_token(team_a, marketer):
    from marketdesk.accounts.services import token_issue

    secret = token_issue(marketer, name="script").secret
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {secret}"})
    assert post(client, "products", {"team": team_a.pk, "name": "Atlas"}).status_code == 201


# --- OpenAPI ----------------------------------------------------------------------------------

def _operations():
    from django.test import Client as C

    schema = C().get("/api/v1/openapi.json").json()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_openapi_documents_every_status_code(db):
    operations = list(_operations())
    strategy = [op for op in operations if op[0].startswith(f"{API}/")]
    assert len(strategy) == 16 * 5 + 2
    # The rules hold for every operation of the whole API, not only the strategy router.
    for path, method, operation in operations:
        codes = set(operation["responses"])
        where = f"{method.upper()} {path}"
        assert {"401", "403"} <= codes, where
        is_item = "{" in path
        is_write = method in ("post", "patch", "delete")
        if is_item or is_write:
            assert {"404", "422"} <= codes, where
        if method == "get" and not is_item:
            assert "422" in codes, where  # bad paging or filter
        if operation["operationId"].startswith("create_"):
            assert "201" in codes and "409" in codes, where
        if method == "patch":
            assert "200" in codes and "409" in codes, where
        if method == "delete":
            assert "204" in codes and "409" in codes, where
        for code in codes - {"200", "201", "202", "204"}:
            ref = operation["responses"][code]["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/ErrorOut", where


def test_openapi_lists_the_resources(db):
    paths = {path for path, _, _ in _operations()}
    for resource in ("products", "features", "visions", "research-notes", "market-sizes",
                     "competitors", "competitor-products", "competitor-moves", "swot-entries",
                     "personas", "positioning-statements", "positioning-variants",
                     "pricing-strategies", "price-tiers", "discount-policies", "review-questions"):
        assert f"{API}/{resource}" in paths
        assert f"{API}/{resource}/{{item_id}}" in paths
    assert f"{API}/positioning-check" in paths
    assert f"{API}/pricing-strategies/{{strategy_id}}/recommend" in paths


def test_docs_page(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content


# --- positioning check (S6) ----------------------------------------------------------------------

def test_positioning_check(team_a, api):
    product = f.product(team_a, name="Atlas", brand_voice_words=["Effortless", "calm"])
    services.features.create(by=None, product_id=product.pk, name="Smart Reorder")
    response = post(api, "positioning-check", {
        "product": product.pk,
        "text": "Effortless restocking: Atlas helps retailers reduce stock-outs.",
    })
    assert response.status_code == 200
    assert response.json() == [
        {"rule": "short", "ok": True, "message": "About 3 seconds to say — fits in one minute."},
        {"rule": "benefit", "ok": True, "message": "Leads with benefits (reduce, helps)."},
        {"rule": "voice", "ok": True, "message": "Uses brand-voice words: Effortless."},
    ]
    response = post(api, "positioning-check", {
        "product": product.pk, "text": "Atlas has Smart Reorder and a dashboard."})
    assert response.json() == [
        {"rule": "short", "ok": True, "message": "About 3 seconds to say — fits in one minute."},
        {"rule": "benefit", "ok": False,
         "message": "Talks about features (has, dashboard, Smart Reorder) more than what the customer gains."},
        {"rule": "voice", "ok": False, "message": "Use at least one brand-voice word: Effortless, calm."},
    ]


def test_positioning_check_writes_nothing_and_is_gated(team_b, product, api):
    theirs = f.product(team_b, name="Theirs")
    before = counts()
    assert post(api, "positioning-check", {"product": product.pk, "text": "Hi"}).status_code == 200
    assert post(api, "positioning-check", {"product": theirs.pk, "text": "Hi"}).status_code == 404
    too_long = post(api, "positioning-check", {"product": product.pk, "text": "x" * 2001})
    assert too_long.status_code == 422
    assert [e["field"] for e in too_long.json()["errors"]] == ["text"]
    assert counts() == before


# --- tier recommendation (S7) ---------------------------------------------------------------------

@pytest.fixture
def strategy(product):
    strategy = f.pricing(product)
    f.tier(strategy, name="Starter", price="1000", min_seats=1, max_seats=10, fits="shops")
    f.tier(strategy, name="Team", price="5000", min_seats=11, max_seats=50, fits="chains",
           position=1)
    f.tier(strategy, name="Business", price="4000", min_seats=40, max_seats=200,
           fits="regional groups", position=2)
    return strategy


@pytest.mark.parametrize(("seats", "name", "fits"), [
    (1, "Starter", "shops"), (10, "Starter", "shops"), (11, "Team", "chains"),
    (40, "Business", "regional groups"), (200, "Business", "regional groups"),
])
def test_tier_recommendation(seats, name, fits, strategy, api):
    response = api.get(f"{API}/pricing-strategies/{strategy.pk}/recommend?seats={seats}")
    assert response.status_code == 200
    assert response.json() == {
        "tier_id": m.PriceTier.objects.get(name=name).pk, "tier_name": name,
        "reason": f"{name} covers {seats} seats and is right for: {fits}",
    }


def test_tier_recommendation_when_nothing_fits(strategy, api):
    response = api.get(f"{API}/pricing-strategies/{strategy.pk}/recommend?seats=201")
    assert response.json() == {"tier_id": None, "tier_name": "",
                               "reason": "No tier covers 201 seats; talk to the product manager."}


@pytest.mark.parametrize("query", ["", "?seats=0", "?seats=abc", "?seats=10000001"])
def test_tier_recommendation_needs_a_sane_seat_count(query, strategy, api):
    response = api.get(f"{API}/pricing-strategies/{strategy.pk}/recommend{query}")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["seats"]


def test_tier_recommendation_of_another_team_is_404(team_b, make_user, api_client_for,
                                                    strategy):
    outsider = api_client_for(make_user("sales", username="brand-sales", teams=[team_b]))
    response = outsider.get(f"{API}/pricing-strategies/{strategy.pk}/recommend?seats=5")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": []}
