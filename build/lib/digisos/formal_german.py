"""Formal German ("Sie") for third-party strings whose own German translation says "du".

django-allauth's German catalogue addresses the reader informally ("Du hast die Adresse … bestätigt"),
and Django REST framework's, which comes before Django's own in INSTALLED_APPS, turns Django's form
errors informal ("Gib eine gültige E-Mail Adresse an"). Our catalogue (LOCALE_PATHS) takes
precedence over every app's, so every msgid listed here gets
the formal text below: makemessages extracts the gettext_noop() keys, and bin/i18n_fill_de.py
writes the values as their German msgstr (the English msgstr is the msgid itself).
tests/security/test_formal_german.py checks that none of their informal strings is left.
"""

from django.utils.translation import gettext_noop as _

FORMAL_GERMAN = {
    # Django REST framework (also used by Django's own form fields)
    _("Enter a valid email address."): "Bitte geben Sie eine gültige E-Mail-Adresse ein.",
    _("Enter a valid URL."): "Bitte geben Sie eine gültige Adresse (URL) ein.",
    _('Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.'): (
        "Bitte geben Sie ein gültiges Kürzel aus Buchstaben, Ziffern, Unterstrichen oder Bindestrichen ein."
    ),
    _('Enter a valid "slug" consisting of Unicode letters, numbers, underscores, or hyphens.'): (
        "Bitte geben Sie ein gültiges Kürzel aus Unicode-Buchstaben, Ziffern, Unterstrichen oder Bindestrichen ein."
    ),
    # django-allauth
    _(
        '<strong>Note:</strong> you can still <a href="%(email_url)s">change your email address</a>.'
    ): '<strong>Hinweis:</strong> Sie können <a href="%(email_url)s">Ihre E-Mail-Adresse noch ändern</a>.',
    _(
        "Already have an account? Then please %(link)ssign in%(end_link)s."
    ): "Sie haben bereits ein Konto? Dann %(link)smelden Sie sich bitte an%(end_link)s.",
    _("Are you sure you want to sign out?"): "Möchten Sie sich wirklich abmelden?",
    _("Be patient, you are sending too many requests."): (
        "Bitte haben Sie etwas Geduld, Sie senden zu viele Anfragen."
    ),
    _("Do you really want to remove the selected email address?"): (
        "Möchten Sie die ausgewählte E-Mail-Adresse wirklich entfernen?"
    ),
    _(
        "Forgotten your password? Enter your email address below, and we'll send you an email allowing you to reset it."
    ): (
        "Passwort vergessen? Geben Sie unten Ihre E-Mail-Adresse ein; wir senden Ihnen eine E-Mail,"
        " mit der Sie Ihr Passwort zurücksetzen können."
    ),
    _(
        "If you have not created an account yet, then please %(link)ssign up%(end_link)s first."
    ): "Sie haben noch kein Konto? Dann %(link)sregistrieren Sie sich%(end_link)s bitte zuerst.",
    _("In case you forgot, your username is %(username)s."): (
        "Falls Sie ihn vergessen haben: Ihr Anmeldename lautet %(username)s."
    ),
    _("Please Confirm Your Email Address"): "Bitte bestätigen Sie Ihre E-Mail-Adresse",
    _('Please confirm that <a href="mailto:%(email)s">%(email)s</a> is an email address for user %(user_display)s.'): (
        'Bitte bestätigen Sie, dass <a href="mailto:%(email)s">%(email)s</a>'
        " eine E-Mail-Adresse von %(user_display)s ist."
    ),
    _("Please contact us if you have any trouble resetting your password."): (
        "Bitte wenden Sie sich an uns, wenn das Zurücksetzen des Passworts nicht gelingt."
    ),
    _("Please select only one."): "Bitte wählen Sie nur eine Option aus.",
    _("Please type your current password."): "Bitte geben Sie Ihr aktuelles Passwort ein.",
    _("Thank you for using %(site_name)s!\n%(site_domain)s"): (
        "Vielen Dank, dass Sie %(site_name)s nutzen!\n%(site_domain)s"
    ),
    _(
        "The password reset link was invalid, possibly because it has already been used.  Please request a "
        '<a href="%(passwd_reset_url)s">new password reset</a>.'
    ): (
        "Der Link zum Zurücksetzen des Passworts war ungültig, vielleicht wurde er bereits benutzt."
        ' Bitte fordern Sie <a href="%(passwd_reset_url)s">einen neuen Link</a> an.'
    ),
    _(
        "This email confirmation link expired or is invalid. Please "
        '<a href="%(email_url)s">issue a new email confirmation request</a>.'
    ): (
        "Dieser Bestätigungslink ist abgelaufen oder ungültig. Bitte fordern Sie eine neue"
        ' <a href="%(email_url)s">Bestätigungs-E-Mail</a> an.'
    ),
    _(
        "This part of the site requires us to verify that\nyou are who you claim to be. For this purpose, "
        "we require that you\nverify ownership of your email address. "
    ): (
        "Für diesen Bereich müssen wir sicherstellen, dass Sie die Person sind, als die Sie sich ausgeben."
        " Bitte bestätigen Sie dazu Ihre E-Mail-Adresse. "
    ),
    _("Too many failed login attempts. Try again later."): (
        "Zu viele gescheiterte Anmeldeversuche. Bitte versuchen Sie es später erneut."
    ),
    _("Username can not be used. Please use other username."): (
        "Dieser Anmeldename kann nicht verwendet werden. Bitte wählen Sie einen anderen."
    ),
    _("Verify Your Email Address"): "Bestätigen Sie Ihre E-Mail-Adresse",
    _(
        "We have sent an email to you for\nverification. Please click on the link inside that email. If you do "
        "not see the verification email in your main inbox, check your spam folder. Otherwise\ncontact us if "
        "you do not receive it within a few minutes."
    ): (
        "Wir haben Ihnen eine E-Mail zur Bestätigung geschickt. Bitte klicken Sie auf den Link in dieser E-Mail."
        " Wenn Sie sie nicht in Ihrem Posteingang finden, sehen Sie bitte im Spam-Ordner nach. Kommt sie nicht"
        " innerhalb weniger Minuten an, wenden Sie sich bitte an uns."
    ),
    _(
        "We have sent an email to you for verification. Follow the link provided to finalize the signup "
        "process. If you do not see the verification email in your main inbox, check your spam folder. "
        "Please contact us if you do not receive the verification email within a few minutes."
    ): (
        "Wir haben Ihnen eine E-Mail zur Bestätigung geschickt. Folgen Sie bitte dem Link darin, um die"
        " Registrierung abzuschließen. Wenn Sie sie nicht in Ihrem Posteingang finden, sehen Sie bitte im"
        " Spam-Ordner nach. Kommt sie nicht innerhalb weniger Minuten an, wenden Sie sich bitte an uns."
    ),
    _(
        "We have sent you an email. If you have not received it please check your spam folder. Otherwise "
        "contact us if you do not receive it in a few minutes."
    ): (
        "Wir haben Ihnen eine E-Mail geschickt. Wenn Sie sie nicht erhalten haben, sehen Sie bitte im"
        " Spam-Ordner nach. Kommt sie nicht innerhalb weniger Minuten an, wenden Sie sich bitte an uns."
    ),
    _("You are about to deactivate authenticator app based authentication. Are you sure?"): (
        "Sie sind dabei, die Anmeldung mit einer Authenticator-App abzuschalten. Sind Sie sicher?"
    ),
    _("You are about to generate a new set of recovery codes for your account."): (
        "Sie sind dabei, neue Wiederherstellungscodes für Ihr Konto zu erzeugen."
    ),
    _("You are already logged in as %(user_display)s."): "Sie sind bereits als %(user_display)s angemeldet.",
    _(
        "You are receiving this email because you or someone else tried to signup for an\naccount using email "
        "address:\n\n%(email)s\n\nHowever, an account using that email address already exists.  In case you "
        "have\nforgotten about this, please use the password forgotten procedure to recover\nyour account:"
        "\n\n%(password_reset_url)s"
    ): (
        "Sie erhalten diese E-Mail, weil Sie oder jemand anderes versucht hat, ein Konto mit dieser"
        " E-Mail-Adresse zu registrieren:\n\n%(email)s\n\nEs gibt jedoch bereits ein Konto mit dieser"
        " E-Mail-Adresse. Falls Sie das vergessen haben, setzen Sie bitte Ihr Passwort zurück, um Ihr Konto"
        " wiederherzustellen:\n\n%(password_reset_url)s"
    ),
    _("You cannot add more than %d email addresses."): "Sie können nicht mehr als %d E-Mail-Adressen hinzufügen.",
    _("You cannot remove your primary email address (%(email)s)."): (
        "Sie können Ihre primäre E-Mail-Adresse (%(email)s) nicht entfernen."
    ),
    _("You cannot remove your primary email address."): "Sie können Ihre primäre E-Mail-Adresse nicht entfernen.",
    _(
        "You currently do not have any email address set up. You should really add an email address so you "
        "can receive notifications, reset your password, etc."
    ): (
        "Für Ihr Konto ist derzeit keine E-Mail-Adresse hinterlegt. Bitte fügen Sie eine hinzu, damit wir Sie"
        " benachrichtigen und Sie Ihr Passwort zurücksetzen können."
    ),
    _("You have confirmed %(email)s."): "Sie haben die Adresse %(email)s bestätigt.",
    _("You have signed out."): "Sie haben sich abgemeldet.",
    _("You must type the same email each time."): "Bitte geben Sie beide Male dieselbe E-Mail-Adresse ein.",
    _("You must type the same password each time."): "Bitte geben Sie beide Male dasselbe Passwort ein.",
    _(
        "You're receiving this email because you or someone else has requested a password reset for your user "
        "account.\nIt can be safely ignored if you did not request a password reset. Click the link below to "
        "reset your password."
    ): (
        "Sie erhalten diese E-Mail, weil Sie oder jemand anderes das Zurücksetzen des Passworts für Ihr Konto"
        " angefordert hat.\nWenn Sie das nicht waren, können Sie diese E-Mail ignorieren. Um Ihr Passwort"
        " zurückzusetzen, öffnen Sie den folgenden Link."
    ),
    _("Your email address is still pending verification."): "Ihre E-Mail-Adresse ist noch nicht bestätigt.",
    _("Your password has been changed."): "Ihr Passwort wurde geändert.",
    _("Your password is now changed."): "Ihr Passwort wurde geändert.",
    _("Your phone number is still pending verification."): "Ihre Telefonnummer ist noch nicht bestätigt.",
    _("Your primary email address must be verified."): "Ihre primäre E-Mail-Adresse muss bestätigt sein.",
}
