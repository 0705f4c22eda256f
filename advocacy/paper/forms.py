"""The sheet entry form: one row per signer, all rows posted at once."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FieldList, FormField, RadioField, StringField
from wtforms import Form as RowBase
from wtforms.validators import Length, Optional, ValidationError

from ..forms import Form, choice, email_syntax, has_control_characters, person_name
from ..signatures.forms import FORMULA_PREFIXES, normalise_zip

DEFAULT_ROWS = 15  # the printed sheet's rows
MAX_ROWS = 60


def _plain(_form, field):
    if field.data and has_control_characters(field.data):
        raise ValidationError(_l("Remove the control characters from this field"))


class SheetRowForm(RowBase):
    """One line of the sheet. A row left wholly empty is skipped; a row with anything typed must
    have a name and a ZIP code (the email is optional, as on paper)."""

    full_name = StringField(_l("Full name"), filters=[lambda v: v.strip() if isinstance(v, str) else v],
                            validators=[_plain, Optional(), Length(min=2, max=100, message=_l(
                                "Full name must be between 2 and 100 characters")), person_name],
                            render_kw={"autocomplete": "off", "spellcheck": "false", "maxlength": 100})
    postal_code = StringField(_l("ZIP code"), filters=[lambda v: v.strip() if isinstance(v, str) else v],
                              validators=[_plain],
                              render_kw={"autocomplete": "off", "inputmode": "numeric", "maxlength": 10})
    email = StringField(_l("Email (optional)"), filters=[lambda v: v.strip() if isinstance(v, str) else v],
                        validators=[_plain, Optional(), Length(max=254), email_syntax],
                        render_kw={"autocomplete": "off", "spellcheck": "false", "maxlength": 254,
                                   "inputmode": "email"})
    keep_updated = BooleanField(_l("Email me updates"))

    def is_blank(self) -> bool:
        return not (self.full_name.data or self.postal_code.data or self.email.data or self.keep_updated.data)

    def validate_full_name(self, field):
        if self.is_blank():
            return
        if not field.data:
            raise ValidationError(_l("Enter the signer's name"))
        if field.data.startswith(FORMULA_PREFIXES):
            raise ValidationError(_l("Full name must start with a letter"))

    def validate_postal_code(self, field):
        if self.is_blank():
            return
        if not field.data:
            raise ValidationError(_l("Enter the signer's ZIP code"))
        zip_code = normalise_zip(field.data)
        if zip_code is None:
            raise ValidationError(_l("Enter a US ZIP code, like 60614 or 60614-1234"))
        field.data = zip_code

    def validate_keep_updated(self, field):
        if field.data and not self.email.data:
            raise ValidationError(_l("Updates need an email address: add it or untick the box"))


class SheetForm(Form):
    locale = RadioField(_l("Language of the notice we mail to signers"),
                        choices=[choice("en", "English"), choice("es", "Español")], default="en")
    rows = FieldList(FormField(SheetRowForm), min_entries=DEFAULT_ROWS, max_entries=MAX_ROWS)

    def filled_rows(self) -> list[tuple[int, SheetRowForm]]:
        """(row number from 1, row) for every row with anything typed in it."""
        return [(n, entry.form) for n, entry in enumerate(self.rows, 1) if not entry.form.is_blank()]
