from flask_babel import lazy_gettext as _l
from wtforms import EmailField
from wtforms.validators import DataRequired

from ..forms import Form, email_syntax


class AccessRequestForm(Form):  # the base form: no control characters, no files
    email = EmailField(_l("Email address"), validators=[DataRequired(_l("Enter your email address")), email_syntax],
                       render_kw={"autocomplete": "email", "spellcheck": "false"})


class EraseForm(Form):
    """Only the CSRF token: the button deletes everything the link covers."""
