"""HTMX pages of the product-strategy knowledge base (S1–S8).

Function-based views (STYLE 8): each reads through the permission gate, writes through
strategy.services, and returns a named partial of its page template when the request
comes from HTMX. A service's ValidationError is shown on the form and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from marketdesk.core import permissions as gate
from marketdesk.core import services as core_services
from marketdesk.core.services import RecordService
from marketdesk.strategy import forms as f
from marketdesk.strategy import models as m
from marketdesk.strategy import services
from marketdesk.strategy.positioning import check_statement
from marketdesk.strategy.pricing import discount_amount, recommend_tier

PRODUCT_TABS = {
    "overview": gettext_lazy("Overview"),
    "vision": gettext_lazy("Vision"),
    "personas": gettext_lazy("Personas"),
    "positioning": gettext_lazy("Positioning"),
    "pricing": gettext_lazy("Pricing"),
    "swot": gettext_lazy("SWOT"),
    "market": gettext_lazy("Market sizes"),
    "research": gettext_lazy("Research"),
    "review": gettext_lazy("Strategy review"),
    "history": gettext_lazy("History"),
}
COMPETITOR_TABS = {
    "overview": gettext_lazy("Overview"),
    "offerings": gettext_lazy("Products and pricing"),
    "moves": gettext_lazy("Moves"),
    "swot": gettext_lazy("SWOT"),
    "history": gettext_lazy("History"),
}

# S7 (seed 000 §2.3): what each pricing approach means, shown beside the strategy.
APPROACH_HELP = {
    m.PricingStrategy.Approach.COMPETITIVE: gettext_lazy(
        "The simplest method: set the same price as competitors for similar products, or a "
        "higher one when you offer something more unique; follow competitors' financial "
        "reports to judge their costs."),
    m.PricingStrategy.Approach.VALUE_BASED: gettext_lazy(
        "More complex but more effective: price by the value the customer gets, to make the "
        "most profit. A brand-new, unique product can start here — or launch free and raise "
        "the price as features grow."),
}


def _approach_help():
    return [(key, m.PricingStrategy.Approach(key).label, text) for key, text in APPROACH_HELP.items()]


@dataclass(frozen=True)
class Gated:
    """A model as the ``can`` template tag sees it (without a record at hand)."""

    model: type

    @property
    def gate_rules(self):
        return self.model.gate_rules


@dataclass(frozen=True)
class ChildKind:
    """A kind of record edited from its parent's page (product or competitor)."""

    model: type
    form: type
    service: RecordService
    tab: str
    parent_field: str  # ORM path from the child to its parent record
    template: str = "strategy/form.html"
    needs_pricing: bool = False
    team_owned: bool = False  # SwotEntry carries its own team
    initial_from_query: tuple[str, ...] = ()
    extras: Callable | None = field(default=None, compare=False)

    @property
    def gate_rules(self):
        return self.model.gate_rules

    def fixed(self, parent) -> dict:
        """The fields a new record takes from its parent."""
        if self.needs_pricing:
            return {"strategy_id": parent.pricing.pk}
        if "__" in self.parent_field:
            return {}
        fields = {f"{self.parent_field}_id": parent.pk}
        if self.team_owned:
            fields["team_id"] = parent.team_id
        return fields


def _statement_extras(request, parent, instance):
    """The positioning form starts with the checks of the text it shows."""
    if request.method == "POST":
        text = request.POST.get("statement", "")[:2000]
    else:
        text = instance.statement or ""
    return {
        "form_kwargs": {"check_url": reverse("strategy:positioning_check", args=[parent.pk])},
        "checks": _checks(parent, text),
    }


