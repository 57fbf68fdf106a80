from django import forms
from django.utils.translation import gettext_lazy as _

from marketdesk.core.forms import StyledForm, StyledModelForm
from marketdesk.notify.models import Delivery, WebhookEndpoint


class WebhookForm(StyledModelForm):
    """Add or change a team webhook. The secret is never shown again: empty keeps it."""

    clear_secret = forms.BooleanField(label=_("Remove the signing secret"), required=False)

    class Meta:
        model = WebhookEndpoint
        fields = ["team", "name", "vendor", "url", "secret", "enabled"]
        widgets = {
            "url": forms.URLInput(attrs={"placeholder": "https://open.feishu.cn/open-apis/bot/v2/hook/…",
                                         "autocomplete": "off", "spellcheck": "false"}),
            "secret": forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        }

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["team"].empty_label = None
        self.fields["name"].widget.attrs["autofocus"] = True
        editing = self.instance.pk is not None
        if editing:
            # A webhook stays with its team (its deliveries and history belong there).
            del self.fields["team"]
            self.fields["secret"].help_text = _(
                "Leave empty to keep the current secret.") if self.instance.secret else \
                self.fields["secret"].help_text
        if not editing or not self.instance.secret:
            del self.fields["clear_secret"]

    def _post_clean(self):
        # The model's checks need the secret that will really be saved.
        if self.instance.pk is not None and not self.cleaned_data.get("secret"):
            self.cleaned_data["secret"] = "" if self.cleaned_data.get("clear_secret") \
                else self.instance.secret
        super()._post_clean()

    def service_fields(self) -> dict:
        data = {name: self.cleaned_data[name]
                for name in ("name", "vendor", "url", "secret", "enabled")}
        if "team" in self.cleaned_data:
            data["team"] = self.cleaned_data["team"]
        return data


class DeliveryFilterForm(StyledForm):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All"))] + list(Delivery.Status.choices))


class InboxFilterForm(StyledForm):
    unread = forms.BooleanField(label=_("Unread only"), required=False)
