"""The strategy knowledge base (S1–S8) as a portable JSON document: export and import.

Format ``{"format": "marketdesk.strategy", "version": 1, "products": [...],
"competitors": [...], "research_notes": [...]}``. Children are nested under their parent
(features, vision, personas … under a product; offerings, moves and SWOT under a
competitor). Records refer to each other by natural keys or by export-local ids, never by
database ids:

- a product by its ``name`` (unique within a team): a research note's ``product``, a
  competitor's ``competes_with``;
- a research note by its ``ref`` (``note-1`` …) and a competitive move by its ``ref``
  (``move-1`` …): a market size's ``source_note``, a SWOT entry's ``evidence_notes`` and
  ``evidence_moves``.

The export is deterministic: every list is sorted in Python on the record's own values
(ties by creation order), so exporting, importing into an empty team and exporting again
gives the identical document, on any database.

An import is all-or-nothing (DESIGN: nothing is half-written): the document's shape is
checked first (format, version, unknown keys, value types, references), then every record
is written through the strategy services — so each one is ``full_clean``-ed and recorded in
the audit log — inside one transaction. The first invalid record raises a
``ValidationError`` whose keys are paths such as ``products[1].personas[0].age_max``.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from marketdesk.core import permissions as gate
from marketdesk.strategy import models as m
from marketdesk.strategy import services

FORMAT = "marketdesk.strategy"
VERSION = 1

# The plain fields of each record, in the order they are written to the document.
PRODUCT_FIELDS = ("name", "tagline", "description", "brand_voice_words")
VISION_FIELDS = ("target_users", "problems_solved", "success_measures", "success_kpis")
FEATURE_FIELDS = ("name", "description", "status", "activation_event")
NOTE_FIELDS = ("kind", "method", "title", "source", "source_url", "collected_on", "body")
MARKET_SIZE_FIELDS = ("segment", "region", "year", "target_customers")
COMPETITOR_FIELDS = ("name", "product_overlap", "same_audience", "website", "summary",
                     "strengths", "weaknesses", "web_signals")
OFFERING_FIELDS = ("name", "description", "pricing_model", "list_price", "currency", "price_note")
MOVE_FIELDS = ("happened_on", "kind", "title", "details", "source_url")
SWOT_FIELDS = ("quadrant", "text")
PERSONA_FIELDS = ("kind", "name", "age_min", "age_max", "gender", "location", "education",
                  "title", "income_level", "goals", "challenges", "personality_traits")
STATEMENT_FIELDS = ("audience", "problem", "benefit", "statement", "is_primary")
VARIANT_FIELDS = ("channel", "region", "audience", "text")
PRICING_FIELDS = ("approach", "value_strategy", "currency", "rationale", "price_floor_note")
TIER_FIELDS = ("name", "price", "period", "min_seats", "max_seats", "fits", "included", "position")
DISCOUNT_FIELDS = ("name", "kind", "ratio_type", "steps", "conditions")
QUESTION_FIELDS = ("question", "answer", "last_reviewed_on", "position")

# Keys of a record besides its plain fields: references and nested children.
PRODUCT_KEYS = ("vision", "features", "market_sizes", "personas", "positioning", "pricing",
                "review_questions", "swot")
NOTE_KEYS = ("ref", "product")
COMPETITOR_KEYS = ("tier", "competes_with", "offerings", "moves", "swot")
SWOT_KEYS = ("evidence_notes", "evidence_moves")
TOP_KEYS = ("format", "version", "products", "competitors", "research_notes")


#: The kinds of record an import counts, with their models (for labels).
COUNTED_MODELS = {
    "products": m.Product,
    "visions": m.VisionDocument,
    "features": m.Feature,
    "research_notes": m.ResearchNote,
    "market_sizes": m.MarketSize,
    "competitors": m.Competitor,
    "competitor_products": m.CompetitorProduct,
    "competitor_moves": m.CompetitorMove,
    "swot_entries": m.SwotEntry,
    "personas": m.Persona,
    "positioning_statements": m.PositioningStatement,
    "positioning_variants": m.PositioningVariant,
    "pricing_strategies": m.PricingStrategy,
    "price_tiers": m.PriceTier,
    "discount_policies": m.DiscountPolicy,
    "review_questions": m.ReviewQuestion,
}


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote (or, for a dry run, would have written) into ``team``."""

    team_slug: str
    dry_run: bool
    counts: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# --- export ------------------------------------------------------------------------------