PRODUCT_KINDS = {
    "features": ChildKind(m.Feature, f.FeatureForm, services.features, "overview", "product"),
    "personas": ChildKind(m.Persona, f.PersonaForm, services.personas, "personas", "product",
                          initial_from_query=("kind",)),
    "statements": ChildKind(m.PositioningStatement, f.PositioningStatementForm,
                            services.positioning_statements, "positioning", "product",
                            template="strategy/positioning_form.html", extras=_statement_extras),
    "variants": ChildKind(m.PositioningVariant, f.PositioningVariantForm,
                          services.positioning_variants, "positioning", "statement__product",
                          initial_from_query=("statement",)),
    "tiers": ChildKind(m.PriceTier, f.PriceTierForm, services.price_tiers, "pricing",
                       "strategy__product", needs_pricing=True),
    "discounts": ChildKind(m.DiscountPolicy, f.DiscountPolicyForm, services.discount_policies,
                           "pricing", "strategy__product", needs_pricing=True),
    "swot": ChildKind(m.SwotEntry, f.SwotEntryForm, services.swot_entries, "swot", "product",
                      team_owned=True, initial_from_query=("quadrant",)),
    "market_sizes": ChildKind(m.MarketSize, f.MarketSizeForm, services.market_sizes, "market",
                              "product"),
    "questions": ChildKind(m.ReviewQuestion, f.ReviewQuestionForm, services.review_questions,
                           "review", "product"),
}
COMPETITOR_KINDS = {
    "offerings": ChildKind(m.CompetitorProduct, f.CompetitorProductForm,
                           services.competitor_products, "offerings", "competitor"),
    "moves": ChildKind(m.CompetitorMove, f.CompetitorMoveForm, services.competitor_moves,
                       "moves", "competitor"),
    "swot": ChildKind(m.SwotEntry, f.SwotEntryForm, services.swot_entries, "swot", "competitor",
                      team_owned=True, initial_from_query=("quadrant",)),
}
PARENTS = {
    "products": (m.Product, PRODUCT_KINDS, "strategy:product_tab"),
    "competitors": (m.Competitor, COMPETITOR_KINDS, "strategy:competitor_tab"),
}


# --- shared machinery ------------------------------------------------------------------

