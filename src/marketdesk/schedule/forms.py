from django import forms
from django.utils.translation import gettext_lazy as _

from marketdesk.accounts.models import Team, User
from marketdesk.core import permissions as gate
from marketdesk.core.forms import StyledForm
from marketdesk.schedule import sources
from marketdesk.schedule.models import CalendarFeed


def visible_teams(user):
    """The teams a user's calendar can show: every team for company-wide roles."""
    teams = Team.objects.order_by("name")
    return teams if gate.is_company_wide(user) else teams.filter(pk__in=gate.team_ids(user))


def event_type_choices() -> list[tuple[str, str]]:
    from django.apps import apps

    if not apps.is_installed("marketdesk.events"):
        return []
    field = apps.get_model("events", "Event")._meta.get_field("event_type")
    return [(value, label) for value, label in field.choices if value]


class CalendarFilterForm(StyledForm):
    """The calendar's filters; every choice is limited to what the user may see."""

    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Type"), required=False)
    event_type = forms.ChoiceField(label=_("Event type"), required=False)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        teams = list(visible_teams(user))
        self.fields["team"].choices = [("", _("All teams"))] + [(t.pk, t.name) for t in teams]
        self.fields["kind"].choices = [("", _("All types"))] + sources.kind_choices()
        self.fields["event_type"].choices = [("", _("All event types"))] + event_type_choices()
        owners = User.objects.filter(is_active=True).order_by("username")
        if not gate.is_company_wide(user):
            owners = owners.filter(memberships__team__in=[t.pk for t in teams]).distinct()
        self.fields["owner"].choices = [("", _("Anyone"))] + [(u.pk, str(u)) for u in owners]
        if not self.fields["event_type"].choices[1:]:
            del self.fields["event_type"]

    def filters(self, *, now=None) -> sources.Filters:
        data = self.cleaned_data if self.is_valid() else {}
        return sources.Filters(
            team_ids=frozenset({data["team"]}) if data.get("team") else frozenset(),
            kinds=frozenset({data["kind"]}) if data.get("kind") else frozenset(),
            event_types=frozenset({data["event_type"]}) if data.get("event_type") else frozenset(),
            owner_id=data.get("owner"),
            now=now,
        )


class FeedForm(StyledForm):
    scope = forms.ChoiceField(label=_("What it shows"), choices=CalendarFeed.Scope.choices,
                              initial=CalendarFeed.Scope.USER)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None,
                                  help_text=_("For a team calendar: the team whose items it shows."))
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("To recognise the subscription later, e.g. “Phone”."))

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.teams = {t.pk: t for t in visible_teams(user)}
        self.fields["team"].choices = [("", "—")] + [(pk, t.name) for pk, t in self.teams.items()]

    def clean(self):
        data = super().clean()
        if (data.get("scope") == CalendarFeed.Scope.TEAM and not data.get("team")
                and "team" not in self.errors):
            self.add_error("team", _("Choose the team whose calendar to subscribe to."))
        return data

    def team_object(self):
        if self.cleaned_data.get("scope") != CalendarFeed.Scope.TEAM:
            return None
        return self.teams.get(self.cleaned_data.get("team"))
