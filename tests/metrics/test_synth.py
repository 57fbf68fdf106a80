"""The synthetic facts generator (metrics/synth.py): exact sizes, byte-identical output for
identical arguments, valid vocabularies, a funnel with its noise, consistent dimensions,
bounded chunks compacted, and the cache."""

import datetime as dt

import duckdb
import pytest

from marketdesk.metrics import schema, store, synth

END = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def world(days=120):
    return synth.bench_world(end=END, days=days)


@pytest.fixture
def small(tmp_path):
    manifest = synth.generate(tmp_path / "facts", touchpoints=20_000, seed=3, world=world())
    return tmp_path / "facts", manifest


def sql(facts, query):
    con = duckdb.connect()
    for name in schema.TABLES:
        if (facts / name).exists():
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet("
                        f"'{facts}/{name}/date=*/*.parquet', hive_partitioning = true)")
    return con.execute(query).fetchall()


@pytest.mark.parametrize("n", [1, 19, 21, 1000])
def test_exactly_the_asked_number_of_touchpoints(tmp_path, n):
    manifest = synth.generate(tmp_path / "f", touchpoints=n, seed=1, world=world(30))
    assert manifest.touchpoints == n
    assert sql(tmp_path / "f", "SELECT count(*), count(DISTINCT event_id) FROM touchpoints") == [(n, n)]


def test_identical_arguments_give_identical_files_and_another_seed_does_not(tmp_path, small):
    facts, manifest = small
    again = synth.generate(tmp_path / "again", touchpoints=20_000, seed=3, world=world())
    other = synth.generate(tmp_path / "other", touchpoints=20_000, seed=4, world=world())
    assert synth.digest(facts) == synth.digest(tmp_path / "again")
    assert again.rows == manifest.rows
    assert synth.digest(facts) != synth.digest(tmp_path / "other")
    assert other.touchpoints == 20_000


def test_row_counts_of_a_seeded_data_set(small):
    _facts, manifest = small
    assert manifest.rows == {
        "touchpoints": 20_000, "identities": 713, "lifecycle": 1395, "deals": 173, "usage": 177,
        "spend": 892, "survey_responses": 9, "social_stats": 600, "sales_activities": 713}


def test_every_fact_is_inside_the_period_and_matches_its_schema(small):
    facts, _ = small
    start = (END - dt.timedelta(days=120)).isoformat()
    for name, table in schema.TABLES.items():
        [(rows, outside, bad_date)] = sql(facts, f"""
            SELECT count(*), count(*) FILTER (WHERE ts < TIMESTAMPTZ '{start}'
                                              OR ts >= TIMESTAMPTZ '{END.isoformat()}'),
                   count(*) FILTER (WHERE date <> CAST(ts AT TIME ZONE 'UTC' AS DATE))
            FROM {name}""")
        assert rows > 0, name
        assert (outside, bad_date) == (0, 0), name
        columns = [row[0] for row in sql(facts, f"DESCRIBE {name}")]
        assert columns == [*table.columns, "date"], name
        for column in table.required:
            assert sql(facts, f"SELECT count(*) FROM {name} WHERE {column} IS NULL") == [(0,)]


def test_vocabularies(small):
    facts, _ = small
    def values(query):
        return {row[0] for row in sql(facts, query)}
    assert values("SELECT DISTINCT event_type FROM touchpoints") <= set(schema.EVENT_TYPES)
    assert values("SELECT DISTINCT channel FROM touchpoints") - {None} <= set(schema.CHANNELS)
    assert None in values("SELECT DISTINCT channel FROM touchpoints")  # unassigned touches
    assert values("SELECT DISTINCT stage FROM lifecycle") == {
        "subscriber", "lead", "mql", "sql", "opportunity", "customer"}
    assert values("SELECT DISTINCT stage FROM deals") == set(schema.DEAL_STAGES)
    assert values("SELECT DISTINCT kind FROM sales_activities") == set(schema.ACTIVITY_KINDS)
    assert values("SELECT DISTINCT channel FROM spend") <= set(schema.CHANNELS)
    scores = values("SELECT DISTINCT score FROM survey_responses")
    assert scores <= set(range(11))


def test_touches_without_a_campaign_are_about_half_and_real(small):
    facts, _ = small
    [(total, none, none_channel)] = sql(facts, "SELECT count(*), count(*) FILTER (WHERE campaign"
                                               " IS NULL), count(*) FILTER (WHERE channel IS NULL)"
                                               " FROM touchpoints")
    assert total == 20_000
    assert 0.4 < none / total < 0.6
    assert 0.01 < none_channel / total < 0.03
    # Organic search and direct never carry a campaign; paid search nearly always does.
    assert sql(facts, "SELECT count(*) FROM touchpoints WHERE channel IN ('organic_search',"
                      " 'direct') AND campaign IS NOT NULL") == [(0,)]


def test_campaign_touches_fall_on_the_days_the_campaign_runs_and_spends(small):
    facts, _ = small
    # Every (campaign, day) of a paid touch has spend that day.
    assert sql(facts, """
        SELECT count(*) FROM touchpoints t
        WHERE t.campaign IS NOT NULL AND t.channel <> 'events' AND NOT EXISTS (
            SELECT 1 FROM spend s WHERE s.campaign = t.campaign AND s.date = t.date)""") == [(0,)]
    # Event touches name a known event; attended ones fall on its day.
    refs = {e.ref: e for e in world().events}
    rows = sql(facts, "SELECT event_ref, event_type, date FROM touchpoints WHERE channel = 'events'")
    assert rows
    kinds = set()
    for ref, kind, day in rows:
        event = refs[ref]
        first = (END - dt.timedelta(days=120)).date() + dt.timedelta(days=event.day)
        kinds.add(kind)
        if kind == "event_registered":
            assert first - dt.timedelta(days=31) <= day <= first
        elif kind == "event_attended":
            assert first <= day < first + dt.timedelta(days=event.days)
        else:  # the form filled in at the event (or when registering) identifies the person
            assert kind in ("form_submit", "subscribe")
            assert first - dt.timedelta(days=31) <= day < first + dt.timedelta(days=event.days)
    assert {"event_registered", "event_attended"} <= kinds