def _partial(request) -> bool:
    """An HTMX swap gets the partial; a history restore needs the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _split(form) -> tuple[dict, dict]:
    """The form's cleaned data as (fields, m2m) for a service call; a foreign key goes
    as its id (``team_id``), which is what the services check teams by."""
    opts = form._meta.model._meta
    concrete = {fld.name: fld for fld in opts.concrete_fields}
    m2m_names = {fld.name for fld in opts.many_to_many}
    fields, m2m = {}, {}
    for name, value in form.cleaned_data.items():
        if name in m2m_names:
            m2m[name] = list(value)
        elif name in concrete:
            fld = concrete[name]
            if fld.is_relation:
                fields[fld.attname] = value.pk if value is not None else None
            else:
                fields[name] = value
    return fields, m2m


def _save_form(request, form, *, obj=None, service, fixed=None):
    """Create or update through the service; a ValidationError lands on the form and,
    the service being one transaction, nothing is written."""
    fields, m2m = _split(form)
    try:
        if obj is None:
            return service.create(by=request.user, m2m=m2m, **(fixed or {}), **fields)
        return service.update(obj, by=request.user, m2m=m2m, **fields)
    except ValidationError as exc:
        _add_errors(form, exc)
        return None


def _form_page(request, form, *, title, cancel_url, parent=None, template="strategy/form.html",
               extra=None):
    context = {"form": form, "title": title, "cancel_url": cancel_url, "parent": parent,
               **(extra or {})}
    return render(request, template, context, status=400 if form.is_bound else 200)


def _require(user, action, model) -> None:
    """403 unless the role may ``action`` this kind of record (scope is checked later)."""
    if not gate.can(user, action, model):
        raise PermissionDenied


def _saved(request, obj):
    messages.success(request, _("Saved %(kind)s “%(name)s”.") % {
        "kind": obj._meta.verbose_name, "name": obj})


def _delete_page(request, obj, *, service, success_url, cancel_url):
    if request.method == "POST":
        name, kind = str(obj), obj._meta.verbose_name
        service.delete(obj, by=request.user)
        messages.success(request, _("Deleted %(kind)s “%(name)s”.") % {"kind": kind, "name": name})
        return redirect(success_url)
    return render(request, "strategy/confirm_delete.html", {
        "object": obj, "kind": obj._meta.verbose_name, "cascade": core_services.cascade_counts(obj),
        "cancel_url": cancel_url,
    })


def _checks(product, text):
    names = list(product.features.values_list("name", flat=True))
    return check_statement(text, feature_names=names, brand_words=product.brand_voice_words)


def _swot_quadrants(entries_qs, user):
    notes = gate.scope(m.ResearchNote.objects.all(), user)
    moves = gate.scope(m.CompetitorMove.objects.select_related("competitor"), user)
    entries = list(entries_qs.prefetch_related(Prefetch("evidence_notes", queryset=notes),
                                               Prefetch("evidence_moves", queryset=moves)))
    return [(code, label, [e for e in entries if e.quadrant == code])
            for code, label in m.SwotEntry.Quadrant.choices]


# --- products --------------------------------------------------------------------------

@login_required
def product_list(request):
    products = gate.restrict(
        m.Product.objects.select_related("team").annotate(
            persona_count=Count("personas", distinct=True),
            competitor_count=Count("competitors", distinct=True),
            feature_count=Count("features", distinct=True),
        ),
        request.user,
    )
    return render(request, "strategy/product_list.html", {
        "products": products, "product_kind": Gated(m.Product)})


def _product(request, pk, action="view"):
    return gate.get_object(m.Product.objects.select_related("team"), request.user, action, pk=pk)


def _pricing_of(product):
    return m.PricingStrategy.objects.filter(product=product).first()


def _product_tab_context(request, product, tab) -> dict:
    user = request.user
    if tab == "overview":
        return {"features": product.features.all()}
    if tab == "vision":
        return {"vision": m.VisionDocument.objects.filter(product=product).first()}
    if tab == "personas":
        personas = list(product.personas.all())
        return {"persona_sides": [
            (kind, label, [p for p in personas if p.kind == kind])
            for kind, label in ((m.Persona.Kind.BUYER, _("Buyer personas — decide the purchase")),
                                (m.Persona.Kind.USER, _("User personas — use the product")))]}
    if tab == "positioning":
        names = list(product.features.values_list("name", flat=True))
        statements = product.positioning.prefetch_related("variants")
        return {"statements": [
            (s, check_statement(s.statement, feature_names=names,
                                brand_words=product.brand_voice_words))
            for s in statements]}
    if tab == "pricing":
        strategy = _pricing_of(product)
        context = {"strategy": strategy, "tiers": [], "discounts": [],
                   "approach_help": _approach_help(),
                   "value_strategies": m.PricingStrategy.ValueStrategy.choices}
        if strategy is not None:
            discounts = strategy.discounts.all()
            context.update({
                "tiers": list(strategy.tiers.all()), "discounts": list(discounts),
                "recommend_form": f.TierRecommendForm(auto_id="rec_%s"),
                "discount_form": f.DiscountCalcForm(policies=discounts, auto_id="disc_%s"),
            })
        return context
    if tab == "swot":
        return {"quadrants": _swot_quadrants(product.swot_entries.all(), user)}
    if tab == "market":
        return {"market_sizes": product.market_sizes.select_related("source_note")}
    if tab == "research":
        return {"notes": gate.restrict(m.ResearchNote.objects.filter(product=product), user),
                "note_kind": Gated(m.ResearchNote)}
    if tab == "review":
        return {"questions": product.review_questions.all()}
    return {}


def _render_product(request, product, tab, extra=None):
    context = {
        "product": product, "tab": tab, "parent_type": "products", "parent_obj": product,
        "kinds": PRODUCT_KINDS,
        "tabs": [(key, label, reverse("strategy:product_tab", args=[product.pk, key]))
                 for key, label in PRODUCT_TABS.items()],
        **_product_tab_context(request, product, tab), **(extra or {}),
    }
    template = "strategy/product_detail.html#tabs" if _partial(request) else "strategy/product_detail.html"
    return render(request, template, context)


@login_required
@require_GET
def product_detail(request, pk, tab="overview"):
    if tab not in PRODUCT_TABS:
        raise Http404
    return _render_product(request, _product(request, pk), tab)


@login_required
def product_create(request):
    _require(request.user, "add", m.Product)
    form = f.ProductForm(request.POST if request.method == "POST" else None,
                         user=request.user)
    if request.method == "POST" and form.is_valid():
        gate.check_team(request.user, "add", m.Product, form.team_id())
        product = _save_form(request, form, service=services.products)
        if product is not None:
            _saved(request, product)
            return redirect(product.get_absolute_url())
    return _form_page(request, form, title=_("New product"),
                      cancel_url=reverse("strategy:product_list"),
                      extra={"crumb": (_("Products"), reverse("strategy:product_list"))})


@login_required
def product_edit(request, pk):
    product = _product(request, pk, "change")
    form = f.ProductForm(request.POST if request.method == "POST" else None,
                         instance=product, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = _save_form(request, form, obj=product, service=services.products)
        if saved is not None:
            _saved(request, saved)
            return redirect(saved.get_absolute_url())
    return _form_page(request, form, title=_("Edit product"), parent=product,
                      cancel_url=product.get_absolute_url(),
                      extra={"crumb": (_("Products"), reverse("strategy:product_list"))})


@login_required
def product_delete(request, pk):
    product = _product(request, pk, "delete")
    return _delete_page(request, product, service=services.products,
                        success_url=reverse("strategy:product_list"),
                        cancel_url=product.get_absolute_url())


@login_required
def vision_edit(request, pk):
    """S1: the vision document answers who uses the product, which problems it solves and
    how success is measured."""
    product = _product(request, pk)
    vision = m.VisionDocument.objects.filter(product=product).first()
    if vision is None:
        gate.check_team(request.user, "add", m.VisionDocument, product.team_id)
    else:
        gate.check(request.user, "change", vision)
    form = f.VisionForm(request.POST if request.method == "POST" else None,
                        instance=vision or m.VisionDocument(product=product),
                        user=request.user, parent=product)
    if request.method == "POST" and form.is_valid():
        saved = _save_form(request, form, obj=vision, service=services.visions,
                           fixed={"product_id": product.pk})
        if saved is not None:
            _saved(request, saved)
            return redirect("strategy:product_tab", pk=product.pk, tab="vision")
    return _form_page(request, form, title=_("Edit the vision"), parent=product,
                      cancel_url=reverse("strategy:product_tab", args=[product.pk, "vision"]))


@login_required
def pricing_edit(request, pk):
    """S7: the product's pricing strategy (one per product)."""
    product = _product(request, pk)
    strategy = _pricing_of(product)
    if strategy is None:
        gate.check_team(request.user, "add", m.PricingStrategy, product.team_id)
    else:
        gate.check(request.user, "change", strategy)
    form = f.PricingStrategyForm(request.POST if request.method == "POST" else None,
                                 instance=strategy or m.PricingStrategy(product=product),
                                 user=request.user, parent=product)
    if request.method == "POST" and form.is_valid():
        saved = _save_form(request, form, obj=strategy, service=services.pricing_strategies,
                           fixed={"product_id": product.pk})
        if saved is not None:
            _saved(request, saved)
            return redirect("strategy:product_tab", pk=product.pk, tab="pricing")
    return _form_page(request, form, title=_("Pricing strategy"), parent=product,
                      cancel_url=reverse("strategy:product_tab", args=[product.pk, "pricing"]),
                      template="strategy/pricing_form.html",
                      extra={"approach_help": _approach_help(),
                             "value_strategies": m.PricingStrategy.ValueStrategy.choices})


