"""allauth's MFA forms with a code field a phone fills well: a number pad (inputmode numeric; TOTP and
recovery codes are digits only) and the one-time code the phone offers from an SMS or an app."""

from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.totp.forms import ActivateTOTPForm

CODE_ATTRS = {"inputmode": "numeric", "autocomplete": "one-time-code"}


class _NumericCode:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(CODE_ATTRS)


class NumericAuthenticateForm(_NumericCode, AuthenticateForm):
    pass


class NumericReauthenticateForm(_NumericCode, ReauthenticateForm):
    pass


class NumericActivateTOTPForm(_NumericCode, ActivateTOTPForm):
    pass
