"""Forms of the SOP pages: they parse input; sop.services validates and writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from marketdesk.accounts.models import Team
from marketdesk.core import permissions as gate
from marketdesk.core.forms import StyledForm
from marketdesk.core.roles import LEADERS
from marketdesk.sop.definitions import MAX_YAML_CHARS
from marketdesk.sop.models import Review


def editable_teams(user):
    """Teams whose process copies the user may edit (leaders of the team; company-wide
    roles: every team)."""
    if getattr(user, "role", None) not in LEADERS:
        return Team.objects.none()
    if gate.is_company_wide(user):
        return Team.objects.all()
    return Team.objects.filter(pk__in=gate.team_ids(user))


class DefinitionCopyForm(StyledForm):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(),
                                  help_text=_("New items of this team will follow the copy."))
    yaml_text = forms.CharField(
        label=_("Definition (YAML)"), max_length=MAX_YAML_CHARS, strip=False,
        widget=forms.Textarea(attrs={"rows": 32, "spellcheck": "false", "class": "font-monospace",
                                     "autocapitalize": "off", "autocomplete": "off"}),
        help_text=_("Saving creates a new version of the team's copy; items already running keep "
                    "the version they started with."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = editable_teams(user)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[(Review.Decision.APPROVED, _("Approve")),
                                          (Review.Decision.CHANGES_REQUESTED, _("Request changes"))])
    comment = forms.CharField(required=False, max_length=4000)
    expected_version = forms.IntegerField(min_value=1)


class AdvanceForm(forms.Form):
    to_stage = forms.CharField(required=False, max_length=64)
    expected_version = forms.IntegerField(min_value=1)


class TickForm(forms.Form):
    item_key = forms.CharField(max_length=64)
    checked = forms.BooleanField(required=False)
    expected_version = forms.IntegerField(min_value=1)