def _plain_value(model_field: models.Field, value):
    if value is None:
        return None
    if isinstance(model_field, models.DateField):
        return value.isoformat()
    if isinstance(model_field, models.DecimalField):
        return str(value)
    return value


def _dump(obj: models.Model, names: Iterable[str]) -> dict:
    meta = obj._meta
    return {name: _plain_value(meta.get_field(name), getattr(obj, name)) for name in names}


def _desc_date(value: dt.date | None) -> int:
    return -value.toordinal() if value else 0


def export_knowledge_base(*, user=None, teams=None, product_ids=None) -> dict:
    """The knowledge base as a JSON-able document.

    ``user`` limits it to what the user may see (the permission gate), ``teams`` to those
    teams, ``product_ids`` to those products (and the competitors and research notes of
    their teams; references to products outside the selection are left out).
    """
    products_qs = m.Product.objects.all()
    notes_qs = m.ResearchNote.objects.all()
    competitors_qs = m.Competitor.objects.all()
    if user is not None:
        products_qs = gate.restrict(products_qs, user, "view")
        notes_qs = gate.restrict(notes_qs, user, "view")
        competitors_qs = gate.restrict(competitors_qs, user, "view")
    if teams is not None:
        team_ids = [getattr(t, "pk", t) for t in teams]
        products_qs = products_qs.filter(team_id__in=team_ids)
        notes_qs = notes_qs.filter(team_id__in=team_ids)
        competitors_qs = competitors_qs.filter(team_id__in=team_ids)
    if product_ids is not None:
        wanted = set(product_ids)
        products_qs = products_qs.filter(pk__in=wanted)
        missing = wanted - set(products_qs.values_list("pk", flat=True))
        if missing:
            raise ValidationError(
                {"product": _("No product with id %(ids)s.") % {
                    "ids": ", ".join(str(i) for i in sorted(missing))}}
            )
        selected_teams = set(products_qs.values_list("team_id", flat=True))
        notes_qs = notes_qs.filter(team_id__in=selected_teams)
        competitors_qs = competitors_qs.filter(team_id__in=selected_teams)

    products = sorted(
        products_qs.select_related("vision", "pricing").prefetch_related(
            "features", "market_sizes", "personas", "positioning__variants",
            "pricing__tiers", "pricing__discounts", "review_questions",
            "swot_entries__evidence_notes", "swot_entries__evidence_moves",
        ),
        key=lambda p: (p.name, p.pk),
    )
    product_names = {p.pk: p.name for p in products}
    notes = sorted(notes_qs, key=lambda n: (_desc_date(n.collected_on), n.title, n.pk))
    note_refs = {n.pk: f"note-{i}" for i, n in enumerate(notes, start=1)}
    competitors = sorted(
        competitors_qs.prefetch_related(
            "products", "offerings", "moves", "swot_entries__evidence_notes",
            "swot_entries__evidence_moves",
        ),
        key=lambda c: (c.tier, c.name, c.pk),
    )
    move_refs: dict[int, str] = {}
    moves_of: dict[int, list] = {}
    for competitor in competitors:
        moves_of[competitor.pk] = sorted(
            competitor.moves.all(), key=lambda mv: (_desc_date(mv.happened_on), mv.pk)
        )
        for move in moves_of[competitor.pk]:
            move_refs[move.pk] = f"move-{len(move_refs) + 1}"
    ref_order = {ref: i for i, ref in enumerate([*note_refs.values(), *move_refs.values()])}

    def refs(objs, known: dict[int, str]) -> list[str]:
        return sorted((known[o.pk] for o in objs if o.pk in known), key=ref_order.__getitem__)

    def swot(entries) -> list[dict]:
        return [
            {**_dump(e, SWOT_FIELDS),
             "evidence_notes": refs(e.evidence_notes.all(), note_refs),
             "evidence_moves": refs(e.evidence_moves.all(), move_refs)}
            for e in sorted(entries, key=lambda e: (e.quadrant, e.pk))
        ]

    def product_doc(p: m.Product) -> dict:
        # A missing one-to-one child raises a subclass of AttributeError.
        vision = getattr(p, "vision", None)
        pricing = getattr(p, "pricing", None)
        return {
            **_dump(p, PRODUCT_FIELDS),
            "vision": _dump(vision, VISION_FIELDS) if vision else None,
            "features": [_dump(f, FEATURE_FIELDS)
                         for f in sorted(p.features.all(), key=lambda f: (f.name, f.pk))],
            "market_sizes": [
                {**_dump(s, MARKET_SIZE_FIELDS), "source_note": note_refs.get(s.source_note_id)}
                for s in sorted(p.market_sizes.all(),
                                key=lambda s: (-s.year, s.segment, s.region, s.pk))
            ],
            "personas": [_dump(x, PERSONA_FIELDS)
                         for x in sorted(p.personas.all(), key=lambda x: (x.kind, x.name, x.pk))],
            "positioning": [
                {**_dump(s, STATEMENT_FIELDS),
                 "variants": [_dump(v, VARIANT_FIELDS) for v in sorted(
                     s.variants.all(), key=lambda v: (v.channel, v.region, v.audience, v.pk))]}
                for s in sorted(p.positioning.all(), key=lambda s: (not s.is_primary, s.pk))
            ],
            "pricing": {
                **_dump(pricing, PRICING_FIELDS),
                "tiers": [_dump(t, TIER_FIELDS) for t in sorted(
                    pricing.tiers.all(), key=lambda t: (t.position, t.price, t.pk))],
                "discounts": [_dump(d, DISCOUNT_FIELDS) for d in sorted(
                    pricing.discounts.all(), key=lambda d: (d.name, d.pk))],
            } if pricing else None,
            "review_questions": [_dump(q, QUESTION_FIELDS) for q in sorted(
                p.review_questions.all(), key=lambda q: (q.position, q.pk))],
            "swot": swot(p.swot_entries.all()),
        }

    def competitor_doc(c: m.Competitor) -> dict:
        return {
            **_dump(c, COMPETITOR_FIELDS),
            "tier": c.tier,
            "competes_with": sorted(product_names[p.pk] for p in c.products.all()
                                    if p.pk in product_names),
            "offerings": [_dump(o, OFFERING_FIELDS)
                          for o in sorted(c.offerings.all(), key=lambda o: (o.name, o.pk))],
            "moves": [{"ref": move_refs[mv.pk], **_dump(mv, MOVE_FIELDS)}
                      for mv in moves_of[c.pk]],
            "swot": swot(c.swot_entries.all()),
        }

    return {
        "format": FORMAT,
        "version": VERSION,
        "products": [product_doc(p) for p in products],
        "competitors": [competitor_doc(c) for c in competitors],
        "research_notes": [
            {"ref": note_refs[n.pk], **_dump(n, NOTE_FIELDS),
             "product": product_names.get(n.product_id)}
            for n in notes
        ],
    }


