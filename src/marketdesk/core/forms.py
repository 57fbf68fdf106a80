from django import forms
from django.utils.translation import gettext_noop

# Django 6.1's empty choice of a select ("- Select an option -") is missing from Django's
# own zh_Hans catalogue; marking it here puts it in ours (makemessages keeps it).
gettext_noop("- Select an option -")


class StyledFormMixin:
    """Bootstrap classes and accessible error wiring on every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("rows", 4)

    def add_error(self, field, error):
        # Every error passes through here (field cleaning, clean(), model validation and
        # errors a view adds after a service refused the data), so the widgets are marked
        # then — never in __init__, where reading ``errors`` would validate before a
        # subclass narrows its choices (e.g. querysets scoped by the permission gate).
        super().add_error(field, error)
        for name in self._errors or ():
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            if "is-invalid" not in widget.attrs.get("class", "").split():
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
            widget.attrs["aria-invalid"] = "true"
            widget.attrs["aria-describedby"] = f"id_{self.add_prefix(name)}_error"


class StyledForm(StyledFormMixin, forms.Form):
    pass


class StyledModelForm(StyledFormMixin, forms.ModelForm):
    pass
