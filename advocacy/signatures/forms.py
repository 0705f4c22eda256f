import re

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..bots.forms import BotTrapsForm
from ..bots.service import bot_trap, seconds_since_render
from ..forms import (
    BIDI_CONTROLS,
    Form,
    choice,
    email_syntax,
    has_control_characters,
    normalised_email,
    person_name,
)
from ..mail.addresses import needs_smtputf8
from ..mail.service import relay_offers_smtputf8

# ASCII digits only: str.isdigit and \d also accept "１２３４５" and "٦٠٦١٤".
ZIP_PATTERN = re.compile(r"([0-9]{5})-?([0-9]{4})?")
URL_PATTERN = re.compile(r"(https?://|www\.|\b[a-z0-9-]+\.(com|net|org|info|io|ru|xyz|biz|top)\b)", re.IGNORECASE)
# Cells starting with these become formulas in spreadsheets (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@")
# A ?source= code: a short slug a partner or a post puts in its link ("clinic-nurses", "share-sms").
SOURCE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")


def clean_source(value: str | None) -> str | None:
    """The source code lower-cased, or None when absent or not a valid code (never an error: a
    mangled link must not stop anyone from signing)."""
    value = (value or "").strip()
    return value.lower() if SOURCE_PATTERN.fullmatch(value) else None


def normalise_zip(value: str) -> str | None:
    """"60614", "606141234" or "60614-1234" -> "60614" / "60614-1234"; None if not a US ZIP."""
    match = ZIP_PATTERN.fullmatch(value.strip().replace(" ", ""))
    if not match:
        return None
    return match[1] + (f"-{match[2]}" if match[2] else "")


NAME_PART_MAX = 50


def _check_name_part(value: str) -> None:
    name = value.strip()
    if name.startswith(FORMULA_PREFIXES):
        raise ValidationError(_l("Your name must start with a letter"))
    if URL_PATTERN.search(name):
        raise ValidationError(_l("Your name must not contain a web address"))
    if "@" in name:
        raise ValidationError(_l("Enter your name here and your email address below"))
    if not any(ch.isalpha() for ch in name):
        raise ValidationError(_l("Your name must contain letters"))


class SignForm(BotTrapsForm):  # with a honeypot and a minimum fill time
    class Meta:
        csrf = False  # the public page carries no per-visitor token; advocacy.public checks Origin

    # Two parts, as the signer gives them (OSDI and offices want them apart); the family name is
    # optional for people with one name, and its order is the signer's choice (names.display_name).
    given_name = StringField(
        _l("Given name(s)"),
        validators=[DataRequired(_l("Enter your given name")),
                    Length(max=NAME_PART_MAX, message=_l("Your given name must be 50 characters or fewer")),
                    person_name],
        render_kw={"autocomplete": "given-name", "spellcheck": "false", "maxlength": NAME_PART_MAX},
    )
    family_name = StringField(
        _l("Family name (optional)"),
        description=_l("Leave it empty if you have only one name."),
        validators=[Optional(),
                    Length(max=NAME_PART_MAX, message=_l("Your family name must be 50 characters or fewer")),
                    person_name],
        render_kw={"autocomplete": "family-name", "spellcheck": "false", "maxlength": NAME_PART_MAX},
    )
    family_name_first = BooleanField(
        _l("My family name comes first"),
        description=_l("As in many Chinese, Hungarian, Japanese, Korean and Vietnamese names."),
    )
    email = EmailField(
        _l("Email address"),
        description=_l("We will send you a link to confirm your signature."),
        validators=[DataRequired(_l("Enter your email address"))],
        render_kw={"autocomplete": "email", "spellcheck": "false", "maxlength": 254, "inputmode": "email"},
    )
    postal_code = StringField(
        _l("ZIP code"),
        description=_l("5 digits, for example 60614. We use it to find your lawmakers."),
        validators=[DataRequired(_l("Enter your ZIP code"))],
        render_kw={"autocomplete": "postal-code", "inputmode": "numeric", "maxlength": 10,
                   "class": "input--width-10"},
    )
    comment = TextAreaField(
        _l("Why are you signing? (optional)"),
        description=_l("Up to 500 characters. Organisers review comments before they appear."),
        validators=[Optional(), Length(max=500, message=_l("Your comment must be 500 characters or fewer"))],
        render_kw={"rows": 4, "maxlength": 500},
    )
    show_name = BooleanField(_l("Show my name with my comment on this page"))
    keep_updated = BooleanField(_l("Email me updates about this campaign"))
    share_email = BooleanField(
        _l("Share my email address with my lawmakers' offices"),
        description=_l("Off unless you tick it. Without it, offices see your name, town and ZIP code only."),
    )
    source = HiddenField(filters=[clean_source])  # carried from the page's ?source=

    def signer_values(self) -> dict:
        """What a validated form says of the signer (the keyword arguments of `SignerDetails` that
        come from the form), as `plainly_valid_signer` gives them."""
        return {"given_name": self.given_name.data, "family_name": self.family_name.data,
                "family_name_first": self.family_name_first.data, "email": self.email.data,
                "postal_code": self.postal_code.data, "comment": self.comment.data,
                "show_name": self.show_name.data, "keep_updated": self.keep_updated.data,
                "share_email": self.share_email.data, "source": self.source.data, "bot_trap": self.bot_trap()}

    def validate_given_name(self, field):
        _check_name_part(field.data)

    def validate_family_name(self, field):
        if field.data and field.data.strip():
            _check_name_part(field.data)

    def validate_email(self, field):
        email_syntax(self, field)
        # An internationalised name part (用户@例子.广告) needs a relay with SMTPUTF8; tell the signer
        # now rather than let the confirmation mail fail later.
        if needs_smtputf8(field.data) and not relay_offers_smtputf8():
            raise ValidationError(_l(
                "We cannot send email to this address: our mail server does not support letters "
                "other than A to Z before the @. Please enter another email address."))

    def validate_postal_code(self, field):
        value = normalise_zip(field.data)
        if value is None:
            raise ValidationError(_l("Enter a US ZIP code, like 60614 or 60614-1234"))
        field.data = value