def test_anonymous_touches_are_stitched_by_identities(small):
    facts, _ = small
    # Touches before the identifying form carry only the anonymous id; identities map it.
    [(anonymous, stitched)] = sql(facts, """
        SELECT count(*), count(i.person_id) FROM touchpoints t
        LEFT JOIN identities i USING (anonymous_id) WHERE t.person_id IS NULL""")
    assert 0 < stitched < anonymous  # some visitors are never identified
    # A person's identified touches start at the identity's moment.
    assert sql(facts, """
        SELECT count(*) FROM touchpoints t JOIN identities i USING (person_id)
        WHERE t.ts < i.ts""") == [(0,)]


def test_the_funnel_drops_off_and_has_noise(small):
    facts, _ = small
    persons = dict(sql(facts, "SELECT stage, count(DISTINCT person_id) FROM lifecycle GROUP BY 1"))
    assert persons["lead"] > persons["mql"] > persons["sql"] > persons["opportunity"] > persons["customer"] > 0
    # Duplicated stage events, back-dated ones (an MQL before the lead) and skipped MQLs.
    [(repeated,)] = sql(facts, "SELECT count(*) FROM (SELECT person_id, stage FROM lifecycle"
                               " GROUP BY ALL HAVING count(*) > 1)")
    assert repeated > 0
    [(backdated,)] = sql(facts, """
        SELECT count(*) FROM (SELECT person_id, min(ts) FILTER (WHERE stage = 'lead') AS lead,
                                     min(ts) FILTER (WHERE stage = 'mql') AS mql
                              FROM lifecycle GROUP BY 1) WHERE mql < lead""")
    assert backdated > 0
    [(skipped,)] = sql(facts, """
        SELECT count(*) FROM (SELECT person_id FROM lifecycle GROUP BY 1
        HAVING bool_or(stage = 'sql') AND NOT bool_or(stage = 'mql'))""")
    assert skipped > 0


def test_deals_open_before_they_close_and_some_persons_have_two(small):
    facts, _ = small
    assert sql(facts, """
        SELECT count(*) FROM deals w WHERE stage <> 'open' AND NOT EXISTS (
            SELECT 1 FROM deals o WHERE o.deal_id = w.deal_id AND o.stage = 'open' AND o.ts < w.ts)
    """) == [(0,)]
    assert sql(facts, "SELECT count(*) FROM deals WHERE amount <= 0") == [(0,)]
    [(several,)] = sql(facts, "SELECT count(*) FROM (SELECT person_id FROM deals WHERE stage ="
                              " 'closed_won' GROUP BY 1 HAVING count(*) > 1)")
    assert several > 0
    # Every won deal's person became a customer, and touches continue after a conversion.
    [(after,)] = sql(facts, """
        SELECT count(*) FROM touchpoints t JOIN deals d USING (person_id)
        WHERE d.stage = 'closed_won' AND t.ts > d.ts""")
    assert after > 0


def test_sales_meetings_are_touches_and_activities(small):
    facts, _ = small
    [(meetings,)] = sql(facts, "SELECT count(*) FROM sales_activities WHERE kind = 'meeting'")
    assert sql(facts, "SELECT count(*) FROM touchpoints WHERE event_type = 'sales_meeting'"
                      " AND channel = 'sales'") == [(meetings,)]


def test_chunks_are_compacted_into_one_file_per_partition(tmp_path, monkeypatch, settings):
    monkeypatch.setattr(synth, "CHUNK_TOUCHES", 5_000)
    facts = tmp_path / "chunked"
    manifest = synth.generate(facts, touchpoints=20_000, seed=3, world=world())
    assert manifest.touchpoints == 20_000
    assert sql(facts, "SELECT count(*), count(DISTINCT event_id) FROM touchpoints") == [(20_000, 20_000)]
    days = sql(facts, "SELECT count(DISTINCT date) FROM touchpoints")[0][0]
    assert manifest.files["touchpoints"] == days
    assert len(list((facts / "touchpoints").glob("date=*/*.parquet"))) == days
    # The files are read through the store like any other.
    settings.MARKETDESK_FACTS_DIR = facts
    con = store.connect(["touchpoints"])
    assert con.table("touchpoints").count().execute() == 20_000


def test_cached_reuses_regenerates_and_refuses_foreign_facts(tmp_path):
    facts = tmp_path / "cache"
    first, made = synth.cached(facts, 500, seed=2, world=world(30))
    assert made is True
    digest = synth.digest(facts)
    again, made = synth.cached(facts, 500, seed=2, world=world(30))
    assert (made, again.rows, synth.digest(facts)) == (False, first.rows, digest)
    other, made = synth.cached(facts, 600, seed=2, world=world(30))
    assert (made, other.touchpoints) == (True, 600)
    assert sql(facts, "SELECT count(*) FROM touchpoints") == [(600,)]
    (facts / synth.MANIFEST).unlink()
    with pytest.raises(synth.SynthRefused):
        synth.cached(facts, 600, seed=2, world=world(30))


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="touchpoints"):
        synth.generate(tmp_path, touchpoints=0)
    with pytest.raises(ValueError, match="UTC midnight"):
        synth.bench_world(end=dt.datetime(2025, 1, 1, 5, tzinfo=dt.UTC))
