from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional

from ..forms import Form, email_syntax


class PacketForm(Form):
    recipient = SelectField(_l("Recipient"), description=_l("The whole campaign, or one lawmaker with constituents who signed."))

    def set_lawmakers(self, lawmakers: list[dict], campaign=None):
        whole = _l("The whole campaign (all of Congress)")
        if campaign is not None and campaign.is_targeted:
            whole = _l("The whole campaign (%(audience)s)", audience=campaign.target_audience())
        self.recipient.choices = [("", whole)] + [
            (row["bioguide_id"], f"{row['member']} ({row['district'] or row['state']}, {row['constituents']:,})")
            for row in lawmakers
        ]
        return self


class ThresholdForm(Form):
    delivery_threshold = IntegerField(
        _l("Constituents before a member is ready to deliver"),
        description=_l("When this many constituents of a member have signed, the member is marked ready to "
                       "deliver and you get an email. Leave empty to turn it off."),
        validators=[Optional(), NumberRange(min=1, max=10_000_000, message=_l("Enter a whole number from 1"))],
        render_kw={"inputmode": "numeric"})


def optional_email(form, field):
    if (field.data or "").strip():
        email_syntax(form, field)


class OfficeContactForm(Form):
    email = StringField(_l("Office email address"),
                        validators=[Length(max=254, message=_l("Email must be 254 characters or fewer")),
                                    optional_email],
                        render_kw={"type": "email", "autocomplete": "off", "spellcheck": "false"})


class CsrfOnlyForm(Form):
    """A button: only the CSRF token."""
