"""The permission gate, role × team × action, for a team-owned record (Product,
ResearchNote) and records owned through one or more hops (Persona via product__team,
PositioningVariant via statement__product__team).

Rules (core/roles.py, core/models.py Gated.gate_rules): director and admin see every
team; the other roles only their own. view = every role; add/change = director, admin,
team leader, marketer; delete = director, admin, team leader. Another team's record is a
404 even when the role also lacks the right; a missing right on one's own team is a 403.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client

from marketdesk.core import permissions as gate
from marketdesk.core.models import AuditEntry
from marketdesk.strategy import models as m
from tests.conftest import ALL_ROLES
from tests.core import factories as f

OK = "ok"

# role: {action: (own team, other team)} through the gate functions. "add" on another
# team is refused by check_team with 403: there is no object yet to hide.
GATE = {
    "director": {"view": (OK, OK), "add": (OK, OK), "change": (OK, OK), "delete": (OK, OK)},
    "admin": {"view": (OK, OK), "add": (OK, OK), "change": (OK, OK), "delete": (OK, OK)},
    "team_leader": {"view": (OK, 404), "add": (OK, 403), "change": (OK, 404), "delete": (OK, 404)},
    "marketer": {"view": (OK, 404), "add": (OK, 403), "change": (OK, 404), "delete": (403, 404)},
    "reviewer": {"view": (OK, 404), "add": (403, 403), "change": (403, 404), "delete": (403, 404)},
    "sales": {"view": (OK, 404), "add": (403, 403), "change": (403, 404), "delete": (403, 404)},
}

# The same through the API: a create that references another team's parent is a 422
# naming the reference (the parent is invisible), unless the role may not add at all.
API = {
    "director": {"view": (200, 200), "add": (201, 201), "change": (200, 200), "delete": (204, 204)},
    "admin": {"view": (200, 200), "add": (201, 201), "change": (200, 200), "delete": (204, 204)},
    "team_leader": {"view": (200, 404), "add": (201, 422), "change": (200, 404), "delete": (204, 404)},
    "marketer": {"view": (200, 404), "add": (201, 422), "change": (200, 404), "delete": (403, 404)},
    "reviewer": {"view": (200, 404), "add": (403, 403), "change": (403, 404), "delete": (403, 404)},
    "sales": {"view": (200, 404), "add": (403, 403), "change": (403, 404), "delete": (403, 404)},
}

KINDS = ["product", "persona", "variant", "note"]
MODEL = {"product": m.Product, "persona": m.Persona, "variant": m.PositioningVariant,
         "note": m.ResearchNote}
PATH = {"product": "products", "persona": "personas", "variant": "positioning-variants",
        "note": "research-notes"}
REFERENCE = {"product": "team", "persona": "product", "variant": "statement", "note": "team"}
CHANGE = {"product": {"tagline": "Changed"}, "persona": {"title": "Changed"},
          "variant": {"region": "Changed"}, "note": {"title": "Changed"}}
CASES = [
    (role, kind, where, action)
    for role in ALL_ROLES for kind in KINDS for where in ("own", "other")
    for action in ("view", "add", "change", "delete")
]


def _records(team):
    product = f.product(team, name=f"Product of {team.slug}")
    statement = f.statement(product)
    return {
        "team": team,
        "product": product,
        "persona": f.persona(product),
        "statement": statement,
        "variant": f.variant(statement),
        "note": f.research_note(team, product=product),
    }


@pytest.fixture
def world(team_a, team_b):
    return {"own": _records(team_a), "other": _records(team_b)}


def _add_payload(kind, records):
    if kind == "product":
        return {"team": records["team"].pk, "name": "Brand new"}
    if kind == "persona":
        return {"product": records["product"].pk, "kind": "user", "name": "Clerk Chen",
                "age_min": 22, "age_max": 35, "gender": "any", "location": "Chengdu",
                "education": "college", "title": "Store clerk", "income_level": "low"}
    if kind == "variant":
        return {"statement": records["statement"].pk, "channel": "Email",
                "text": "Cut stock-outs this quarter."}
    return {"team": records["team"].pk, "kind": "secondary", "method": "report",
            "title": "Retail report 2026", "source": "Industry association",
            "collected_on": "2026-01-05"}


def _outcome(call):
    try:
        call()
    except Http404:
        return 404
    except PermissionDenied:
        return 403
    return OK


@pytest.mark.parametrize(("role", "kind", "where", "action"), CASES)
def test_gate_functions(role, kind, where, action, make_user, world):
    user = make_user(role, username=f"u-{role}")
    records = world[where]
    obj = records[kind]
    model = MODEL[kind]
    expected = GATE[role][action][0 if where == "own" else 1]

    if action == "add":
        assert _outcome(lambda: gate.check_team(user, "add", model, records["team"].pk)) == expected
        assert gate.can(user, "add", model) is (GATE[role]["add"][0] == OK)
        return

    got = _outcome(lambda: gate.get_object(model.objects.all(), user, action, pk=obj.pk))
    assert got == expected
    # The same answer for an object already in hand.
    assert _outcome(lambda: gate.check(user, action, obj)) == expected
    # Lists: scope decides visibility, whatever the action.
    visible = set(gate.scope(model.objects.all(), user).values_list("pk", flat=True))
    assert (obj.pk in visible) is (GATE[role]["view"][0 if where == "own" else 1] == OK)


@pytest.mark.parametrize(("role", "kind", "where", "action"), CASES)
def test_api(role, kind, where, action, make_user, world, api_client_for):
    user = make_user(role, username=f"u-{role}")
    client = api_client_for(user)
    records = world[where]
    obj = records[kind]
    model = MODEL[kind]
    url = f"/api/v1/strategy/{PATH[kind]}"
    expected = API[role][action][0 if where == "own" else 1]
    rows_before = model.objects.count()
    audit_before = AuditEntry.objects.count()

    if action == "view":
        response = client.get(f"{url}/{obj.pk}")
    elif action == "add":
        response = client.post(url, _add_payload(kind, records), content_type="application/json")
    elif action == "change":
        response = client.patch(f"{url}/{obj.pk}", CHANGE[kind], content_type="application/json")
    else:
        response = client.delete(f"{url}/{obj.pk}")

    assert response.status_code == expected, response.content
    if expected == 200 and action == "view":
        assert response.json()["id"] == obj.pk
    elif expected == 201:
        assert model.objects.count() == rows_before + 1
        assert model.objects.filter(pk=response.json()["id"]).exists()
    elif expected == 200:
        field, value = next(iter(CHANGE[kind].items()))
        obj.refresh_from_db()
        assert getattr(obj, field) == value
        assert AuditEntry.objects.count() == audit_before + 1
    elif expected == 204:
        assert not model.objects.filter(pk=obj.pk).exists()
    else:
        body = response.json()
        assert model.objects.count() == rows_before
        assert AuditEntry.objects.count() == audit_before
        if expected == 422:
            assert [e["field"] for e in body["errors"]] == [REFERENCE[kind]]
        elif expected == 403:
            assert body == {"detail": "Your role does not allow this action.", "errors": []}
        else:
            assert body == {"detail": "Not found.", "errors": []}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_api_list_shows_only_the_teams_in_scope(role, make_user, world, api_client_for):
    user = make_user(role, username=f"u-{role}")
    client = api_client_for(user)
    company_wide = role in ("director", "admin")
    for kind in KINDS:
        items = client.get(f"/api/v1/strategy/{PATH[kind]}").json()["items"]
        expected = {world["own"][kind].pk, world["other"][kind].pk} if company_wide \
            else {world["own"][kind].pk}
        assert {item["id"] for item in items} == expected, kind


@pytest.mark.parametrize("action", ["view", "add", "change", "delete"])
def test_inactive_user_has_no_access_through_the_gate(action, make_user, world):
    user = make_user("director", username="gone")
    user.is_active = False
    user.save()
    product = world["own"]["product"]
    assert gate.can(user, action, m.Product) is False
    assert gate.is_company_wide(user) is False
    assert list(gate.scope(m.Product.objects.all(), user)) == []
    if action == "add":
        with pytest.raises(PermissionDenied):
            gate.check_team(user, "add", m.Product, product.team_id)
    else:
        with pytest.raises(Http404):
            gate.get_object(m.Product.objects.all(), user, action, pk=product.pk)
        with pytest.raises(Http404):
            gate.check(user, action, product)


def test_anonymous_has_no_access_through_the_gate(world):
    anonymous = AnonymousUser()
    product = world["own"]["product"]
    assert gate.team_ids(anonymous) == set()
    assert gate.can(anonymous, "view", m.Product) is False
    assert gate.in_scope(anonymous, product.team_id) is False
    assert list(gate.scope(m.Product.objects.all(), anonymous)) == []
    with pytest.raises(PermissionDenied):
        gate.restrict(m.Product.objects.all(), anonymous)
    with pytest.raises(Http404):
        gate.get_object(m.Product.objects.all(), anonymous, "view", pk=product.pk)


def test_inactive_users_token_is_refused_with_401(make_user, world, api_client_for):
    user = make_user("director", username="gone")
    client = api_client_for(user)
    url = f"/api/v1/strategy/products/{world['own']['product'].pk}"
    assert client.get(url).status_code == 200
    user.is_active = False
    user.save()
    response = client.get(url)
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Authentication required: send a bearer token or sign in.", "errors": []}


@pytest.mark.parametrize("kind", KINDS)
def test_anonymous_api_calls_are_401(kind, world):
    client = Client()
    url = f"/api/v1/strategy/{PATH[kind]}"
    obj = world["own"][kind]
    before = AuditEntry.objects.count()
    responses = [
        client.get(url), client.get(f"{url}/{obj.pk}"),
        client.post(url, {}, content_type="application/json"),
        client.patch(f"{url}/{obj.pk}", CHANGE[kind], content_type="application/json"),
        client.delete(f"{url}/{obj.pk}"),
    ]
    assert [r.status_code for r in responses] == [401] * 5
    assert MODEL[kind].objects.filter(pk=obj.pk).exists()
    assert AuditEntry.objects.count() == before


def test_unknown_bearer_token_is_401(world):
    client = Client(headers={"Authorization": "Bearer md_not-a-real-token"})
    assert client.get("/api/v1/strategy/products").status_code == 401


def test_gate_refuses_a_model_it_does_not_mediate(users):
    from marketdesk.accounts.models import Team

    with pytest.raises(TypeError):
        gate.can(users["director"], "view", Team)


def test_a_member_of_both_teams_sees_both(make_user, world, team_a, team_b, api_client_for):
    user = make_user("marketer", username="both", teams=[team_a, team_b])
    client = api_client_for(user)
    items = client.get("/api/v1/strategy/products").json()["items"]
    assert {i["id"] for i in items} == {world["own"]["product"].pk, world["other"]["product"].pk}
    other = world["other"]["persona"]
    response = client.patch(f"/api/v1/strategy/personas/{other.pk}", {"title": "Buyer"},
                            content_type="application/json")
    assert response.status_code == 200