class LetterForm(Form):
    """A signer's letter to their members (on the confirmed page; no CSRF token, like the sign form)."""

    class Meta:
        csrf = False  # advocacy.public checks Origin; the confirm link's token says whose letter it is

    body = TextAreaField(
        _l("Your letter"),
        description=_l("In your own words, up to 5,000 characters. Organisers read letters before they are "
                       "delivered or shown."),
        validators=[DataRequired(_l("Write your letter")),
                    Length(min=20, max=5000, message=_l("Your letter must be between 20 and 5,000 characters"))],
        render_kw={"rows": 10, "maxlength": 5000},
    )
    reach = RadioField(_l("Who may read it?"), choices=[
        choice("members", _l("My members' offices only")),
        choice("public", _l("My members' offices, and visitors to the campaign page")),
    ], default="members", validators=[DataRequired(_l("Choose who may read your letter"))])
    show_name = BooleanField(_l("Sign it with my name"),
                             description=_l("Without it, your letter is signed “A constituent” and your town."))
    street_address = StringField(
        _l("Street address"),
        description=_l("Congress's official channel for letters requires it. It goes to your members' "
                       "offices only."),
        validators=[Length(max=200, message=_l("Street address must be 200 characters or fewer"))],
        render_kw={"autocomplete": "street-address", "maxlength": 200},
    )
    prefix = RadioField(
        _l("How should the office address you?"),
        description=_l("Congress's official channel for letters needs one of these: without it, your letter "
                       "is delivered with the petition only."),
        choices=[choice("", _l("Choose not to say")), choice("Ms.", _l("Ms.")), choice("Mr.", _l("Mr.")),
                 choice("Mx.", _l("Mx.")), choice("Dr.", _l("Dr."))],
        default="", validate_choice=True,
    )
    city = StringField(
        _l("City or town"),
        validators=[Length(max=60, message=_l("City must be 60 characters or fewer"))],
        render_kw={"autocomplete": "address-level2", "maxlength": 60},
    )

    def __init__(self, *args, address_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.address_required = address_required

    def validate_street_address(self, field):
        if self.address_required and not (field.data or "").strip():
            raise ValidationError(_l("Enter your street address"))

    def validate_city(self, field):
        if self.address_required and not (field.data or "").strip():
            raise ValidationError(_l("Enter your city or town"))


# -- The plainly valid sign form, without WTForms ---------------------------------------------------

_FALSE = ("false", "")  # BooleanField's false values


def _name_part(value: str | None, required: bool) -> bool:
    if value is None:
        return not required
    if has_control_characters(value):
        return False
    if not value.strip():
        return not required
    if len(value) > NAME_PART_MAX or BIDI_CONTROLS.search(value):
        return False
    try:
        _check_name_part(value)
    except ValidationError:
        return False
    return True


def plainly_valid_signer(formdata) -> dict | None:
    """`SignForm.signer_values()` of a sign form whose every field is plainly valid, without building
    the form; None for anything missing, wrong or unusual, and then SignForm decides (and says
    what is wrong). Under a surge nearly every post is a plainly valid form, and building SignForm's
    twelve WTForms fields costs more CPU than storing the signature.

    It accepts only what SignForm accepts, with the same values: `tests/signatures/test_plain_form.py`
    checks that with Hypothesis. So it needs the form's own render time (`started`: SignForm would
    issue a fresh one when it is missing) and an address that is ASCII (an internationalised one
    depends on the mail relay)."""
    get = formdata.get
    given_name, family_name, email = get("given_name"), get("family_name"), get("email")
    postal_code, comment, started = get("postal_code"), get("comment"), get("started")
    website, source = get("website"), get("source")
    if email is None or postal_code is None or started is None:
        return None
    if not (_name_part(given_name, required=True) and _name_part(family_name, required=False)):
        return None
    if any(value is not None and has_control_characters(value) for value in (email, postal_code, started, website, source)):
        return None
    if comment is not None and (has_control_characters(comment, multiline=True)
                                or (comment.strip() and len(comment) > 500)):
        return None
    zip_code = normalise_zip(postal_code)
    if zip_code is None or not email.isascii():
        return None
    email = normalised_email(email)
    if email is None:
        return None
    return {"given_name": given_name, "family_name": family_name,
            "family_name_first": get("family_name_first", "") not in _FALSE, "email": email,
            "postal_code": zip_code, "comment": comment,
            "show_name": get("show_name", "") not in _FALSE, "keep_updated": get("keep_updated", "") not in _FALSE,
            "share_email": get("share_email", "") not in _FALSE, "source": clean_source(source),
            "bot_trap": bot_trap(website, seconds_since_render(started))}
