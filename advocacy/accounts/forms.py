from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, RadioField, SelectMultipleField
from wtforms.validators import DataRequired, EqualTo, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import Form, choice, email_syntax
from .service import MIN_PASSWORD_LENGTH


class LoginForm(Form):
    email = EmailField(_l("Email address"), validators=[DataRequired(_l("Enter your email address"))],
                       render_kw={"autocomplete": "username", "spellcheck": "false"})
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password"))],
                             render_kw={"autocomplete": "current-password"})


class ResetRequestForm(Form):
    email = EmailField(_l("Email address"), validators=[DataRequired(_l("Enter your email address"))],
                       render_kw={"autocomplete": "username", "spellcheck": "false"})


class SetPasswordForm(Form):
    password = PasswordField(
        _l("New password"),
        description=_l("At least %(n)s characters. A few unrelated words make a strong password.",
                       n=MIN_PASSWORD_LENGTH),
        validators=[DataRequired(_l("Enter a new password")),
                    Length(min=MIN_PASSWORD_LENGTH, max=200,
                           message=_l("Password must be at least %(n)s characters", n=MIN_PASSWORD_LENGTH))],
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        _l("Type the new password again"),
        validators=[DataRequired(_l("Type the new password again")),
                    EqualTo("password", message=_l("The two passwords are not the same"))],
        render_kw={"autocomplete": "new-password"})


class InviteForm(Form):
    email = EmailField(_l("Email address"), validators=[DataRequired(_l("Enter an email address"))],
                       render_kw={"autocomplete": "off", "spellcheck": "false"})
    role = RadioField(_l("Role"), choices=[choice("organiser", _l("Organiser: only the campaigns below")),
                                           choice("admin", _l("Admin: every campaign, users and the audit log"))],
                      default="organiser")
    campaigns = SelectMultipleField(_l("Campaigns"), coerce=int, widget=ListWidget(prefix_label=False),
                                    option_widget=CheckboxInput(), validate_choice=True)

    validate_email = email_syntax
