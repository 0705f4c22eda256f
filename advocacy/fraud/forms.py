
from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, HiddenField, StringField
from wtforms.validators import Optional, Regexp, ValidationError

from ..forms import Form

DOMAIN_RE = r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?\.[A-Za-z]{2,}$"


class InvalidateForm(Form):
    """Filters for invalidation. Submitted by GET for the preview (no CSRF) and by POST to run it."""

    email_domain = StringField(_l("Email domain"), description=_l("For example mailinator.com"),
                               validators=[Optional(), Regexp(DOMAIN_RE, message=_l(
                                   "Enter a domain like example.com"))],
                               render_kw={"spellcheck": "false", "autocapitalize": "none"})
    ip_hash = StringField(_l("IP address (hashed)"),
                          description=_l("Copy it from the table of signatures per IP address."),
                          validators=[Optional(), Regexp(r"^[0-9a-f]{64}$", message=_l(
                              "Copy the whole hashed address from the table"))],
                          render_kw={"spellcheck": "false", "autocapitalize": "none"})
    postal_code = StringField(_l("ZIP code"), description=_l("5 digits"),
                              validators=[Optional(), Regexp(r"^\d{5}$", message=_l(
                                  "Enter a 5-digit ZIP code"))],
                              render_kw={"inputmode": "numeric", "class": "input--width-10", "maxlength": 5})
    created_from = DateTimeLocalField(_l("Signed from (UTC)"), format="%Y-%m-%dT%H:%M",
                                      validators=[Optional()])
    created_to = DateTimeLocalField(_l("Signed before (UTC)"), format="%Y-%m-%dT%H:%M",
                                    validators=[Optional()])
    expected = HiddenField()

    def validate_created_to(self, field):
        if field.data and self.created_from.data and field.data <= self.created_from.data:
            raise ValidationError(_l("The end of the time range must be after its start"))

    def filters(self) -> dict:
        values = {
            "email_domain": (self.email_domain.data or "").strip().lower() or None,
            "ip_hash": (self.ip_hash.data or "").strip() or None,
            "postal_code": (self.postal_code.data or "").strip() or None,
            "created_from": self.created_from.data,
            "created_to": self.created_to.data,
        }
        return {k: v for k, v in values.items() if v}
