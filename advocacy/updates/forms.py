import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from ..forms import Form

# Line breaks, control characters and Unicode line/paragraph separators: the title becomes the
# subject of the mail to every signer, and a mail header cannot hold any of them.
_NOT_IN_A_TITLE = ("Cc", "Zl", "Zp")


def one_line(_form, field):
    if field.data and any(unicodedata.category(ch) in _NOT_IN_A_TITLE for ch in field.data):
        raise ValidationError(_l("Write the title on one line, without line breaks or control characters"))


class UpdateForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title")), Length(
        max=140, message=_l("Title must be 140 characters or fewer")), one_line], render_kw={"maxlength": 140})
    body = TextAreaField(
        _l("Update"), description=_l("Markdown: **bold**, *italic*, [links](https://example.org), lists."),
        validators=[DataRequired(_l("Write the update")),
                    Length(max=10000, message=_l("Keep the update under 10,000 characters"))],
        render_kw={"rows": 10})

    # Optional Spanish version: signers who signed in Spanish are mailed it, and Spanish readers see it.
    title_es = StringField(_l("Title in Spanish (optional)"), validators=[Length(
        max=140, message=_l("Title must be 140 characters or fewer")), one_line],
        render_kw={"maxlength": 140, "lang": "es"})
    body_es = TextAreaField(
        _l("Update in Spanish (optional)"),
        description=_l("Leave both Spanish fields empty to send the English update to everyone."),
        validators=[Length(max=10000, message=_l("Keep the update under 10,000 characters"))],
        render_kw={"rows": 10, "lang": "es"})

    def validate_title_es(self, field):
        if (self.body_es.data or "").strip() and not (field.data or "").strip():
            raise ValidationError(_l("Enter the title in Spanish, or leave the Spanish version empty"))

    def validate_body_es(self, field):
        if (self.title_es.data or "").strip() and not (field.data or "").strip():
            raise ValidationError(_l("Write the update in Spanish, or leave the Spanish version empty"))

    def translations(self) -> dict[str, dict[str, str]]:
        if not (self.title_es.data or "").strip():
            return {}
        return {"es": {"title": self.title_es.data.strip(), "body": self.body_es.data or ""}}
