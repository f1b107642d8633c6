from django import forms
from django.utils.translation import gettext_lazy as _

from .models import OfficeMembership


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=OfficeMembership.Role.choices,
        widget=forms.RadioSelect,
        help_text=_("Editors fill in and submit assessments; viewers can only read them; "
                    "leads are editors who also manage the office's members."),
    )

    def __init__(self, *args, roles=None, **kwargs):
        super().__init__(*args, **kwargs)
        if roles is not None:
            self.fields["role"].choices = [c for c in OfficeMembership.Role.choices
                                           if c[0] in roles]

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=OfficeMembership.Role.choices)

    def __init__(self, *args, roles=None, **kwargs):
        super().__init__(*args, **kwargs)
        if roles is not None:
            self.fields["role"].choices = [c for c in OfficeMembership.Role.choices
                                           if c[0] in roles]
