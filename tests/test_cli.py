"""The ``marketdesk`` command (src/marketdesk/cli.py), driven through typer's CliRunner;
serving is checked on a real process tree."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from marketdesk.accounts.models import Team, User
from marketdesk.cli import app, collectstatic_if_stale, supervise
from marketdesk.core.models import AuditEntry
from marketdesk.strategy import models as m
from marketdesk.strategy import services as s

runner = CliRunner()
PASSWORD = "Correct-horse-42"
LOGIN_TABLE = """\
username  role                          team                         password
--------  ----------------------------  ---------------------------  ---------------
admin     Administrator                 (all teams)                  marketdesk-demo
director  Marketing director            (all teams)                  marketdesk-demo
leader    Team leader                   Product Marketing 产品市场   marketdesk-demo
marketer  Marketer                      Product Marketing 产品市场   marketdesk-demo
reviewer  Business-department reviewer  Product Marketing 产品市场   marketdesk-demo
sales     Sales                         Product Marketing 产品市场   marketdesk-demo
events    Marketer                      Events & Content 活动与内容  marketdesk-demo
global    Marketer                      Global Marketing             marketdesk-demo
"""


# --- createuser ---------------------------------------------------------------------------

def test_createuser_creates_a_user_in_teams(team_a, team_b):
    result = runner.invoke(app, ["createuser", "mei", "--role", "marketer", "--team", "growth",
                                 "--team", "brand", "--email", "mei@example.com",
                                 "--password", PASSWORD])
    assert (result.exit_code, result.output) == (0, "Created mei (Marketer).\n")
    user = User.objects.get(username="mei")
    assert (user.role, user.email, sorted(user.teams.values_list("slug", flat=True))) == (
        "marketer", "mei@example.com", ["brand", "growth"])
    assert user.check_password(PASSWORD)
    assert AuditEntry.objects.filter(action="create", content_type__model="user",
                                     object_id=str(user.pk)).count() == 1


def test_createuser_asks_for_the_password_when_not_given(db):
    result = runner.invoke(app, ["createuser", "boss", "--role", "director"],
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0
    assert result.stdout.endswith("Created boss (Marketing director).\n")
    assert User.objects.get(username="boss").check_password(PASSWORD)


@pytest.mark.parametrize(("args", "message"), [
    (["--role", "boss"],
     "Error: Unknown role 'boss'; choose one of: director, team_leader, marketer, reviewer, "
     "sales, admin.\n"),
    (["--role", "marketer", "--team", "nowhere"],
     "Error: Unknown team 'nowhere'; the teams are: growth.\n"),
])
def test_createuser_refuses_unknown_role_or_team(team_a, args, message):
    result = runner.invoke(app, ["createuser", "mei", *args, "--password", PASSWORD])
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", message)
    assert User.objects.filter(username="mei").count() == 0


def test_createuser_refuses_a_weak_password(db):
    result = runner.invoke(app, ["createuser", "mei", "--role", "sales", "--password", "12345"])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: Cannot create the user: This password is too short. It must contain at least "
        "8 characters.; This password is too common.; This password is entirely numeric.\n")
    assert User.objects.filter(username="mei").count() == 0


# --- export / import ------------------------------------------------------------------------

@pytest.fixture
def knowledge(users, team_a):
    by = users["marketer"]
    product = s.products.create(by=by, team_id=team_a.pk, name="Beacon", brand_voice_words=["clear"])
    s.features.create(by=by, product=product, name="Cohorts", activation_event="cohort_viewed")
    s.personas.create(by=by, product=product, kind="user", name="Lin", age_min=24, age_max=32,
                      location="Hangzhou", education="bachelor", title="Developer",
                      income_level="middle")
    s.competitors.create(by=by, team_id=team_a.pk, name="Rival", product_overlap="extends",
                         m2m={"products": [product]})
    return product


def test_export_to_a_file_then_import_into_another_team(knowledge, team_a, team_b, tmp_path):
    path = tmp_path / "kb.json"
    exported = runner.invoke(app, ["export", "--team", "growth", "--output", str(path)])
    assert (exported.exit_code, exported.stderr) == (
        0, f"Exported 1 products, 1 competitors and 0 research notes to {path}.\n")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert [p["name"] for p in document["products"]] == ["Beacon"]

    audit_rows = AuditEntry.objects.count()
    dry = runner.invoke(app, ["import", str(path), "--team", "brand", "--dry-run"])
    assert (dry.exit_code, dry.stdout) == (0, (
        "Dry run — Brand would receive: 1 products, 1 vision documents, 1 features, "
        "1 competitors, 1 personas, 4 strategy review questions. Nothing was written.\n"))
    assert m.Product.objects.filter(team=team_b).count() == 0
    assert AuditEntry.objects.count() == audit_rows

    real = runner.invoke(app, ["import", str(path), "--team", "brand", "--as", "director"])
    assert (real.exit_code, real.stdout) == (0, (
        "Imported into Brand: 1 products, 1 vision documents, 1 features, 1 competitors, "
        "1 personas, 4 strategy review questions.\n"))
    copy = m.Product.objects.get(team=team_b)
    assert list(copy.features.values_list("name", flat=True)) == ["Cohorts"]
    assert list(m.Competitor.objects.get(team=team_b).products.all()) == [copy]
    assert AuditEntry.objects.filter(content_type__model="product", object_id=str(copy.pk),
                                     action="create").get().actor_name == "director"

    again = runner.invoke(app, ["export", "--team", "brand"])
    assert again.exit_code == 0
    assert json.loads(again.stdout) == document


def test_export_of_one_product_to_standard_output(knowledge, team_b, users):
    s.products.create(by=users["director"], team_id=team_b.pk, name="Elsewhere")
    result = runner.invoke(app, ["export", "--product", str(knowledge.pk)])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert ([p["name"] for p in document["products"]],
            [c["name"] for c in document["competitors"]]) == (["Beacon"], ["Rival"])
    missing = runner.invoke(app, ["export", "--product", "999999"])
    assert (missing.exit_code, missing.stderr) == (1, "Error: product: No product with id 999999.\n")


def test_import_refuses_a_bad_file_and_writes_nothing(knowledge, team_a, team_b, tmp_path):
    runner.invoke(app, ["export", "--team", "growth", "--output", str(tmp_path / "kb.json")])
    document = json.loads((tmp_path / "kb.json").read_text(encoding="utf-8"))
    document["products"][0]["personas"][0]["age_min"] = 40
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document), encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": ', encoding="utf-8")
    audit_rows = AuditEntry.objects.count()

    result = runner.invoke(app, ["import", str(bad), "--team", "brand"])
    assert (result.exit_code, result.stderr) == (1, (
        "Error: Nothing was imported: products[0].personas[0].age_max: The upper age must not "
        "be below the lower age.\n"))
    result = runner.invoke(app, ["import", str(broken), "--team", "brand"])
    assert (result.exit_code, result.stderr) == (1, (
        f"Error: {broken} is not valid JSON (line 1, column 12: Expecting value).\n"))
    result = runner.invoke(app, ["import", str(tmp_path / "kb.json")])
    assert (result.exit_code, result.stderr) == (
        1, "Error: Say which team receives the records with --team.\n")
    result = runner.invoke(app, ["import", str(tmp_path / "missing.json"), "--team", "brand"])
    assert (result.exit_code, result.stderr) == (
        1, f"Error: Cannot read {tmp_path / 'missing.json'}: No such file or directory\n")
    assert m.Product.objects.filter(team=team_b).count() == 0
    assert AuditEntry.objects.count() == audit_rows


# --- demo -------------------------------------------------------------------------------------

def test_demo_without_serving_loads_once_and_prints_the_logins(db):
    first = runner.invoke(app, ["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    assert first.stdout == ("Loaded the demo company 数研科技 DataSense.\n"
                            "Open http://127.0.0.1:8000 and sign in as:\n" + LOGIN_TABLE)
    assert m.Product.objects.count() == 3
    audit_rows = AuditEntry.objects.count()

    second = runner.invoke(app, ["demo", "--no-serve", "--port", "8123"])
    assert second.exit_code == 0, second.output
    assert second.stdout == ("The demo company is already loaded; reusing it.\n"
                             "Open http://127.0.0.1:8123 and sign in as:\n" + LOGIN_TABLE)
    assert AuditEntry.objects.count() == audit_rows


def test_demo_refuses_a_database_with_a_clashing_user(make_user):
    make_user("admin", username="admin")
    result = runner.invoke(app, ["demo", "--no-serve"])
    assert (result.exit_code, result.stderr) == (1, (
        "Error: The demo cannot be loaded into this database (username: A user with that "
        "username already exists.). Use an empty database or --reset.\n"))
    assert Team.objects.filter(slug="product-marketing").count() == 0


# --- serving ----------------------------------------------------------------------------------

def test_collectstatic_runs_only_when_sources_changed(settings, tmp_path):
    source = tmp_path / "extra"
    source.mkdir()
    (source / "demo.css").write_text("body { color: black; }")
    settings.STATICFILES_DIRS = [source]
    settings.STATIC_ROOT = tmp_path / "static"

    assert collectstatic_if_stale() is True
    assert (tmp_path / "static" / "demo.css").read_text() == "body { color: black; }"
    assert collectstatic_if_stale() is False
    (source / "demo.css").write_text("body { color: navy; }")
    assert collectstatic_if_stale() is True
    assert (tmp_path / "static" / "demo.css").read_text() == "body { color: navy; }"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _sleeper(pid_file: Path) -> list[str]:
    return [sys.executable, "-c",
            f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(60)"]


def _wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_supervise_stops_the_others_when_one_process_ends(tmp_path):
    pid_file = tmp_path / "sleeper.pid"
    started = time.monotonic()
    code = supervise([
        _sleeper(pid_file),
        [sys.executable, "-c", "import time, sys; time.sleep(1); sys.exit(3)"],
    ])
    assert code == 3
    assert time.monotonic() - started < 20
    assert not _alive(int(pid_file.read_text()))


def test_supervise_stops_every_process_on_sigterm(tmp_path):
    pids = [tmp_path / "a.pid", tmp_path / "b.pid"]
    script = (
        "import sys\n"
        "from marketdesk.cli import supervise\n"
        f"sys.exit(supervise([{_sleeper(pids[0])!r}, {_sleeper(pids[1])!r}]))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "marketdesk.settings",
           "MARKETDESK_DATA_DIR": str(tmp_path / "data")}
    parent = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        assert _wait_for(lambda: all(p.exists() and p.read_text() for p in pids))
        parent.send_signal(signal.SIGTERM)
        assert parent.wait(timeout=30) == 0
    finally:
        if parent.poll() is None:
            parent.kill()
    assert [_alive(int(p.read_text())) for p in pids] == [False, False]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def test_serve_runs_the_app_and_the_worker_and_stops_both(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "marketdesk.settings",
           "MARKETDESK_DATA_DIR": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "django", "migrate", "--noinput", "-v0"], env=env,
                   check=True)
    port = _free_port()
    marketdesk = Path(sys.executable).with_name("marketdesk")
    server = subprocess.Popen([str(marketdesk), "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        def login_page_served():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/",
                                            timeout=2) as response:
                    return response.status == 200
            except OSError:
                return False

        assert _wait_for(login_page_served, timeout=60), server.stdout.read1().decode()
        children = _children(server.pid)
        assert len(children) == 2
        assert (tmp_path / "data" / "static" / ".marketdesk-static").exists()
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            server.kill()
    assert [_alive(pid) for pid in children] == [False, False]
