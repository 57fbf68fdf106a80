"""Forms of the metrics area."""

from django import forms
from django.utils.translation import gettext_lazy as _

from marketdesk.accounts.models import Team
from marketdesk.core import permissions as gate
from marketdesk.core.forms import StyledForm
from marketdesk.metrics import imports


def user_teams(user):
    """The teams a user may import for (company-wide roles: every team)."""
    if gate.is_company_wide(user):
        return Team.objects.all()
    return Team.objects.filter(pk__in=gate.team_ids(user))


class ImportForm(StyledForm):
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    preset = forms.ChoiceField(label=_("Kind of file"), choices=())
    file = forms.FileField(
        label=_("File (CSV, TSV or XLSX)"),
        help_text=_("CSV or TAB-separated text in UTF-8 (with or without BOM), UTF-16 (Excel "
                    "“Unicode text”) or GB18030, or an Excel .xlsx workbook (first sheet). Row 1 "
                    "holds the headers, in English or Chinese."))
    skip_bad_rows = forms.BooleanField(
        label=_("Skip bad rows"), required=False,
        help_text=_("Off: one bad row and nothing is written. On: the good rows are written and "
                    "the bad ones listed."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        teams = user_teams(user)
        self.fields["team"].queryset = teams
        if len(teams) >= 1:
            self.fields["team"].initial = teams[0].pk
        self.fields["preset"].choices = [(p.id, f"{p.name} · {p.name_zh}")
                                         for p in imports.PRESETS.values()]
