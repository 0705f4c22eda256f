"""Form helpers shared by several features: the base form, choices and validators."""
import re
from functools import lru_cache

from babel import support
from email_validator import EmailNotValidError, validate_email
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import StringField, TextAreaField
from wtforms.i18n import messages_path
from wtforms.validators import StopValidation, ValidationError

try:  # WTForms 3.3 deprecates (value, label) tuples as choices
    from wtforms.fields.choices import SelectChoice as choice
except ImportError:  # pragma: no cover - older WTForms
    def choice(value, label):
        return (value, label)

__all__ = ["Form", "choice", "email_syntax", "has_control_characters", "normalised_email", "parse_id", "person_name", "MAX_ID", "MAX_BIG_ID"]

# The largest id any table holds (PostgreSQL INTEGER); larger numbers in a URL or a form are no id.
MAX_ID = 2**31 - 1
MAX_BIG_ID = 2**63 - 1  # BIGINT columns (signatures, batches, donations)
# C0 control characters and DEL. PostgreSQL refuses NUL in text; the others have no place in a form.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
# The same, less tab and line breaks, for fields that allow several lines.
CONTROL_CHARACTERS_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Bidi overrides and isolates: they make a name display as something other than what it is.
BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def has_control_characters(value, multiline: bool = False) -> bool:
    """True if `value` (any type) is not plain text: not a string, or a string with control characters."""
    if not isinstance(value, str):
        return True
    return bool((CONTROL_CHARACTERS_MULTILINE if multiline else CONTROL_CHARACTERS).search(value))


def parse_id(text, maximum: int = MAX_ID) -> int | None:
    """A database id typed in a form ("12"), or None: ASCII digits only, within the column's range."""
    if not isinstance(text, str) or not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    value = int(text)
    return value if 0 < value <= maximum else None


@lru_cache(maxsize=8)
def _wtforms_translations(locale: str) -> support.Translations:
    """WTForms' own messages ("This field is required.") in `locale`, read from disk once per process
    (Flask-WTF reads the catalogue on every request: about a millisecond of each form post)."""
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


def plain_text(_form, field):
    """WTForms validator (added to every text field by `Form`): no control characters, no files."""
    if field.data is None:
        return
    if has_control_characters(field.data, multiline=isinstance(field, TextAreaField)):
        raise StopValidation(_l("Remove the control characters from this field"))


def person_name(_form, field):
    """WTForms validator for people's names: no bidi overrides or isolates (control characters are
    refused for every text field already)."""
    if isinstance(field.data, str) and BIDI_CONTROLS.search(field.data):
        raise ValidationError(_l("Remove the special formatting characters from this name"))


class Form(FlaskForm):
    """The base of every form: each text field refuses control characters, and file parts sent in
    place of text fields are ignored (the field then reads as empty)."""

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            wrapped = super().wrap_formdata(form, formdata)
            # Flask-WTF merges request.files into the form data; no form here takes a file.
            if wrapped is not None and hasattr(wrapped, "dicts"):
                return MultiDict([(k, v) for k, v in wrapped.items(multi=True) if isinstance(v, str)])
            return wrapped

        def get_translations(self, form):
            return _wtforms_translations(str(get_locale()))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self:
            if isinstance(field, StringField):
                field.validators = [plain_text, *field.validators]


def normalised_email(value: str) -> str | None:
    """The address normalised, if its syntax is valid (no DNS lookup); else None."""
    if not isinstance(value, str):
        return None
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def email_syntax(_form, field):
    """WTForms validator: a syntactically valid address (no DNS lookup), stored normalised."""
    email = normalised_email(field.data)
    if email is None:
        raise ValidationError(_l("Enter an email address in the correct format, like name@example.com"))
    field.data = email
