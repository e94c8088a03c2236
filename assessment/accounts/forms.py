"""Account forms: sign-up by e-mail address, and the login form that says what to type."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class SignupForm(forms.Form):
    """Only the address: it becomes the login, and whether it is free is never said on the page
    (the e-mail says it, to the address's owner)."""

    email = forms.EmailField(
        label=gettext_lazy("E-mail"),
        help_text=gettext_lazy("Your login. We send a link to it to choose your password."),
        max_length=254,
    )

    def clean_email(self) -> str:
        email = BaseUserManager.normalize_email(self.cleaned_data["email"].strip())
        # The address becomes the username, whose column is shorter than an address may be.
        limit = get_user_model()._meta.get_field("username").max_length or 150
        if len(email) > limit:
            raise forms.ValidationError(
                _("Use an address of at most %(limit)d characters: it becomes your login."), params={"limit": limit}
            )
        return email


class LoginForm(AuthenticationForm):
    """Accounts made by signing up log in with their e-mail address, older ones with a username."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = gettext_lazy("E-mail or username")