def _pricing_strategy_or_404(product):
    strategy = _pricing_of(product)
    if strategy is None:
        raise Http404
    return strategy


@login_required
@require_GET
def pricing_recommend(request, pk):
    """S7: the right tier for a customer of N seats."""
    product = _product(request, pk)
    strategy = _pricing_strategy_or_404(product)
    form = f.TierRecommendForm(request.GET, auto_id="rec_%s")
    advice = None
    if form.is_valid():
        advice = recommend_tier(list(strategy.tiers.all()), form.cleaned_data["seats"])
    extra = {"recommend_form": form, "advice": advice}
    if _partial(request):
        return render(request, "strategy/product_detail.html#recommendation",
                      {"product": product, **extra})
    return _render_product(request, product, "pricing", extra)


@login_required
@require_GET
def pricing_discount(request, pk):
    """S7 / seed 001 §5: what a discount policy gives on an order amount."""
    product = _product(request, pk)
    strategy = _pricing_strategy_or_404(product)
    form = f.DiscountCalcForm(request.GET, policies=strategy.discounts.all(), auto_id="disc_%s")
    result = None
    if form.is_valid():
        policy, amount = form.cleaned_data["policy"], form.cleaned_data["amount"]
        off = discount_amount(policy.ratio_type, policy.steps, amount)
        result = {"policy": policy, "amount": amount.quantize(Decimal("0.01")), "off": off,
                  "net": (amount - off).quantize(Decimal("0.01")),
                  "currency": strategy.currency}
    extra = {"discount_form": form, "discount": result}
    if _partial(request):
        return render(request, "strategy/product_detail.html#discount",
                      {"product": product, **extra})
    return _render_product(request, product, "pricing", extra)


