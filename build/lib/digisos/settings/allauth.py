"""django-allauth: login by e-mail, invitation-only sign-up, mandatory MFA."""

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# One address per account: the invitation bound it; a change replaces it (after re-authentication).
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_ADAPTER = "tenants.adapters.InvitationOnlyAccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Digi-SOS] "
# allauth's default is False: without this, a session alone could switch the primary e-mail address
# (found by tests/tenants/test_reauthentication.py). MFA changes need it by allauth's own default.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# Security notices by e-mail (password changed, e-mail changed, second factor added or removed): a
# person learns of a change made with their stolen session. Sent through the outbox (tenants.adapters).
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Rate limits are on (allauth's defaults), kept in the configured cache. Bandit B105 below: rate limits, not passwords.
ACCOUNT_RATE_LIMITS = {  # nosec B105
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "reauthenticate": "10/m/user",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "confirm_email": "1/3m/key",
}

MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Digi-SOS NRW"
MFA_RECOVERY_CODE_COUNT = 10
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False
MFA_FORMS = {
    "authenticate": "tenants.mfa_forms.NumericAuthenticateForm",
    "reauthenticate": "tenants.mfa_forms.NumericReauthenticateForm",
    "activate_totp": "tenants.mfa_forms.NumericActivateTOTPForm",
}
