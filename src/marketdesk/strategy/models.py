"""The product-strategy knowledge base (DOMAIN S1–S8), one source of truth that
marketing, product, sales and customer success all read."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from marketdesk.core.models import Gated
from marketdesk.core.text import no_markup


# Plain-text fields refuse markup; long-form fields are Markdown, sanitised on display.
def _plain(verbose, max_length=200, **kw):
    return models.CharField(verbose, max_length=max_length, validators=[no_markup], **kw)


def _markdown(verbose, **kw):
    return models.TextField(verbose, blank=True, help_text=_("Markdown."), **kw)


def _team_of(model, pk):
    """The team of the referenced record, or None when ``pk`` names none (clean_fields()
    then reports the field, and clean() must not fail on the raw value)."""
    if not pk:
        return None
    try:
        return model.objects.filter(pk=pk).values_list("team_id", flat=True).first()
    except (TypeError, ValueError):
        return None


def _both_int(*values) -> bool:
    # clean() also runs when clean_fields() failed, with the raw values still in place.
    return all(isinstance(v, int) for v in values)


WORD_MAX_LENGTH = 60


def word_list_error(value):
    """The reason a JSON word list (brand-voice words, KPI ids) is not a list of short,
    non-empty plain-text strings, or None when it is."""
    from django.core.exceptions import ValidationError

    if not isinstance(value, list):
        return _("Give a list of words.")
    for i, word in enumerate(value, start=1):
        if not isinstance(word, str) or not word.strip():
            return _("Item %(n)s must be a non-empty text.") % {"n": i}
        if len(word) > WORD_MAX_LENGTH:
            return _("Item %(n)s is longer than %(max)s characters.") % {
                "n": i, "max": WORD_MAX_LENGTH}
        try:
            no_markup(word)
        except ValidationError:
            return _("Item %(n)s contains HTML tags; write plain text.") % {"n": i}
    return None


class Product(Gated):
    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), on_delete=models.PROTECT,
                             related_name="products")
    name = _plain(_("name"), 120)
    tagline = _plain(_("tagline"), 200, blank=True)
    description = _markdown(_("description"))
    brand_voice_words = models.JSONField(
        _("brand-voice words"), default=list, blank=True,
        help_text=_("Words that carry the brand's voice; positioning statements should use some (S6)."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="unique_product_name")]

    def clean(self):
        from django.core.exceptions import ValidationError

        if error := word_list_error(self.brand_voice_words):
            raise ValidationError({"brand_voice_words": error})

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("strategy:product_detail", args=[self.pk])


class ProductChild(Gated):
    """A record that belongs to one product; its History shows on the product page."""

    gate_team_path = "product__team"

    class Meta:
        abstract = True

    @property
    def audit_root(self):
        return self.product


class Feature(ProductChild):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        BETA = "beta", _("Beta")
        GA = "ga", _("Generally available")
        RETIRED = "retired", _("Retired")

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE,
                                related_name="features")
    name = _plain(_("name"), 120)
    description = _markdown(_("description"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.GA)
    activation_event = _plain(
        _("activation event"), 120, blank=True,
        help_text=_("The usage event that marks a real user of this feature (F5)."),
    )

    class Meta:
        ordering = ["product", "name"]
        verbose_name = _("feature")
        verbose_name_plural = _("features")
        constraints = [models.UniqueConstraint(fields=["product", "name"], name="unique_feature_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("strategy:product_tab", args=[self.product_id, "overview"]) + f"#feature-{self.pk}"


class VisionDocument(ProductChild):
    """S1: who uses the product, which problems it solves, how success is measured."""

    product = models.OneToOneField(Product, verbose_name=_("product"), on_delete=models.CASCADE,
                                   related_name="vision")
    target_users = _markdown(_("who uses the product"))
    problems_solved = _markdown(_("which problems it solves"))
    success_measures = _markdown(_("how success is measured"))
    success_kpis = models.JSONField(
        _("success KPIs"), default=list, blank=True,
        help_text=_("Ids of KPI definitions that measure success (K/F)."),
    )

    class Meta:
        verbose_name = _("vision document")
        verbose_name_plural = _("vision documents")

    def clean(self):
        from django.core.exceptions import ValidationError

        if error := word_list_error(self.success_kpis):
            raise ValidationError({"success_kpis": error})

    def __str__(self):
        return _("%(product)s — vision") % {"product": self.product}

    def get_absolute_url(self):
        return reverse("strategy:product_tab", args=[self.product_id, "vision"])


class ResearchNote(Gated):
    """S2: a sourced note from primary or secondary research."""

    class Kind(models.TextChoices):
        PRIMARY = "primary", _("Primary research")
        SECONDARY = "secondary", _("Secondary research")

    class Method(models.TextChoices):
        SURVEY = "survey", _("Survey")
        INTERVIEW = "interview", _("Interview")
        QUESTIONNAIRE = "questionnaire", _("Questionnaire")
        CONVERSATION = "conversation", _("Conversation")
        REPORT = "report", _("Industry report")
        GOVERNMENT = "government", _("Government source")
        ASSOCIATION = "association", _("Industry association")
        PUBLICATION = "publication", _("Publication / media")
        OTHER = "other", _("Other")

    PRIMARY_METHODS = {Method.SURVEY, Method.INTERVIEW, Method.QUESTIONNAIRE, Method.CONVERSATION}

    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), on_delete=models.PROTECT,
                             related_name="research_notes")
    product = models.ForeignKey(Product, verbose_name=_("product"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="research_notes")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    method = models.CharField(_("method"), max_length=15, choices=Method.choices)
    title = _plain(_("title"), 200)
    source = _plain(_("source"), 200, help_text=_("Who or what the information comes from."))
    source_url = models.URLField(_("source link"), blank=True)
    collected_on = models.DateField(_("collected on"))
    body = _markdown(_("findings"))

    class Meta:
        ordering = ["-collected_on", "title"]
        verbose_name = _("research note")
        verbose_name_plural = _("research notes")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("strategy:research_detail", args=[self.pk])

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.kind and self.method:
            primary = self.method in self.PRIMARY_METHODS
            if self.kind == self.Kind.PRIMARY and not primary:
                errors["method"] = _("Primary research is first-hand: survey, interview, questionnaire or conversation.")
            if self.kind == self.Kind.SECONDARY and primary and self.method != self.Method.OTHER:
                errors["method"] = _("Secondary research comes from reports, government, associations or publications.")
        # A product id that does not exist is reported by clean_fields(); skip it here.
        product_team = _team_of(Product, self.product_id)
        if product_team is not None and self.team_id and product_team != self.team_id:
            errors["product"] = _("The product belongs to another team.")
        if errors:
            raise ValidationError(errors)


class MarketSize(ProductChild):
    """S2/F4: target-market size per product and segment (customers, not money)."""

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE,
                                related_name="market_sizes")
    segment = _plain(_("segment"), 120)
    region = _plain(_("region"), 80, blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    target_customers = models.PositiveIntegerField(
        _("target-market size (customers)"), validators=[MinValueValidator(1)]
    )
    source_note = models.ForeignKey(ResearchNote, verbose_name=_("source"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="market_sizes")

    class Meta:
        ordering = ["product", "-year", "segment"]
        verbose_name = _("market size")
        verbose_name_plural = _("market sizes")
        constraints = [
            models.UniqueConstraint(fields=["product", "segment", "region", "year"],
                                    name="unique_market_size")
        ]

    def __str__(self):
        return f"{self.product} · {self.segment} · {self.year}"

    def get_absolute_url(self):
        return reverse("strategy:product_tab", args=[self.product_id, "market"]) + f"#market-size-{self.pk}"


class Competitor(Gated):
    """S3: competitors in three tiers (seed 000 §2.1)."""

    class Tier(models.TextChoices):
        PRIMARY = "primary", _("Primary")
        SECONDARY = "secondary", _("Secondary")
        TERTIARY = "tertiary", _("Tertiary")

    class Overlap(models.TextChoices):
        SAME = "same", _("The same product")
        SIMILAR = "similar", _("A similar product")
        EXTENDS = "extends", _("A product that extends ours")
        NONE = "none", _("No product overlap")

    TIER_RULES = {
        Tier.PRIMARY: _("Same product or same target audience, or both."),
        Tier.SECONDARY: _("A similar product sold to a different audience."),
        Tier.TERTIARY: _("Sells a product or tool that extends ours."),
    }

    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), on_delete=models.PROTECT,
                             related_name="competitors")
    name = _plain(_("name"), 120)
    product_overlap = models.CharField(_("their product is"), max_length=10,
                                       choices=Overlap.choices)
    same_audience = models.BooleanField(_("sells to our target audience"), default=False)
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, editable=False,
                            help_text=_("Derived from the overlap by the seed's rules (S3)."))
    products = models.ManyToManyField(Product, verbose_name=_("competes with"), blank=True,
                                      related_name="competitors")
    website = models.URLField(_("website"), blank=True)
    summary = _markdown(_("summary"))
    strengths = _markdown(_("strengths"))
    weaknesses = _markdown(_("weaknesses"))
    web_signals = _markdown(_("web and social signals"),)

    class Meta:
        ordering = ["tier", "name"]
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="unique_competitor_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("strategy:competitor_detail", args=[self.pk])

    @classmethod
    def tier_for(cls, product_overlap: str, same_audience: bool) -> str | None:
        """S3 (seed 000): primary = same product or same audience or both; secondary =
        similar product, different audience; tertiary = extends our product."""
        if product_overlap == cls.Overlap.SAME or same_audience:
            return cls.Tier.PRIMARY
        if product_overlap == cls.Overlap.SIMILAR:
            return cls.Tier.SECONDARY
        if product_overlap == cls.Overlap.EXTENDS:
            return cls.Tier.TERTIARY
        return None

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.product_overlap not in self.Overlap.values:
            return  # blank or unknown: clean_fields() names the field
        tier = self.tier_for(self.product_overlap, self.same_audience)
        if tier is None:
            raise ValidationError({"product_overlap": _(
                "Not a competitor by the three-tier rules: no product overlap and a different audience."
            )})
        self.tier = tier


class CompetitorChild(Gated):
    gate_team_path = "competitor__team"

    class Meta:
        abstract = True

    @property
    def audit_root(self):
        return self.competitor


class CompetitorProduct(CompetitorChild):
    class PricingModel(models.TextChoices):
        SUBSCRIPTION = "subscription", _("Subscription")
        PER_SEAT = "per_seat", _("Per seat")
        USAGE = "usage", _("Usage-based")
        ONE_OFF = "one_off", _("One-off licence")
        FREEMIUM = "freemium", _("Freemium")
        UNKNOWN = "unknown", _("Unknown")

    competitor = models.ForeignKey(Competitor, verbose_name=_("competitor"), on_delete=models.CASCADE,
                                   related_name="offerings")
    name = _plain(_("name"), 120)
    description = _markdown(_("description"))
    pricing_model = models.CharField(_("pricing model"), max_length=15,
                                     choices=PricingModel.choices, default=PricingModel.UNKNOWN)
    list_price = models.DecimalField(_("list price"), max_digits=14, decimal_places=2, null=True,
                                     blank=True, validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    price_note = _plain(_("pricing notes"), 300, blank=True)

    class Meta:
        ordering = ["competitor", "name"]
        verbose_name = _("competitor product")
        verbose_name_plural = _("competitor products")

    def __str__(self):
        return f"{self.competitor} · {self.name}"

    def get_absolute_url(self):
        return reverse("strategy:competitor_tab", args=[self.competitor_id, "offerings"]) + f"#offering-{self.pk}"


class CompetitorMove(CompetitorChild):
    """S3: a dated log of competitive moves (竞品动态)."""

    class Kind(models.TextChoices):
        LAUNCH = "launch", _("Product launch")
        PRICING = "pricing", _("Pricing change")
        CAMPAIGN = "campaign", _("Campaign / event")
        PARTNERSHIP = "partnership", _("Partnership")
        FUNDING = "funding", _("Funding / M&A")
        PEOPLE = "people", _("People / hiring")
        OTHER = "other", _("Other")

    competitor = models.ForeignKey(Competitor, verbose_name=_("competitor"), on_delete=models.CASCADE,
                                   related_name="moves")
    happened_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = _plain(_("title"), 200)
    details = _markdown(_("details"))
    source_url = models.URLField(_("source link"), blank=True)

    class Meta:
        ordering = ["-happened_on", "-id"]
        verbose_name = _("competitive move")
        verbose_name_plural = _("competitive moves")

    def __str__(self):
        return f"{self.happened_on} {self.competitor}: {self.title}"

    def get_absolute_url(self):
        return reverse("strategy:competitor_tab", args=[self.competitor_id, "moves"]) + f"#move-{self.pk}"


class SwotEntry(Gated):
    """S4: one SWOT entry about our product or a competitor, linked to its evidence."""

    class Quadrant(models.TextChoices):
        STRENGTH = "S", _("Strength")
        WEAKNESS = "W", _("Weakness")
        OPPORTUNITY = "O", _("Opportunity")
        THREAT = "T", _("Threat")

    gate_team_path = "team"
    team = models.ForeignKey("accounts.Team", verbose_name=_("team"), on_delete=models.PROTECT,
                             related_name="swot_entries")
    product = models.ForeignKey(Product, verbose_name=_("product"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="swot_entries")
    competitor = models.ForeignKey(Competitor, verbose_name=_("competitor"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="swot_entries")
    quadrant = models.CharField(_("quadrant"), max_length=1, choices=Quadrant.choices)
    text = _plain(_("entry"), 300)
    evidence_notes = models.ManyToManyField(ResearchNote, verbose_name=_("evidence: research"),
                                            blank=True, related_name="swot_entries")
    evidence_moves = models.ManyToManyField(CompetitorMove, verbose_name=_("evidence: competitive moves"),
                                            blank=True, related_name="swot_entries")

    class Meta:
        ordering = ["quadrant", "id"]
        verbose_name = _("SWOT entry")
        verbose_name_plural = _("SWOT entries")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(product__isnull=False, competitor__isnull=True)
                           | models.Q(product__isnull=True, competitor__isnull=False)),
                name="swot_about_product_xor_competitor",
            )
        ]

    def __str__(self):
        return f"{self.quadrant}: {self.text[:60]}"

    def get_absolute_url(self):
        if self.product_id:
            return reverse("strategy:product_tab", args=[self.product_id, "swot"]) + f"#swot-{self.pk}"
        return reverse("strategy:competitor_tab", args=[self.competitor_id, "swot"]) + f"#swot-{self.pk}"

    @property
    def audit_root(self):
        return self.product or self.competitor

    def get_constraints(self):
        # The xor check constraint guards the database; clean() explains the same rule in
        # words, so full_clean() should not report it a second time in technical terms.
        return [(cls, [c for c in constraints if c.name != "swot_about_product_xor_competitor"])
                for cls, constraints in super().get_constraints()]

    def clean(self):
        from django.core.exceptions import ValidationError

        if bool(self.product_id) == bool(self.competitor_id):
            raise ValidationError(_("A SWOT entry is about either one product or one competitor."))
        if self.product_id:
            field, model, pk = "product", Product, self.product_id
        else:
            field, model, pk = "competitor", Competitor, self.competitor_id
        # An id that does not exist is reported by clean_fields(); skip it here.
        subject_team = _team_of(model, pk)
        if self.team_id and subject_team is not None and subject_team != self.team_id:
            raise ValidationError({field: _("The product or competitor belongs to another team.")})


class Persona(ProductChild):
    """S5: buyer persona (decides the purchase) or user persona (uses the product)."""

    class Kind(models.TextChoices):
        BUYER = "buyer", _("Buyer persona")
        USER = "user", _("User persona")

    class Gender(models.TextChoices):
        ANY = "any", _("Any")
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")

    class Education(models.TextChoices):
        HIGH_SCHOOL = "high_school", _("High school")
        COLLEGE = "college", _("College diploma")
        BACHELOR = "bachelor", _("Bachelor's degree")
        MASTER = "master", _("Master's degree")
        DOCTORATE = "doctorate", _("Doctorate")

    class Income(models.TextChoices):
        LOW = "low", _("Low")
        MIDDLE = "middle", _("Middle")
        UPPER_MIDDLE = "upper_middle", _("Upper middle")
        HIGH = "high", _("High")

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE,
                                related_name="personas")
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    name = _plain(_("name"), 120)
    age_min = models.PositiveSmallIntegerField(_("age from"), validators=[MinValueValidator(16), MaxValueValidator(99)])
    age_max = models.PositiveSmallIntegerField(_("age to"), validators=[MinValueValidator(16), MaxValueValidator(99)])
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices, default=Gender.ANY)
    location = _plain(_("location"), 120)
    education = models.CharField(_("education"), max_length=12, choices=Education.choices)
    title = _plain(_("job title"), 120)
    income_level = models.CharField(_("income level"), max_length=12, choices=Income.choices)
    goals = _markdown(_("goals"))
    challenges = _markdown(_("challenges"))
    personality_traits = _markdown(_("personality traits"))

    class Meta:
        ordering = ["product", "kind", "name"]
        verbose_name = _("persona")
        verbose_name_plural = _("personas")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("strategy:product_tab", args=[self.product_id, "personas"]) + f"#persona-{self.pk}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if _both_int(self.age_min, self.age_max) and self.age_min > self.age_max:
            raise ValidationError({"age_max": _("The upper age must not be below the lower age.")})


class PositioningStatement(ProductChild):
    """S6: "product X solves problem Z for audience Y" — the master statement."""

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE,
                                related_name="positioning")
    audience = _plain(_("audience (Y)"), 200)
    problem = _plain(_("problem (Z)"), 300)
    benefit = _plain(_("key benefit"), 300)
    statement = models.TextField(_("statement"), validators=[no_markup], max_length=2000)
    is_primary = models.BooleanField(_("primary statement"), default=True)

    class Meta:
        ordering = ["product", "-is_primary", "id"]
        verbose_name = _("positioning statement")
        verbose_name_plural = _("positioning statements")

    def __str__(self):
        return self.statement[:80]

    def get_absolute_url(self):
        return reverse("strategy:product_tab", args=[self.product_id, "positioning"]) + f"#statement-{self.pk}"


class PositioningVariant(Gated):
    """S6: the statement adapted to one channel, region or audience."""

    gate_team_path = "statement__product__team"
    statement = models.ForeignKey(PositioningStatement, verbose_name=_("statement"),
                                  on_delete=models.CASCADE, related_name="variants")
    channel = _plain(_("channel"), 80, blank=True)
    region = _plain(_("region"), 80, blank=True)
    audience = _plain(_("audience"), 120, blank=True)
    text = models.TextField(_("text"), validators=[no_markup], max_length=2000)

    class Meta:
        ordering = ["statement", "channel", "region", "audience"]
        verbose_name = _("positioning variant")
        verbose_name_plural = _("positioning variants")

    def __str__(self):
        scope = " / ".join(x for x in (self.channel, self.region, self.audience) if x)
        return f"{scope or '—'}: {self.text[:60]}"

    def get_absolute_url(self):
        return reverse("strategy:product_tab", args=[self.statement.product_id, "positioning"]) + f"#variant-{self.pk}"

    @property
    def audit_root(self):
        return self.statement.product

    def clean(self):
        from django.core.exceptions import ValidationError

        if not (self.channel or self.region or self.audience):
            raise ValidationError(_("A variant needs a channel, a region or an audience."))


class PricingStrategy(ProductChild):
    """S7: competitive or value-based pricing (seed 000 §2.3)."""

    class Approach(models.TextChoices):
        COMPETITIVE = "competitive", _("Competitive pricing")
        VALUE_BASED = "value_based", _("Value-based pricing")

    class ValueStrategy(models.TextChoices):
        PREMIUM = "premium", _("Premium — high quality, high price, unique value")
        PROMOTIONAL = "promotional", _("Promotional — below market to win attention, then normal")
        COMMODITY = "commodity", _("Commodity — low-value product like the rest of the market")
        SKIMMING = "skimming", _("Skimming — high price for a mid-value, complementary product")

    product = models.OneToOneField(Product, verbose_name=_("product"), on_delete=models.CASCADE,
                                   related_name="pricing")
    approach = models.CharField(_("approach"), max_length=12, choices=Approach.choices)
    value_strategy = models.CharField(_("value-based strategy"), max_length=12,
                                      choices=ValueStrategy.choices, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    rationale = _markdown(_("rationale"))
    price_floor_note = _plain(_("minimum-price rule"), 300, blank=True,
                              help_text=_("Guard against selling below price (seed 001 §5)."))

    class Meta:
        verbose_name = _("pricing strategy")
        verbose_name_plural = _("pricing strategies")

    def __str__(self):
        return f"{self.product} — {self.get_approach_display()}"

    def get_absolute_url(self):
        return reverse("strategy:product_tab", args=[self.product_id, "pricing"])

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.approach == self.Approach.VALUE_BASED and not self.value_strategy:
            raise ValidationError({"value_strategy": _("Choose premium, promotional, commodity or skimming.")})
        if self.approach == self.Approach.COMPETITIVE and self.value_strategy:
            raise ValidationError({"value_strategy": _("Only value-based pricing has a value strategy.")})


class PricingChild(Gated):
    gate_team_path = "strategy__product__team"

    class Meta:
        abstract = True

    @property
    def audit_root(self):
        return self.strategy.product


class PriceTier(PricingChild):
    """S7: a tier, with who it fits, so the right tier can be recommended per customer."""

    class Period(models.TextChoices):
        MONTH = "month", _("per month")
        YEAR = "year", _("per year")
        ONCE = "once", _("one-off")

    strategy = models.ForeignKey(PricingStrategy, verbose_name=_("pricing strategy"),
                                 on_delete=models.CASCADE, related_name="tiers")
    name = _plain(_("name"), 80)
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2,
                                validators=[MinValueValidator(0)])
    period = models.CharField(_("billing period"), max_length=5, choices=Period.choices,
                              default=Period.YEAR)
    min_seats = models.PositiveIntegerField(_("from seats"), default=1, validators=[MinValueValidator(1)])
    max_seats = models.PositiveIntegerField(_("to seats"), null=True, blank=True,
                                            help_text=_("Empty: no upper limit."))
    fits = _plain(_("right for"), 300, help_text=_("Which customers this tier is right for."))
    included = _markdown(_("what is included"))
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["strategy", "position", "price"]
        verbose_name = _("price tier")
        verbose_name_plural = _("price tiers")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("strategy:product_tab", args=[self.strategy.product_id, "pricing"]) + f"#tier-{self.pk}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if _both_int(self.min_seats, self.max_seats) and self.max_seats < self.min_seats:
            raise ValidationError({"max_seats": _("The upper seat count must not be below the lower one.")})


class DiscountPolicy(PricingChild):
    """S7 / seed 001 §5: rebate (还本) or price reduction (减价), by a fixed or a
    progressive (累进) ratio."""

    class Kind(models.TextChoices):
        REBATE = "rebate", _("Rebate — part of the amount paid back")
        REDUCTION = "reduction", _("Price reduction — part of the amount deducted")

    class Ratio(models.TextChoices):
        FIXED = "fixed", _("Fixed ratio")
        PROGRESSIVE = "progressive", _("Progressive ratio")

    strategy = models.ForeignKey(PricingStrategy, verbose_name=_("pricing strategy"),
                                 on_delete=models.CASCADE, related_name="discounts")
    name = _plain(_("name"), 120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    ratio_type = models.CharField(_("ratio"), max_length=12, choices=Ratio.choices)
    steps = models.JSONField(
        _("steps"), default=list,
        help_text=_('Fixed: [{"from": 0, "percent": 5}]. Progressive: several steps with '
                    'rising "from" amounts and percents.'),
    )
    conditions = _plain(_("conditions"), 300, blank=True)

    class Meta:
        ordering = ["strategy", "name"]
        verbose_name = _("discount policy")
        verbose_name_plural = _("discount policies")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("strategy:product_tab", args=[self.strategy.product_id, "pricing"]) + f"#discount-{self.pk}"

    def clean(self):
        from marketdesk.strategy.pricing import validate_steps

        validate_steps(self.ratio_type, self.steps)


class ReviewQuestion(ProductChild):
    """S8: the strategy review questions of seed 000 §2.2, kept per product."""

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE,
                                related_name="review_questions")
    question = _plain(_("question"), 300)
    answer = _markdown(_("answer"))
    last_reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["product", "position", "id"]
        verbose_name = _("strategy review question")
        verbose_name_plural = _("strategy review questions")

    def __str__(self):
        return self.question

    def get_absolute_url(self):
        return reverse("strategy:product_tab", args=[self.product_id, "review"]) + f"#question-{self.pk}"