@login_required
@require_POST
def positioning_check(request, pk):
    """S6: the three seed rules checked while the statement is typed."""
    product = _product(request, pk)
    text = request.POST.get("statement", "")[:2000]
    return render(request, "strategy/positioning_form.html#checks",
                  {"checks": _checks(product, text)})


@login_required
def review_answer(request, pk, question_id):
    """S8: answering a review question stamps today's date."""
    product = _product(request, pk)
    question = gate.get_object(m.ReviewQuestion.objects.all(), request.user, "change",
                               pk=question_id, product=product)
    form = f.ReviewAnswerForm(request.POST if request.method == "POST" else None,
                              instance=question, user=request.user, parent=product)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_answer(question, answer=form.cleaned_data["answer"], by=request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Answer saved; the question is marked as reviewed today."))
            return redirect("strategy:product_tab", pk=product.pk, tab="review")
    return _form_page(request, form, title=_("Answer a review question"), parent=product,
                      cancel_url=reverse("strategy:product_tab", args=[product.pk, "review"]),
                      extra={"lead": question.question})


# --- records edited from a parent's page -----------------------------------------------

def _child_setup(request, parent, pk, kind):
    if parent not in PARENTS:
        raise Http404
    parent_model, kinds, tab_url = PARENTS[parent]
    spec = kinds.get(kind)
    if spec is None:
        raise Http404
    parent_obj = gate.get_object(parent_model.objects.select_related("team"), request.user,
                                 "view", pk=pk)
    return spec, parent_obj, reverse(tab_url, args=[parent_obj.pk, spec.tab])


def _child_form(request, spec, parent_obj, *, instance, initial=None):
    data = request.POST if request.method == "POST" else None
    extra = spec.extras(request, parent_obj, instance) if spec.extras else {}
    form = spec.form(data, instance=instance, user=request.user, parent=parent_obj,
                     initial=initial, **extra.pop("form_kwargs", {}))
    return form, extra


@login_required
def child_create(request, parent, pk, kind):
    spec, parent_obj, back = _child_setup(request, parent, pk, kind)
    gate.check_team(request.user, "add", spec.model, parent_obj.team_id)
    if spec.needs_pricing and _pricing_of(parent_obj) is None:
        messages.error(request, _("Set the pricing strategy first."))
        return redirect(back)
    fixed = spec.fixed(parent_obj)
    initial = {k: request.GET[k] for k in spec.initial_from_query if k in request.GET}
    form, extra = _child_form(request, spec, parent_obj, instance=spec.model(**fixed),
                              initial=initial)
    if request.method == "POST" and form.is_valid():
        obj = _save_form(request, form, service=spec.service, fixed=fixed)
        if obj is not None:
            _saved(request, obj)
            return redirect(back)
    title = _("New %(kind)s") % {"kind": spec.model._meta.verbose_name}
    return _form_page(request, form, title=title, cancel_url=back, parent=parent_obj,
                      template=spec.template, extra=extra)


def _child_object(request, spec, parent_obj, child_id, action):
    return gate.get_object(spec.model.objects.all(), request.user, action, pk=child_id,
                           **{spec.parent_field: parent_obj})


@login_required
def child_edit(request, parent, pk, kind, child_id):
    spec, parent_obj, back = _child_setup(request, parent, pk, kind)
    obj = _child_object(request, spec, parent_obj, child_id, "change")
    form, extra = _child_form(request, spec, parent_obj, instance=obj)
    if request.method == "POST" and form.is_valid():
        saved = _save_form(request, form, obj=obj, service=spec.service)
        if saved is not None:
            _saved(request, saved)
            return redirect(back)
    title = _("Edit %(kind)s") % {"kind": spec.model._meta.verbose_name}
    return _form_page(request, form, title=title, cancel_url=back, parent=parent_obj,
                      template=spec.template, extra=extra)


@login_required
def child_delete(request, parent, pk, kind, child_id):
    spec, parent_obj, back = _child_setup(request, parent, pk, kind)
    obj = _child_object(request, spec, parent_obj, child_id, "delete")
    return _delete_page(request, obj, service=spec.service, success_url=back, cancel_url=back)


# --- competitors (S3) ------------------------------------------------------------------

@login_required
def competitor_list(request):
    competitors = gate.restrict(
        m.Competitor.objects.select_related("team")
        .prefetch_related(Prefetch("products", queryset=m.Product.objects.only("id", "name")))
        .annotate(move_count=Count("moves"), last_move_on=Max("moves__happened_on")),
        request.user,
    )
    by_tier = {tier: [] for tier in m.Competitor.Tier.values}
    for competitor in competitors:
        by_tier[competitor.tier].append(competitor)
    tiers = [(tier, m.Competitor.Tier(tier).label, m.Competitor.TIER_RULES[tier], by_tier[tier])
             for tier in m.Competitor.Tier.values]
    return render(request, "strategy/competitor_list.html", {
        "tiers": tiers, "competitor_kind": Gated(m.Competitor)})


def _competitor(request, pk, action="view"):
    return gate.get_object(m.Competitor.objects.select_related("team"), request.user, action, pk=pk)


def _competitor_tab_context(request, competitor, tab) -> dict:
    user = request.user
    if tab == "overview":
        return {"competes_with": gate.scope(competitor.products.all(), user)}
    if tab == "offerings":
        return {"offerings": competitor.offerings.all()}
    if tab == "moves":
        context = {"moves": competitor.moves.all()}
        if gate.can(user, "add", m.CompetitorMove):
            context["move_form"] = f.CompetitorMoveForm(user=user, parent=competitor,
                                                        autofocus=False)
        return context
    if tab == "swot":
        return {"quadrants": _swot_quadrants(competitor.swot_entries.all(), user)}
    return {}


def _render_competitor(request, competitor, tab):
    context = {
        "competitor": competitor, "tab": tab, "parent_type": "competitors",
        "parent_obj": competitor, "kinds": COMPETITOR_KINDS,
        "tabs": [(key, label, reverse("strategy:competitor_tab", args=[competitor.pk, key]))
                 for key, label in COMPETITOR_TABS.items()],
        "tier_rule": m.Competitor.TIER_RULES.get(competitor.tier, ""),
        **_competitor_tab_context(request, competitor, tab),
    }
    template = ("strategy/competitor_detail.html#tabs" if _partial(request)
                else "strategy/competitor_detail.html")
    return render(request, template, context)


@login_required
@require_GET
def competitor_detail(request, pk, tab="overview"):
    if tab not in COMPETITOR_TABS:
        raise Http404
    return _render_competitor(request, _competitor(request, pk), tab)


def _tier_preview(overlap, same_audience) -> dict:
    tier = None
    if overlap in m.Competitor.Overlap.values:
        tier = m.Competitor.tier_for(overlap, same_audience)
    return {"tier": tier, "tier_label": m.Competitor.Tier(tier).label if tier else "",
            "tier_rule": m.Competitor.TIER_RULES.get(tier, "") if tier else "",
            "overlap_chosen": bool(overlap)}


@login_required
@require_GET
def competitor_tier(request):
    """S3: the tier the seed's rules derive from the overlap answers (form preview)."""
    same = request.GET.get("same_audience", "") in {"on", "true", "True", "1"}
    return render(request, "strategy/competitor_form.html#tier",
                  _tier_preview(request.GET.get("product_overlap", ""), same))


def _competitor_form_page(request, form, *, title, cancel_url, parent=None):
    if form.is_bound:
        overlap = form.data.get("product_overlap", "")
        same = form.data.get("same_audience", "") in {"on", "true", "True", "1"}
    else:
        overlap = form["product_overlap"].value() or ""
        same = bool(form["same_audience"].value())
    return _form_page(request, form, title=title, cancel_url=cancel_url, parent=parent,
                      template="strategy/competitor_form.html",
                      extra={**_tier_preview(overlap, same), "tier_rules": f.tier_rules(),
                             "crumb": (_("Competitors"), reverse("strategy:competitor_list"))})


@login_required
def competitor_create(request):
    _require(request.user, "add", m.Competitor)
    form = f.CompetitorForm(request.POST if request.method == "POST" else None,
                            user=request.user, tier_url=reverse("strategy:competitor_tier"))
    if request.method == "POST" and form.is_valid():
        gate.check_team(request.user, "add", m.Competitor, form.team_id())
        competitor = _save_form(request, form, service=services.competitors)
        if competitor is not None:
            _saved(request, competitor)
            return redirect(competitor.get_absolute_url())
    return _competitor_form_page(request, form, title=_("New competitor"),
                                 cancel_url=reverse("strategy:competitor_list"))


@login_required
def competitor_edit(request, pk):
    competitor = _competitor(request, pk, "change")
    form = f.CompetitorForm(request.POST if request.method == "POST" else None,
                            instance=competitor, user=request.user,
                            tier_url=reverse("strategy:competitor_tier"))
    if request.method == "POST" and form.is_valid():
        saved = _save_form(request, form, obj=competitor, service=services.competitors)
        if saved is not None:
            _saved(request, saved)
            return redirect(saved.get_absolute_url())
    return _competitor_form_page(request, form, title=_("Edit competitor"), parent=competitor,
                                 cancel_url=competitor.get_absolute_url())


@login_required
def competitor_delete(request, pk):
    competitor = _competitor(request, pk, "delete")
    return _delete_page(request, competitor, service=services.competitors,
                        success_url=reverse("strategy:competitor_list"),
                        cancel_url=competitor.get_absolute_url())


# --- research (S2) ---------------------------------------------------------------------

@login_required
@require_GET
def research_list(request):
    form = f.ResearchFilterForm(request.GET, user=request.user)
    notes = gate.restrict(m.ResearchNote.objects.select_related("team", "product"), request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            notes = notes.filter(Q(title__icontains=data["q"]) | Q(source__icontains=data["q"])
                                 | Q(body__icontains=data["q"]))
        if data["kind"]:
            notes = notes.filter(kind=data["kind"])
        if data["method"]:
            notes = notes.filter(method=data["method"])
        if data["product"]:
            notes = notes.filter(product=data["product"])
    else:
        notes = notes.none()
    page = Paginator(notes, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "strategy/research_list.html#results" if _partial(request) else "strategy/research_list.html"
    return render(request, template, {
        "form": form, "page": page, "query": query.urlencode(),
        "note_kind": Gated(m.ResearchNote)})


def _note(request, pk, action="view"):
    return gate.get_object(m.ResearchNote.objects.select_related("team", "product"),
                           request.user, action, pk=pk)


@login_required
@require_GET
def research_detail(request, pk):
    note = _note(request, pk)
    swot = gate.scope(note.swot_entries.select_related("product", "competitor"), request.user)
    sizes = gate.scope(note.market_sizes.select_related("product"), request.user)
    return render(request, "strategy/research_detail.html", {
        "note": note, "swot_entries": swot, "market_sizes": sizes})


@login_required
def research_create(request):
    _require(request.user, "add", m.ResearchNote)
    initial = {}
    product_id = request.GET.get("product", "")
    if product_id.isdigit():
        product = gate.scope(m.Product.objects.all(), request.user).filter(pk=product_id).first()
        if product is not None:
            initial = {"product": product.pk, "team": product.team_id}
    form = f.ResearchNoteForm(request.POST if request.method == "POST" else None,
                              user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        gate.check_team(request.user, "add", m.ResearchNote, form.team_id())
        note = _save_form(request, form, service=services.research_notes)
        if note is not None:
            _saved(request, note)
            return redirect(note.get_absolute_url())
    return _form_page(request, form, title=_("New research note"),
                      cancel_url=reverse("strategy:research_list"),
                      extra={"crumb": (_("Research"), reverse("strategy:research_list"))})


@login_required
def research_edit(request, pk):
    note = _note(request, pk, "change")
    form = f.ResearchNoteForm(request.POST if request.method == "POST" else None,
                              instance=note, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = _save_form(request, form, obj=note, service=services.research_notes)
        if saved is not None:
            _saved(request, saved)
            return redirect(saved.get_absolute_url())
    return _form_page(request, form, title=_("Edit research note"), parent=note,
                      cancel_url=note.get_absolute_url(),
                      extra={"crumb": (_("Research"), reverse("strategy:research_list"))})


@login_required
def research_delete(request, pk):
    note = _note(request, pk, "delete")
    return _delete_page(request, note, service=services.research_notes,
                        success_url=reverse("strategy:research_list"),
                        cancel_url=note.get_absolute_url())
