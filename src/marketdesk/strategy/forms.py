"""Forms of the strategy pages (S1–S8).

Forms only parse and validate input; every write goes through strategy.services.
Relation choices are limited by the permission gate, so a user can never pick another
team's product, research note or competitive move.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from marketdesk.accounts.models import Team
from marketdesk.core import permissions as gate
from marketdesk.core.forms import StyledForm, StyledModelForm
from marketdesk.core.text import no_markup
from marketdesk.strategy import models as m

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def user_teams(user):
    """The teams a user may file new records in (company-wide roles: every team)."""
    if gate.is_company_wide(user):
        return Team.objects.all()
    return Team.objects.filter(pk__in=gate.team_ids(user))


class WordListField(forms.CharField):
    """A list of short words edited as comma-separated text (",", "，" or "、")."""

    SEPARATORS = re.compile(r"[,，、]")
    MAX_WORD = 40

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 1000)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return ", ".join(str(v) for v in value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return []
        words = []
        for n, raw in enumerate(self.SEPARATORS.split(text), start=1):
            word = raw.strip()
            if not word:
                raise ValidationError(
                    _("Item %(n)s is empty: remove the extra comma."), code="empty_item", params={"n": n})
            if len(word) > self.MAX_WORD:
                raise ValidationError(
                    _("“%(word)s” is longer than %(max)s characters."), code="too_long",
                    params={"word": word[:20] + "…", "max": self.MAX_WORD})
            no_markup(word)
            if word not in words:
                words.append(word)
        return words


class StepsField(forms.CharField):
    """Discount steps (S7) edited one per line as "from amount = percent"."""

    LINE = re.compile(r"^(?P<start>[^=:：＝]+)[=:：＝](?P<pct>.+)$")

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        kwargs.setdefault("max_length", 2000)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(f"{s.get('from')} = {s.get('percent')}" for s in value
                             if isinstance(s, dict))
        return value

    @staticmethod
    def _number(text: str) -> Decimal:
        cleaned = re.sub(r"[\s,，_%％]", "", text)
        value = Decimal(cleaned)
        if not value.is_finite():
            raise InvalidOperation
        return value

    def to_python(self, value):
        text = super().to_python(value)
        steps = []
        for n, line in enumerate((text or "").splitlines(), start=1):
            if not line.strip():
                continue
            match = self.LINE.match(line.strip())
            try:
                if match is None:
                    raise InvalidOperation
                start, pct = self._number(match["start"]), self._number(match["pct"])
            except InvalidOperation:
                raise ValidationError(
                    _("Line %(n)s: write “from amount = percent”, e.g. “100000 = 5”."),
                    code="invalid_step", params={"n": n}) from None
            steps.append({"from": _json_number(start), "percent": _json_number(pct)})
        return steps


def _json_number(value: Decimal):
    return int(value) if value == value.to_integral_value() else float(value)


class StrategyForm(StyledModelForm):
    """Base of every strategy form: knows the user (for the gate) and the parent record;
    the first field takes the focus on a form page."""

    def __init__(self, *args, user, parent=None, autofocus=True, **kwargs):
        self.user = user
        self.parent = parent
        super().__init__(*args, **kwargs)
        if autofocus:
            for field in self.fields.values():
                if not isinstance(field.widget, forms.HiddenInput):
                    field.widget.attrs["autofocus"] = True
                    break


class TeamChoiceMixin:
    """``team`` is chosen only when a record is created; its choices are the user's teams."""

    def _setup_team(self):
        if self.instance.pk:
            self.fields.pop("team", None)
            return
        teams = user_teams(self.user)
        self.fields["team"].queryset = teams
        if len(teams) == 1:
            self.fields["team"].initial = teams[0].pk

    def team_id(self):
        if self.instance.pk:
            return self.instance.team_id
        team = self.cleaned_data.get("team")
        return team.pk if team else None


# --- Products (S1) -------------------------------------------------------------------

