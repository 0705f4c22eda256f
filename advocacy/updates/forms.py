import unicodedata
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..forms import Form, choice
from .models import STANCES

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
    audience = SelectField(_l("Send to"), default="",
                           description=_l("Everyone who asked for updates, or only those of one state or district."))

    def set_audiences(self, audiences: list[tuple[str, str]]):
        self.audience.choices = [choice("", _l("All signers who asked for updates"))] + [
            choice(value, _l("Signers in %(place)s", place=label)) for value, label in audiences]
        return self


def web_link(_form, field):
    if field.data and urlsplit(field.data).scheme not in ("http", "https"):
        raise ValidationError(_l("Enter a link starting with https:// or http://"))
    if field.data and not urlsplit(field.data).netloc:
        raise ValidationError(_l("Enter a link starting with https:// or http://"))


class ResponseForm(Form):
    member = SelectField(_l("Member"), validators=[InputRequired(_l("Choose the member who answered"))])
    responded_on = DateField(_l("Date of the response"), description=_l("For example, 2026-11-24"),
                             validators=[InputRequired(_l("Enter the date as year-month-day, like 2026-11-24"))])
    stance = RadioField(_l("Their stance"), validators=[InputRequired(_l("Choose their stance"))])
    quote = TextAreaField(_l("What they said (optional)"), validators=[Optional(), Length(
        max=2000, message=_l("Keep the quote under 2,000 characters"))], render_kw={"rows": 4})
    link = StringField(_l("Link to the response (optional)"), validators=[Optional(), Length(
        max=500, message=_l("Keep the link under 500 characters")), web_link], render_kw={"type": "url"})

    def set_choices(self, members, stance_labels):
        self.member.choices = [choice("", _l("Choose a member"))] + [
            choice(m.bioguide_id, f"{m.title} {m.name} ({m.district_label or m.state})") for m in members]
        self.stance.choices = [choice(value, stance_labels[value]) for value in STANCES]
        return self

    def validate_member(self, field):
        if field.data == "":
            raise ValidationError(_l("Choose the member who answered"))

