"""TODO docstring."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        label=gettext_lazy("E-mail"), help_text=gettext_lazy("Used only to reset your password."), max_length=254
    )

    class Meta(UserCreationForm.Meta):
        fields = ("username", "email")

    def clean_email(self) -> str:
        # One account per address: a password reset must reach exactly one account.
        email = self.cleaned_data["email"].strip()
        if self._meta.model.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account already uses this e-mail address. Log in or reset its password."))
        return email