# --- import: the shape of the document ------------------------------------------------------

class _Errors:
    """Problems found while reading the document, keyed by path."""

    LIMIT = 50

    def __init__(self):
        self.by_path: dict[str, list] = {}

    def add(self, path: str, message) -> None:
        if len(self.by_path) < self.LIMIT:
            self.by_path.setdefault(path, []).append(message)

    def raise_if_any(self) -> None:
        if self.by_path:
            raise ValidationError(self.by_path)


def _coerce(model_field: models.Field, value, path: str, errors: _Errors):
    """A JSON value as the Python value of ``model_field``; wrong types are reported."""
    if value is None:
        if model_field.null:
            return None
        errors.add(path, _("This value must not be null."))
        return None
    if isinstance(model_field, models.JSONField):
        return value
    if isinstance(model_field, models.BooleanField):
        if isinstance(value, bool):
            return value
        errors.add(path, _("Expected true or false."))
    elif isinstance(model_field, models.DateField):
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        errors.add(path, _("Expected a date written as YYYY-MM-DD."))
    elif isinstance(model_field, models.DecimalField):
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            try:
                return decimal.Decimal(str(value))
            except decimal.InvalidOperation:
                pass
        errors.add(path, _("Expected a number such as \"1999.00\"."))
    elif isinstance(model_field, models.IntegerField):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        errors.add(path, _("Expected a whole number."))
    elif isinstance(value, str):
        return value
    else:
        errors.add(path, _("Expected text."))
    return None


