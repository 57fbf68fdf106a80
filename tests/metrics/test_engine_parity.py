"""The same funnel, attribution and ROI numbers on DuckDB and on PostgreSQL through Ibis
(issue 4 "Correctness"). Runs in the PostgreSQL half of ``make test`` (scripts/test.sh):
the facts are loaded into tables of a dedicated schema of the test database."""

import random
import uuid

import pytest
from django.conf import settings as django_settings

from marketdesk.metrics import attribution, funnel, roi
from marketdesk.metrics.schema import TABLES
from tests.metrics.conftest import _arrow
from tests.metrics.test_attribution import at, generated_facts

ON_POSTGRES = django_settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
pytestmark = pytest.mark.skipif(not ON_POSTGRES,
                                reason="runs in the PostgreSQL half of make test")


@pytest.fixture
def postgres_facts(db):
    """``load(facts)`` → an Ibis PostgreSQL connection whose search path is a fresh schema
    holding one table per fact table; the schema is dropped afterwards."""
    import ibis
    from django.db import connection

    params = connection.settings_dict
    schema = f"facts_{uuid.uuid4().hex[:12]}"
    kwargs = {"host": params["HOST"] or "127.0.0.1", "port": int(params["PORT"] or 5432),
              "user": params["USER"], "password": params["PASSWORD"] or None,
              "database": params["NAME"]}
    admin = ibis.postgres.connect(**kwargs)
    admin.raw_sql(f'CREATE SCHEMA "{schema}"').close()
    opened = [admin]

    def load(facts):
        con = ibis.postgres.connect(**kwargs, schema=schema)
        opened.append(con)
        for name in TABLES:
            con.create_table(name, _arrow(name, facts.get(name, [])), database=schema)
        return con

    yield load
    admin.raw_sql(f'DROP SCHEMA "{schema}" CASCADE').close()
    for con in opened:
        con.disconnect()


def _same(a, b):
    if isinstance(a, dict):
        assert set(a) == set(b)
        for key in a:
            _same(a[key], b[key])
    elif isinstance(a, list | tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _same(x, y)
    elif isinstance(a, float):
        assert b == pytest.approx(a, rel=1e-9, abs=1e-9)
    else:
        assert a == b


@pytest.mark.parametrize("seed", range(3))
def test_duckdb_and_postgres_agree(facts_con, postgres_facts, seed):
    facts = generated_facts(random.Random(seed), persons=25)
    engines = [facts_con(facts), postgres_facts(facts)]
    answers = []
    for con in engines:
        answer = {}
        for conversion, by in (("revenue", "channel"), ("revenue", "campaign"), ("leads", "content")):
            result = attribution.run(con, conversion=conversion, by=by, window_days=60,
                                     half_life_days=5.0)
            answer[f"attribution {conversion} {by}"] = {
                "credits": result.credits, "converted": result.converted_value,
                "unattributed": result.unattributed_value, "conversions": result.conversions,
                "unattributed_conversions": result.unattributed_conversions}
        bounded = attribution.run(con, models=attribution.RULE_MODELS, start=at(30), end=at(80))
        answer["attribution bounded"] = bounded.credits
        for by in (None, "campaign"):
            result = funnel.run(con, by=by, window_days=45)
            answer[f"funnel {by}"] = {"counts": result.counts, "breakdown": result.breakdown}
        touch_steps = funnel.run(con, steps=("touch:form_submit", "lead", "mql"), start=at(5))
        answer["funnel touch"] = touch_steps.counts
        for by, model in (("campaign", "linear"), ("event", "full_path"), ("channel", "markov")):
            answer[f"roi {by} {model}"] = roi.run(con, by=by, model=model).rows
        answers.append(answer)
    duck, postgres = answers
    assert duck["attribution revenue channel"]["conversions"] > 0
    _same(duck, postgres)
