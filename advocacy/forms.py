"""Form helpers shared by several features: choices and validators."""
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

try:  # WTForms 3.3 deprecates (value, label) tuples as choices
    from wtforms.fields.choices import SelectChoice as choice
except ImportError:  # pragma: no cover - older WTForms
    def choice(value, label):
        return (value, label)

__all__ = ["choice", "email_syntax"]


def email_syntax(_form, field):
    """WTForms validator: a syntactically valid address (no DNS lookup), stored normalised."""
    try:
        field.data = validate_email(field.data.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValidationError(_l("Enter an email address in the correct format, like name@example.com")) from error