def _record(data, path: str, model, names: tuple[str, ...], extra: tuple[str, ...],
            errors: _Errors) -> tuple[dict, dict] | None:
    """The plain fields of one record (converted) and its extra keys (as given)."""
    if not isinstance(data, dict):
        errors.add(path, _("Expected an object."))
        return None
    for key in data:
        if key not in names and key not in extra:
            errors.add(f"{path}.{key}", _("Unknown key."))
    fields = {}
    for name in names:
        if name in data:
            fields[name] = _coerce(model._meta.get_field(name), data[name], f"{path}.{name}", errors)
    return fields, {key: data[key] for key in extra if key in data}


def _list(data, path: str, errors: _Errors) -> list:
    if data is None:
        return []
    if not isinstance(data, list):
        errors.add(path, _("Expected a list."))
        return []
    return data


def _ref_list(data, path: str, known: Mapping, label, errors: _Errors) -> list:
    out = []
    for i, ref in enumerate(_list(data, path, errors)):
        if not isinstance(ref, str) or ref not in known:
            errors.add(f"{path}[{i}]", _("Unknown %(what)s: %(ref)s.") % {"what": label, "ref": ref})
        else:
            out.append(ref)
    return out


@dataclass
class _Node:
    """One record read from the document: its path, plain fields, references, children."""

    path: str
    fields: dict
    refs: dict = field(default_factory=dict)
    children: dict = field(default_factory=dict)


