import re

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..database import utcnow
from ..forms import Form, choice

SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
US_STATES = frozenset((
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
    "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC",
    "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
))


EARLIEST_YEAR = 2000
YEARS_AHEAD = 10


def sensible_year(field):
    """Dates from 2000 to ten years ahead: a year like 0202 or 2205 is a typing slip."""
    if field.data and not EARLIEST_YEAR <= field.data.year <= utcnow().year + YEARS_AHEAD:
        raise ValidationError(_l("Enter a year from %(first)s to %(last)s", first=EARLIEST_YEAR,
                                 last=utcnow().year + YEARS_AHEAD))


class CampaignForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title")), Length(
        max=140, message=_l("Title must be 140 characters or fewer"))], render_kw={"maxlength": 140})
    slug = StringField(
        _l("Web address name"),
        description=_l("Lower-case letters, digits and hyphens, for example paid-leave. "
                       "It cannot change once people have signed."),
        validators=[DataRequired(_l("Enter a web address name")),
                    Length(max=80, message=_l("Web address name must be 80 characters or fewer"))],
        render_kw={"maxlength": 80, "spellcheck": "false", "autocapitalize": "none"})
    ask = StringField(_l("The ask, in one sentence"), description=_l("What you want lawmakers to do."),
                      validators=[DataRequired(_l("Enter the ask")), Length(
                          max=300, message=_l("The ask must be 300 characters or fewer"))],
                      render_kw={"maxlength": 300})
    summary = StringField(_l("Summary (optional)"), description=_l("Shown in the list of campaigns."),
                          validators=[Optional(), Length(max=300, message=_l(
                              "Summary must be 300 characters or fewer"))], render_kw={"maxlength": 300})
    background = TextAreaField(
        _l("Background"),
        description=_l("Markdown: **bold**, *italic*, [links](https://example.org), lists, ## headings."),
        validators=[Optional(), Length(max=20000, message=_l("Background must be 20,000 characters or fewer"))],
        render_kw={"rows": 12})
    call_script = TextAreaField(
        _l("Call script (optional)"),
        description=_l("What a signer can say when they call their member's office, shown after they confirm. "
                       "{title} and {member} become the member's title and name, for example "
                       "“Representative” and “Nancy Pelosi”. Plain text; a blank line starts a new paragraph."),
        validators=[Optional(), Length(max=2000, message=_l("The call script must be 2,000 characters or fewer"))],
        render_kw={"rows": 6, "maxlength": 2000})
    letter_prompts = TextAreaField(
        _l("Questions for signers' letters (optional)"),
        description=_l("One to three questions, one per line, that help signers write to their members, for "
                       "example: How would paid leave change your family's week?"),
        validators=[Optional(), Length(max=600, message=_l("The questions must be 600 characters or fewer"))],
        render_kw={"rows": 3, "maxlength": 600})
    target_chamber = RadioField(_l("Who is it addressed to?"), choices=[
        choice("both", _l("U.S. House and Senate")), choice("house", _l("U.S. House of Representatives")),
        choice("senate", _l("U.S. Senate"))], default="both")
    target_states = StringField(
        _l("Limit to states (optional)"),
        description=_l("Two-letter codes separated by commas, for example IL, WI. Empty means every state."),
        validators=[Optional()], render_kw={"spellcheck": "false"})
    goal = IntegerField(_l("Signature goal"), validators=[
        InputRequired(_l("Enter a goal")), NumberRange(min=1, max=100_000_000, message=_l(
            "Goal must be a whole number above 0"))], render_kw={"inputmode": "numeric",
                                                                "class": "input--width-10"})
    opens_at = DateTimeLocalField(_l("Opens (optional, UTC)"), format="%Y-%m-%dT%H:%M",
                                  validators=[Optional()],
                                  description=_l("Leave empty to accept signatures as soon as it is open."))
    closes_at = DateTimeLocalField(_l("Closes (optional, UTC)"), format="%Y-%m-%dT%H:%M",
                                   validators=[Optional()],
                                   description=_l("Signing stops at this time; the campaign then closes."))

    # The Spanish version (optional): shown to visitors reading in Spanish; English fills any gap.
    title_es = StringField(_l("Title in Spanish"), validators=[Length(
        max=140, message=_l("Title must be 140 characters or fewer"))], render_kw={"maxlength": 140, "lang": "es"})
    ask_es = StringField(_l("The ask in Spanish"), validators=[Length(
        max=300, message=_l("The ask must be 300 characters or fewer"))], render_kw={"maxlength": 300, "lang": "es"})
    summary_es = StringField(_l("Summary in Spanish (optional)"), validators=[Optional(), Length(
        max=300, message=_l("Summary must be 300 characters or fewer"))], render_kw={"maxlength": 300, "lang": "es"})
    background_es = TextAreaField(
        _l("Background in Spanish (optional)"), description=_l("Markdown, as in English. Empty: the English background is shown."),
        validators=[Optional(), Length(max=20000, message=_l("Background must be 20,000 characters or fewer"))],
        render_kw={"rows": 12, "lang": "es"})
    call_script_es = TextAreaField(
        _l("Call script in Spanish (optional)"),
        description=_l("{title} and {member} work as in English; the title is then said in Spanish, for example "
                       "“representante en la Cámara”. Empty: the English script is shown."),
        validators=[Optional(), Length(max=2000, message=_l("The call script must be 2,000 characters or fewer"))],
        render_kw={"rows": 6, "maxlength": 2000, "lang": "es"})
    letter_prompts_es = TextAreaField(
        _l("Questions for signers' letters in Spanish (optional)"),
        description=_l("One to three questions, one per line. Empty: the English questions are shown."),
        validators=[Optional(), Length(max=600, message=_l("The questions must be 600 characters or fewer"))],
        render_kw={"rows": 3, "maxlength": 600, "lang": "es"})

    TRANSLATION_FIELDS = ("title_es", "ask_es", "summary_es", "background_es", "call_script_es", "letter_prompts_es")

    def _spanish_started(self) -> bool:
        return any((getattr(self, name).data or "").strip() for name in self.TRANSLATION_FIELDS)

    def validate_title_es(self, field):
        if self._spanish_started() and not (field.data or "").strip():
            raise ValidationError(_l("Enter the title in Spanish, or leave the whole Spanish version empty"))

    def validate_ask_es(self, field):
        if self._spanish_started() and not (field.data or "").strip():
            raise ValidationError(_l("Enter the ask in Spanish, or leave the whole Spanish version empty"))

    def translations(self) -> dict[str, str]:
        return {name: (getattr(self, name).data or "").strip() for name in self.TRANSLATION_FIELDS}

    def validate_slug(self, field):
        field.data = field.data.strip()
        if not SLUG_PATTERN.fullmatch(field.data):
            raise ValidationError(_l("Use only lower-case letters, digits and single hyphens"))

    def validate_letter_prompts(self, field):
        self._at_most_three_questions(field)

    def validate_letter_prompts_es(self, field):
        self._at_most_three_questions(field)

    @staticmethod
    def _at_most_three_questions(field):
        lines = [line.strip() for line in (field.data or "").splitlines() if line.strip()]
        if len(lines) > 3:
            raise ValidationError(_l("Ask at most three questions, one per line"))
        field.data = "\n".join(lines)

    def validate_target_states(self, field):
        codes = [c.strip().upper() for c in (field.data or "").replace(" ", ",").split(",") if c.strip()]
        unknown = [c for c in codes if c not in US_STATES]
        if unknown:
            raise ValidationError(_l("Not a US state code: %(codes)s", codes=", ".join(unknown)))
        field.data = ",".join(sorted(set(codes)))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An open campaign's closing date must stay ahead (drafts are checked when they are opened).
        self.campaign_open = getattr(kwargs.get("obj"), "state", None) == "open"

    def validate_opens_at(self, field):
        sensible_year(field)

    def validate_closes_at(self, field):
        sensible_year(field)
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The closing date must be after the opening date"))
        if field.data and self.campaign_open and field.data <= utcnow():
            raise ValidationError(_l("The closing date has passed: choose a later one, or close the campaign"))


class DeliveryForm(Form):
    delivered_to = TextAreaField(
        _l("Delivered to"), description=_l("Whose offices received the signatures, and how."),
        validators=[DataRequired(_l("Say to whom the signatures were delivered")),
                    Length(max=2000, message=_l("Keep it under 2,000 characters"))], render_kw={"rows": 3})
    delivered_at = DateTimeLocalField(_l("When (optional, UTC)"), format="%Y-%m-%dT%H:%M",
                                      validators=[Optional()], description=_l("Leave empty for now."))
