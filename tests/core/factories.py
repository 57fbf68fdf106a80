"""Records made through the services (so each one is audited like a real one).

Every helper takes the owning team or parent first and the acting user as ``by``
(``None`` = the system); keyword arguments override the defaults.
"""

from __future__ import annotations

import datetime as dt

from marketdesk.strategy import services


def product(team, *, by=None, name="Atlas", **fields):
    return services.products.create(by=by, team_id=team.pk, name=name, **fields)


def persona(product, *, by=None, **fields):
    values = {
        "kind": "buyer", "name": "Procurement Paula", "age_min": 30, "age_max": 45,
        "location": "Shanghai", "education": "bachelor", "title": "Head of procurement",
        "income_level": "upper_middle",
    }
    values.update(fields)
    return services.personas.create(by=by, product_id=product.pk, **values)


def statement(product, *, by=None, **fields):
    values = {
        "audience": "mid-size retailers", "problem": "stock-outs", "benefit": "fewer lost sales",
        "statement": "Atlas helps mid-size retailers cut stock-outs.",
    }
    values.update(fields)
    return services.positioning_statements.create(by=by, product_id=product.pk, **values)


def variant(statement, *, by=None, **fields):
    values = {"channel": "WeChat", "text": "Atlas helps you cut stock-outs."}
    values.update(fields)
    return services.positioning_variants.create(by=by, statement_id=statement.pk, **values)


def research_note(team, *, by=None, **fields):
    values = {
        "kind": "primary", "method": "interview", "title": "Store managers on stock-outs",
        "source": "12 interviews", "collected_on": dt.date(2026, 3, 2),
    }
    values.update(fields)
    return services.research_notes.create(by=by, team_id=team.pk, **values)


def competitor(team, *, by=None, name="Rival", **fields):
    values = {"product_overlap": "same", "same_audience": True}
    values.update(fields)
    return services.competitors.create(by=by, team_id=team.pk, name=name, **values)


def pricing(product, *, by=None, **fields):
    values = {"approach": "competitive"}
    values.update(fields)
    return services.pricing_strategies.create(by=by, product_id=product.pk, **values)


def tier(strategy, *, by=None, name="Team", price="1000.00", min_seats=1, max_seats=None,
         **fields):
    values = {"fits": "small teams", "position": 0}
    values.update(fields)
    return services.price_tiers.create(by=by, strategy_id=strategy.pk, name=name, price=price,
                                       min_seats=min_seats, max_seats=max_seats, **values)
