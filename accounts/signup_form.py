"""The sign-up page's form (ACCOUNT_FORMS["signup"]): allauth's, with the passwords kept on error.

In a module of its own: allauth's forms module imports accounts.forms (ACCOUNT_SIGNUP_FORM_CLASS),
so accounts.forms cannot import it back.
"""

from __future__ import annotations

from allauth.account.forms import SignupForm


class SignupPageForm(SignupForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A page with an error in the phone number should not make the person type both passwords again.
        for name in ("password1", "password2"):
            if name in self.fields:
                self.fields[name].widget.render_value = True