class ProductForm(TeamChoiceMixin, StrategyForm):
    brand_voice_words = WordListField(
        label=_("brand-voice words"), required=False,
        help_text=_("Comma-separated, e.g. “efficient, trusted, 效率”. Positioning statements "
                    "should use some of them (S6)."),
    )

    class Meta:
        model = m.Product
        fields = ["team", "name", "tagline", "description", "brand_voice_words"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_team()


class FeatureForm(StrategyForm):
    class Meta:
        model = m.Feature
        fields = ["name", "status", "description", "activation_event"]


class VisionForm(StrategyForm):
    class Meta:
        model = m.VisionDocument
        fields = ["target_users", "problems_solved", "success_measures"]
        widgets = {name: forms.Textarea(attrs={"rows": 6}) for name in fields}


# --- Personas (S5) -------------------------------------------------------------------

class PersonaForm(StrategyForm):
    class Meta:
        model = m.Persona
        fields = ["kind", "name", "title", "age_min", "age_max", "gender", "location",
                  "education", "income_level", "goals", "challenges", "personality_traits"]
        help_texts = {"kind": _("Buyer: decides the purchase. User: uses the product.")}


# --- Positioning (S6) ----------------------------------------------------------------

class PositioningStatementForm(StrategyForm):
    class Meta:
        model = m.PositioningStatement
        fields = ["audience", "problem", "benefit", "statement", "is_primary"]
        widgets = {"statement": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"statement": _("“Product X solves problem Z for audience Y” — short, "
                                     "benefit first, in the brand's voice.")}

    def __init__(self, *args, check_url=None, **kwargs):
        super().__init__(*args, **kwargs)
        if check_url:
            self.fields["statement"].widget.attrs.update({
                "hx-post": check_url,
                "hx-trigger": "input changed delay:300ms, change",
                "hx-target": "#positioning-checks",
                "hx-swap": "innerHTML",
                "aria-controls": "positioning-checks",
            })


class PositioningVariantForm(StrategyForm):
    class Meta:
        model = m.PositioningVariant
        fields = ["statement", "channel", "region", "audience", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"channel": _("Give a channel, a region or an audience (at least one).")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        qs = m.PositioningStatement.objects.filter(product=self.parent)
        self.fields["statement"].queryset = gate.scope(qs, self.user)
        self.fields["statement"].label_from_instance = lambda s: s.statement[:90]


# --- Pricing (S7) --------------------------------------------------------------------

class PricingStrategyForm(StrategyForm):
    class Meta:
        model = m.PricingStrategy
        fields = ["approach", "value_strategy", "currency", "rationale", "price_floor_note"]
        help_texts = {"value_strategy": _("Only for value-based pricing.")}

    def clean_currency(self):
        value = (self.cleaned_data.get("currency") or "").upper()
        if not re.fullmatch(r"[A-Z]{3}", value):
            raise ValidationError(_("Use a three-letter currency code such as CNY or USD."))
        return value


class PriceTierForm(StrategyForm):
    class Meta:
        model = m.PriceTier
        fields = ["name", "price", "period", "min_seats", "max_seats", "fits", "included",
                  "position"]


class DiscountPolicyForm(StrategyForm):
    steps = StepsField(
        label=_("steps"),
        help_text=_("One step per line: “from amount = percent”. A fixed ratio has one line "
                    "(“0 = 5”); a progressive ratio has rising amounts and percents that do not "
                    "fall (“0 = 3”, “100000 = 5”)."),
    )

    class Meta:
        model = m.DiscountPolicy
        fields = ["name", "kind", "ratio_type", "steps", "conditions"]


class TierRecommendForm(StyledForm):
    seats = forms.IntegerField(label=_("Seats the customer needs"), min_value=1,
                               max_value=10_000_000)


class DiscountCalcForm(StyledForm):
    policy = forms.ModelChoiceField(label=_("Discount policy"), queryset=m.DiscountPolicy.objects.none())
    amount = forms.DecimalField(label=_("Order amount"), min_value=0, max_digits=14,
                                decimal_places=2)

    def __init__(self, *args, policies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy"].queryset = policies


# --- SWOT (S4) and market sizes (S2) -------------------------------------------------

class SwotEntryForm(StrategyForm):
    """Evidence can only come from the team that owns the product or competitor."""

    class Meta:
        model = m.SwotEntry
        fields = ["quadrant", "text", "evidence_notes", "evidence_moves"]
        widgets = {"evidence_notes": forms.SelectMultiple(attrs={"size": 6}),
                   "evidence_moves": forms.SelectMultiple(attrs={"size": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        team_id = self.parent.team_id
        notes = m.ResearchNote.objects.filter(team_id=team_id).order_by("-collected_on", "title")
        moves = (m.CompetitorMove.objects.filter(competitor__team_id=team_id)
                 .select_related("competitor").order_by("-happened_on", "-id"))
        self.fields["evidence_notes"].queryset = gate.scope(notes, self.user)
        self.fields["evidence_moves"].queryset = gate.scope(moves, self.user)
        self.fields["evidence_notes"].help_text = _("Research notes of the same team.")
        self.fields["evidence_moves"].help_text = _("Competitive moves logged by the same team.")


class MarketSizeForm(StrategyForm):
    class Meta:
        model = m.MarketSize
        fields = ["segment", "region", "year", "target_customers", "source_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        notes = m.ResearchNote.objects.filter(team_id=self.parent.team_id)
        self.fields["source_note"].queryset = gate.scope(notes, self.user)


# --- Strategy review (S8) ------------------------------------------------------------

class ReviewQuestionForm(StrategyForm):
    class Meta:
        model = m.ReviewQuestion
        fields = ["question", "position"]


class ReviewAnswerForm(StrategyForm):
    class Meta:
        model = m.ReviewQuestion
        fields = ["answer"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 8})}


# --- Research (S2) -------------------------------------------------------------------

class ResearchNoteForm(TeamChoiceMixin, StrategyForm):
    class Meta:
        model = m.ResearchNote
        fields = ["team", "title", "kind", "method", "product", "source", "source_url",
                  "collected_on", "body"]
        widgets = {"collected_on": DATE_WIDGET, "body": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_team()
        products = m.Product.objects.select_related("team")
        self.fields["product"].queryset = gate.scope(products, self.user)
        if gate.is_company_wide(self.user):
            self.fields["product"].label_from_instance = lambda p: f"{p.name} · {p.team}"


class ResearchFilterForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("any"))] + list(m.ResearchNote.Kind.choices))
    method = forms.ChoiceField(label=_("Method"), required=False,
                               choices=[("", _("any"))] + list(m.ResearchNote.Method.choices))
    product = forms.ModelChoiceField(label=_("Product"), required=False,
                                     queryset=m.Product.objects.none(), empty_label=_("any"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = gate.scope(m.Product.objects.all(), user)


# --- Competitors (S3) ----------------------------------------------------------------

class CompetitorForm(TeamChoiceMixin, StrategyForm):
    class Meta:
        model = m.Competitor
        fields = ["team", "name", "product_overlap", "same_audience", "products", "website",
                  "summary", "strengths", "weaknesses", "web_signals"]
        widgets = {"products": forms.SelectMultiple(attrs={"size": 5})}

    def __init__(self, *args, tier_url=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_team()
        self.fields["product_overlap"].help_text = " ".join(
            _("%(tier)s: %(rule)s") % {"tier": label, "rule": rule} for label, rule in tier_rules())
        products = m.Product.objects.select_related("team")
        self.fields["products"].queryset = gate.scope(products, self.user)
        if gate.is_company_wide(self.user):
            self.fields["products"].label_from_instance = lambda p: f"{p.name} · {p.team}"
        if tier_url:
            for name in ("product_overlap", "same_audience"):
                self.fields[name].widget.attrs.update({
                    "hx-get": tier_url, "hx-trigger": "change",
                    "hx-include": "[name=product_overlap],[name=same_audience]",
                    "hx-target": "#tier-preview", "hx-swap": "innerHTML",
                })

    def clean(self):
        data = super().clean()
        team_id = self.team_id()
        products = data.get("products")
        if team_id and products:
            foreign = [p.name for p in products if p.team_id != team_id]
            if foreign:
                self.add_error("products", _("These products belong to another team: %(names)s.")
                               % {"names": ", ".join(foreign)})
        return data


def tier_rules():
    return [(m.Competitor.Tier(t).label, rule) for t, rule in m.Competitor.TIER_RULES.items()]


class CompetitorProductForm(StrategyForm):
    class Meta:
        model = m.CompetitorProduct
        fields = ["name", "pricing_model", "list_price", "currency", "price_note", "description"]


class CompetitorMoveForm(StrategyForm):
    class Meta:
        model = m.CompetitorMove
        fields = ["happened_on", "kind", "title", "details", "source_url"]
        widgets = {"happened_on": DATE_WIDGET, "details": forms.Textarea(attrs={"rows": 3})}