def _read(data, errors: _Errors) -> tuple[list[_Node], list[_Node], list[_Node]]:
    if not isinstance(data, dict):
        errors.add("document", _("Expected a JSON object."))
        errors.raise_if_any()
    if data.get("format") != FORMAT:
        errors.add("format", _("Not a MarketDesk strategy export (format must be \"%(f)s\").")
                   % {"f": FORMAT})
    if data.get("version") != VERSION:
        errors.add("version", _("Unsupported version %(v)s; this MarketDesk reads version %(ok)s.")
                   % {"v": data.get("version"), "ok": VERSION})
    for key in data:
        if key not in TOP_KEYS:
            errors.add(key, _("Unknown key."))
    errors.raise_if_any()

    products_in = _list(data.get("products"), "products", errors)
    notes_in = _list(data.get("research_notes"), "research_notes", errors)
    competitors_in = _list(data.get("competitors"), "competitors", errors)

    # Keys defined by the document itself, gathered before references are checked.
    product_names: dict[str, str] = {}
    for i, p in enumerate(products_in):
        if isinstance(p, dict) and isinstance(p.get("name"), str):
            if p["name"] in product_names:
                errors.add(f"products[{i}].name", _("Two products have this name."))
            product_names[p["name"]] = f"products[{i}]"
    note_refs: dict[str, str] = {}
    for i, n in enumerate(notes_in):
        if isinstance(n, dict):
            ref = n.get("ref")
            if not isinstance(ref, str) or not ref:
                errors.add(f"research_notes[{i}].ref", _("Every research note needs a ref."))
            elif ref in note_refs:
                errors.add(f"research_notes[{i}].ref", _("Two research notes have this ref."))
            else:
                note_refs[ref] = f"research_notes[{i}]"
    move_refs: dict[str, str] = {}
    for i, c in enumerate(competitors_in):
        moves = c.get("moves") if isinstance(c, dict) else None
        for j, mv in enumerate(moves if isinstance(moves, list) else []):
            if isinstance(mv, dict):
                ref = mv.get("ref")
                path = f"competitors[{i}].moves[{j}].ref"
                if not isinstance(ref, str) or not ref:
                    errors.add(path, _("Every competitive move needs a ref."))
                elif ref in move_refs or ref in note_refs:
                    errors.add(path, _("Two records have this ref."))
                else:
                    move_refs[ref] = path

    def swot_nodes(items, path) -> list[_Node]:
        nodes = []
        for k, s in enumerate(_list(items, path, errors)):
            p = f"{path}[{k}]"
            read = _record(s, p, m.SwotEntry, SWOT_FIELDS, SWOT_KEYS, errors)
            if read:
                fields, extra = read
                nodes.append(_Node(p, fields, refs={
                    "evidence_notes": _ref_list(extra.get("evidence_notes"),
                                                f"{p}.evidence_notes", note_refs,
                                                _("research note"), errors),
                    "evidence_moves": _ref_list(extra.get("evidence_moves"),
                                                f"{p}.evidence_moves", move_refs,
                                                _("competitive move"), errors),
                }))
        return nodes

    def children(items, path, model, names, extra=()) -> list[_Node]:
        nodes = []
        for k, item in enumerate(_list(items, path, errors)):
            p = f"{path}[{k}]"
            read = _record(item, p, model, names, extra, errors)
            if read:
                nodes.append(_Node(p, read[0], refs=read[1]))
        return nodes

    products = []
    for i, item in enumerate(products_in):
        path = f"products[{i}]"
        read = _record(item, path, m.Product, PRODUCT_FIELDS, PRODUCT_KEYS, errors)
        if not read:
            continue
        fields, extra = read
        node = _Node(path, fields)
        vision = extra.get("vision", {})
        if vision is None:
            node.children["vision"] = None
        else:
            v = _record(vision, f"{path}.vision", m.VisionDocument, VISION_FIELDS, (), errors)
            node.children["vision"] = _Node(f"{path}.vision", v[0]) if v else None
        node.children["features"] = children(extra.get("features"), f"{path}.features",
                                             m.Feature, FEATURE_FIELDS)
        sizes = children(extra.get("market_sizes"), f"{path}.market_sizes", m.MarketSize,
                         MARKET_SIZE_FIELDS, ("source_note",))
        for size in sizes:
            ref = size.refs.get("source_note")
            if ref is not None and (not isinstance(ref, str) or ref not in note_refs):
                errors.add(f"{size.path}.source_note",
                           _("Unknown %(what)s: %(ref)s.") % {"what": _("research note"), "ref": ref})
        node.children["market_sizes"] = sizes
        node.children["personas"] = children(extra.get("personas"), f"{path}.personas",
                                             m.Persona, PERSONA_FIELDS)
        statements = children(extra.get("positioning"), f"{path}.positioning",
                              m.PositioningStatement, STATEMENT_FIELDS, ("variants",))
        for statement in statements:
            statement.children["variants"] = children(
                statement.refs.pop("variants", None), f"{statement.path}.variants",
                m.PositioningVariant, VARIANT_FIELDS)
        node.children["positioning"] = statements
        pricing = extra.get("pricing")
        node.children["pricing"] = None
        if pricing is not None:
            p = f"{path}.pricing"
            read_pricing = _record(pricing, p, m.PricingStrategy, PRICING_FIELDS,
                                   ("tiers", "discounts"), errors)
            if read_pricing:
                pricing_node = _Node(p, read_pricing[0])
                pricing_node.children["tiers"] = children(
                    read_pricing[1].get("tiers"), f"{p}.tiers", m.PriceTier, TIER_FIELDS)
                pricing_node.children["discounts"] = children(
                    read_pricing[1].get("discounts"), f"{p}.discounts", m.DiscountPolicy,
                    DISCOUNT_FIELDS)
                node.children["pricing"] = pricing_node
        node.children["review_questions"] = children(
            extra.get("review_questions"), f"{path}.review_questions", m.ReviewQuestion,
            QUESTION_FIELDS)
        node.children["swot"] = swot_nodes(extra.get("swot"), f"{path}.swot")
        products.append(node)

    notes = []
    for i, item in enumerate(notes_in):
        path = f"research_notes[{i}]"
        read = _record(item, path, m.ResearchNote, NOTE_FIELDS, NOTE_KEYS, errors)
        if not read:
            continue
        fields, extra = read
        product = extra.get("product")
        if product is not None and (not isinstance(product, str) or product not in product_names):
            errors.add(f"{path}.product", _("Unknown product: %(name)s.") % {"name": product})
        notes.append(_Node(path, fields, refs={"ref": extra.get("ref"), "product": product}))

    competitors = []
    for i, item in enumerate(competitors_in):
        path = f"competitors[{i}]"
        read = _record(item, path, m.Competitor, COMPETITOR_FIELDS, COMPETITOR_KEYS, errors)
        if not read:
            continue
        fields, extra = read
        competes_with = []
        for k, name in enumerate(_list(extra.get("competes_with"), f"{path}.competes_with", errors)):
            if not isinstance(name, str) or name not in product_names:
                errors.add(f"{path}.competes_with[{k}]",
                           _("Unknown product: %(name)s.") % {"name": name})
            else:
                competes_with.append(name)
        tier = extra.get("tier")
        if tier is not None and tier not in m.Competitor.Tier.values:
            errors.add(f"{path}.tier", _("Unknown tier: %(tier)s.") % {"tier": tier})
        node = _Node(path, fields, refs={"tier": tier, "competes_with": competes_with})
        node.children["offerings"] = children(extra.get("offerings"), f"{path}.offerings",
                                              m.CompetitorProduct, OFFERING_FIELDS)
        node.children["moves"] = children(extra.get("moves"), f"{path}.moves",
                                          m.CompetitorMove, MOVE_FIELDS, ("ref",))
        node.children["swot"] = swot_nodes(extra.get("swot"), f"{path}.swot")
        competitors.append(node)

    errors.raise_if_any()
    return products, notes, competitors


