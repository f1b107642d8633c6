from django import forms
from django.utils.translation import gettext_lazy as _

from .models import OfficeMembership


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=OfficeMembership.Role.choices,
        widget=forms.RadioSelect,
        help_text=_("Editors fill in and submit assessments; viewers can only read them."),
    )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()
