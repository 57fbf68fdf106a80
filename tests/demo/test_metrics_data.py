"""The demo company's metrics facts (demo/metrics_data.py, issue 4 "Demo"): two years of
facts that join to the demo's own events, products and sales reps, so that every KPI of
the registry has real numbers; reused when loaded again, regenerated on reset,
deterministic for a load day."""

import datetime as dt
import shutil

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import override_settings
from typer.testing import CliRunner

from marketdesk import cli
from marketdesk.accounts.models import User
from marketdesk.demo import metrics_data
from marketdesk.demo.generator import load_demo
from marketdesk.events.models import Event
from marketdesk.metrics import dimensions, registry, store, synth
from marketdesk.metrics.schema import TABLES
from marketdesk.strategy.models import Feature, Product

TODAY = dt.date(2025, 3, 14)
N = 20_000
START = dt.datetime.combine(TODAY - dt.timedelta(days=730), dt.time(), dt.UTC)
END = dt.datetime.combine(TODAY, dt.time(), dt.UTC)

#: The column that holds each KPI's number when it is not ``value``.
VALUE_COLUMN = {"funnel": "rate", "attribution": "linear", "content_driven_conversion": "linear"}


@pytest.fixture(scope="module")
def demo_facts(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo loaded once for the module, with N touchpoints of facts for TODAY."""
    facts = tmp_path_factory.mktemp("demo") / "facts"
    lines = []
    with django_db_blocker.unblock():
        with override_settings(MARKETDESK_WEBHOOK_ALLOW_LOOPBACK_HTTP=True,
                               MARKETDESK_FACTS_DIR=facts, MARKETDESK_DEMO_TOUCHPOINTS=N,
                               PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            load_demo(today=TODAY)
            result = metrics_data.load(today=TODAY, echo=lines.append)
    yield facts, result, lines
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
        ContentType.objects.clear_cache()


@pytest.fixture
def demo(demo_facts, db, settings):
    facts, result, lines = demo_facts
    settings.MARKETDESK_FACTS_DIR = facts
    settings.MARKETDESK_DEMO_TOUCHPOINTS = N
    return facts, result, lines


def rows(sql):
    return store.duckdb_connection().execute(sql).fetchall()


def values(sql):
    return {row[0] for row in rows(sql)}


def _mtimes(facts):
    return {p: p.stat().st_mtime_ns for p in facts.rglob("*") if p.is_file()}


def test_every_table_has_facts_of_the_two_years_before_the_load_day(demo):
    facts, result, lines = demo
    assert result.generated is True
    assert result.touchpoints == N
    assert lines[0] == "Generating 20,000 touchpoints of metrics facts for two years…"
    assert lines[1].startswith("Generated the demo's metrics facts in ")
    manifest = synth.read_manifest(facts)
    for name in TABLES:
        assert store.files(name), name
        [(count, outside, origins)] = rows(
            f"SELECT count(*), count(*) FILTER (WHERE ts < TIMESTAMPTZ '{START.isoformat()}'"
            f" OR ts >= TIMESTAMPTZ '{END.isoformat()}'), list(DISTINCT origin) FROM {name}")
        assert count == manifest.rows[name] > 0, name
        assert (outside, origins) == (0, ["demo"]), name
    assert manifest.rows["touchpoints"] == N
    # Two years: touches in the first and in the last month.
    [(first, last)] = rows("SELECT min(ts)::TIMESTAMP, max(ts)::TIMESTAMP FROM touchpoints")
    assert first < START.replace(tzinfo=None) + dt.timedelta(days=31)
    assert last > END.replace(tzinfo=None) - dt.timedelta(days=2)


def test_touchpoints_name_the_demos_real_events_and_their_campaigns(demo):
    taken = {dimensions.event_ref(e.pk): e for e in Event.objects.filter(decision="go")}
    others = {dimensions.event_ref(e.pk) for e in Event.objects.exclude(decision="go")}
    assert others  # rejected, no-go and undecided events exist and get no touches
    seen = dict(rows("SELECT event_ref, list(DISTINCT campaign) FROM touchpoints"
                     " WHERE event_ref IS NOT NULL GROUP BY 1"))
    assert seen and set(seen) <= set(taken)
    for ref, campaigns in seen.items():
        assert campaigns == [metrics_data.event_campaign(taken[ref])], ref
    # Past events were attended on their days; a coming one has registrations only.
    attended = rows("SELECT event_ref, min(ts)::TIMESTAMP, max(ts)::TIMESTAMP FROM touchpoints"
                    " WHERE event_type = 'event_attended' GROUP BY 1")
    assert attended
    for ref, first, last in attended:
        event = taken[ref]
        assert event.start_date <= first.date() and last.date() <= event.end_date
        assert event.end_date < TODAY
    upcoming = {r for r, e in taken.items() if e.start_date >= TODAY} & set(seen)
    assert upcoming
    assert values("SELECT DISTINCT event_type FROM touchpoints WHERE event_ref IN ("
                  + ", ".join(f"'{r}'" for r in upcoming) + ")") <= {
        "event_registered", "form_submit", "subscribe"}
    # The events' cost is in their cost lines, not (a second time) in the spend facts.
    assert rows("SELECT count(*) FROM spend WHERE event_ref IS NOT NULL") == [(0,)]


def test_deals_usage_and_answers_name_the_knowledge_bases_products_and_the_sales_reps(demo):
    products = set(Product.objects.values_list("name", flat=True))
    assert values("SELECT DISTINCT product FROM deals") == products
    assert values("SELECT DISTINCT product FROM usage") <= products
    assert values("SELECT DISTINCT product FROM survey_responses") <= products
    released = set(Feature.objects.filter(status__in=["ga", "beta"])
                   .values_list("activation_event", flat=True))
    features = values("SELECT DISTINCT feature FROM usage")
    assert features and features <= released
    reps = set(User.objects.filter(role="sales").values_list("username", flat=True))
    assert reps
    assert values("SELECT DISTINCT owner FROM deals") == reps
    assert values("SELECT DISTINCT owner FROM sales_activities") == reps
    assert values("SELECT DISTINCT owner FROM lifecycle WHERE owner IS NOT NULL") == reps


@pytest.mark.parametrize("kpi_id", list(registry.catalogue()))
def test_every_kpi_has_numbers_on_the_demo(demo, kpi_id):
    result = registry.run(kpi_id)
    column = result.columns.index(VALUE_COLUMN.get(kpi_id, "value"))
    numbers = [row[column] for row in result.rows if row[column] not in (None, 0)]
    assert numbers, (kpi_id, result.columns, result.rows[:5])


def test_market_penetration_of_every_product_and_roi_of_the_events(demo):
    result = registry.run("market_penetration", by="product")
    shares = {row["product"]: row["value"] for row in result.as_dicts()}
    assert set(shares) == set(Product.objects.values_list("name", flat=True))
    assert all(0 < share < 100 for share in shares.values()), shares
    # ROI by event joins the facts to the events app's cost lines.
    roi = {row["event"]: row for row in registry.run("roi", by="event").as_dicts()}
    past = [dimensions.event_ref(e.pk) for e in Event.objects.filter(decision="go",
                                                                    end_date__lt=TODAY)]
    assert past and all(roi[ref]["cost"] > 0 for ref in past)
    assert any(roi[ref]["return"] > 0 for ref in past)


def test_loading_again_reuses_the_facts(demo):
    facts, _result, _lines = demo
    before, digest = _mtimes(facts), synth.digest(facts)
    lines = []
    again = metrics_data.load(today=TODAY, echo=lines.append)
    assert (again.generated, again.touchpoints) == (False, N)
    assert lines == ["Reusing the demo's metrics facts (20,000 touchpoints)."]
    assert _mtimes(facts) == before
    assert synth.digest(facts) == digest


def test_the_same_load_day_gives_the_same_facts_and_another_day_does_not(demo, tmp_path):
    facts, _result, _lines = demo
    assert metrics_data.world(TODAY) == metrics_data.world(TODAY)
    assert metrics_data.world(TODAY + dt.timedelta(days=1)) != metrics_data.world(TODAY)
    synth.generate(tmp_path / "again", touchpoints=N, seed=metrics_data.SEED,
                   world=metrics_data.world(TODAY))
    assert synth.digest(tmp_path / "again") == synth.digest(facts)


def test_reset_regenerates_zero_means_none_and_foreign_facts_are_left_alone(demo, tmp_path,
                                                                           settings):
    facts, _result, _lines = demo
    settings.MARKETDESK_FACTS_DIR = copy = tmp_path / "facts"
    shutil.copytree(facts, copy)
    (copy / "_ids.sqlite3").write_bytes(b"")  # an id index of ingested facts
    before = _mtimes(copy)
    lines = []
    again = metrics_data.load(reset=True, today=TODAY, echo=lines.append)
    assert again.generated is True
    assert lines[0].startswith("Generating 20,000 touchpoints")
    assert not (copy / "_ids.sqlite3").exists()
    assert all(p not in before or p.stat().st_mtime_ns != before[p] for p in _mtimes(copy))
    assert synth.digest(copy) == synth.digest(facts)

    settings.MARKETDESK_DEMO_TOUCHPOINTS = 0
    assert metrics_data.load(reset=True, today=TODAY) is None
    assert not any(store.files(name) for name in TABLES)

    settings.MARKETDESK_DEMO_TOUCHPOINTS = 500
    store.write("touchpoints", store.conform("touchpoints", _one_touch()), sync=False)
    lines = []
    assert metrics_data.load(today=TODAY, echo=lines.append) is None
    assert lines[-1].startswith("The facts directory ")
    assert rows("SELECT count(*) FROM touchpoints") == [(1,)]


def _one_touch():
    import pyarrow as pa  # noqa: PLC0415

    return pa.table({"event_id": ["mine-1"], "ts": pa.array([END], pa.timestamp("us", "UTC")),
                     "event_type": ["page_view"]})


def test_the_demo_command_generates_then_reuses(demo, tmp_path, settings):
    settings.MARKETDESK_FACTS_DIR = tmp_path / "cli-facts"
    settings.MARKETDESK_DEMO_TOUCHPOINTS = 2_000
    runner = CliRunner()
    first = runner.invoke(cli.app, ["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    assert "Generating 2,000 touchpoints of metrics facts for two years…" in first.output
    assert synth.read_manifest(tmp_path / "cli-facts").touchpoints == 2_000
    second = runner.invoke(cli.app, ["demo", "--no-serve"])
    assert second.exit_code == 0, second.output
    assert "Reusing the demo's metrics facts (2,000 touchpoints)." in second.output
