from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import DataRequired

from ..forms import email_syntax


class AccessRequestForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[DataRequired(_l("Enter your email address")), email_syntax],
                       render_kw={"autocomplete": "email", "spellcheck": "false"})


class EraseForm(FlaskForm):
    """Only the CSRF token: the button deletes everything the link covers."""