# --- import: the writes ---------------------------------------------------------------------

def _at(path: str, exc: ValidationError) -> ValidationError:
    """``exc`` with every message keyed by its full path in the document."""
    if hasattr(exc, "error_dict"):
        return ValidationError({
            (path if name == NON_FIELD_ERRORS else f"{path}.{name}"): errors
            for name, errors in exc.error_dict.items()
        })
    return ValidationError({path: exc.error_list})


def _write(path: str, fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except ValidationError as exc:
        raise _at(path, exc) from None


def import_knowledge_base(data: dict, *, team, by, dry_run: bool = False) -> ImportResult:
    """Load an exported document into ``team`` — everything or, on any error, nothing.

    The caller gates the import (may ``by`` add records to ``team``); every record is
    written by the strategy services with ``by`` as the actor of its audit entry. A dry
    run does every write and check, then rolls back.
    """
    errors = _Errors()
    product_nodes, note_nodes, competitor_nodes = _read(data, errors)
    counts: Counter = Counter()
    with transaction.atomic():
        products: dict[str, m.Product] = {}
        for node in product_nodes:
            product = _write(node.path, services.products.create, by=by, team_id=team.pk, **node.fields)
            products[product.name] = product
            counts["products"] += 1

        notes: dict[str, m.ResearchNote] = {}
        for node in note_nodes:
            notes[node.refs["ref"]] = _write(
                node.path, services.research_notes.create, by=by, team_id=team.pk,
                product=products.get(node.refs["product"]), **node.fields)
            counts["research_notes"] += 1

        competitors: list[tuple[_Node, m.Competitor]] = []
        moves: dict[str, m.CompetitorMove] = {}
        for node in competitor_nodes:
            competitor = _write(
                node.path, services.competitors.create, by=by, team_id=team.pk,
                m2m={"products": [products[name] for name in node.refs["competes_with"]]},
                **node.fields)
            if node.refs["tier"] is not None and node.refs["tier"] != competitor.tier:
                raise ValidationError({f"{node.path}.tier": _(
                    "The tier does not follow from the overlap and audience (the rules give "
                    "%(tier)s).") % {"tier": competitor.tier}})
            counts["competitors"] += 1
            for child in node.children["offerings"]:
                _write(child.path, services.competitor_products.create, by=by,
                       competitor=competitor, **child.fields)
                counts["competitor_products"] += 1
            for child in node.children["moves"]:
                moves[child.refs["ref"]] = _write(
                    child.path, services.competitor_moves.create, by=by, competitor=competitor,
                    **child.fields)
                counts["competitor_moves"] += 1
            competitors.append((node, competitor))

        def swot(nodes: list[_Node], **subject) -> None:
            for child in nodes:
                _write(child.path, services.swot_entries.create, by=by, m2m={
                    "evidence_notes": [notes[r] for r in child.refs["evidence_notes"]],
                    "evidence_moves": [moves[r] for r in child.refs["evidence_moves"]],
                }, **subject, **child.fields)
                counts["swot_entries"] += 1

        for node in product_nodes:
            product = products[node.fields["name"]]
            _import_product_children(node, product, by=by, notes=notes, counts=counts)
            swot(node.children["swot"], product_id=product.pk)
        for node, competitor in competitors:
            swot(node.children["swot"], competitor_id=competitor.pk)

        if dry_run:
            transaction.set_rollback(True)
    return ImportResult(team_slug=team.slug, dry_run=dry_run,
                        counts=MappingProxyType({k: counts[k] for k in COUNTED_MODELS if counts[k]}))


def _import_product_children(node: _Node, product: m.Product, *, by, notes, counts) -> None:
    kids = node.children
    # The product service created an empty vision and the default review questions (S1,
    # S8); the document's versions replace them so the import reproduces it exactly.
    vision = product.vision
    if kids["vision"] is None:
        _write(f"{node.path}.vision", services.visions.delete, vision, by=by)
    else:
        _write(kids["vision"].path, services.visions.update, vision, by=by, **kids["vision"].fields)
        counts["visions"] += 1
    for child in kids["features"]:
        _write(child.path, services.features.create, by=by, product=product, **child.fields)
        counts["features"] += 1
    for child in kids["market_sizes"]:
        _write(child.path, services.market_sizes.create, by=by, product=product,
               source_note=notes.get(child.refs.get("source_note")), **child.fields)
        counts["market_sizes"] += 1
    for child in kids["personas"]:
        _write(child.path, services.personas.create, by=by, product=product, **child.fields)
        counts["personas"] += 1
    for child in kids["positioning"]:
        statement = _write(child.path, services.positioning_statements.create, by=by,
                           product=product, **child.fields)
        counts["positioning_statements"] += 1
        for variant in child.children["variants"]:
            _write(variant.path, services.positioning_variants.create, by=by,
                   statement=statement, **variant.fields)
            counts["positioning_variants"] += 1
    pricing_node = kids["pricing"]
    if pricing_node is not None:
        strategy = _write(pricing_node.path, services.pricing_strategies.create, by=by,
                          product=product, **pricing_node.fields)
        counts["pricing_strategies"] += 1
        for child in pricing_node.children["tiers"]:
            _write(child.path, services.price_tiers.create, by=by, strategy=strategy,
                   **child.fields)
            counts["price_tiers"] += 1
        for child in pricing_node.children["discounts"]:
            _write(child.path, services.discount_policies.create, by=by, strategy=strategy,
                   **child.fields)
            counts["discount_policies"] += 1
    seeded = list(product.review_questions.order_by("position", "pk"))
    for i, child in enumerate(kids["review_questions"]):
        if i < len(seeded):
            _write(child.path, services.review_questions.update, seeded[i], by=by, **child.fields)
        else:
            _write(child.path, services.review_questions.create, by=by, product=product,
                   **child.fields)
        counts["review_questions"] += 1
    for extra in seeded[len(kids["review_questions"]):]:
        services.review_questions.delete(extra, by=by)
