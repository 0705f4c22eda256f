import re
from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, StringField

from ..forms import Form

PRESET_DOLLARS = (5, 10, 25, 50, 100)
OTHER = "other"
# Whole dollars or dollars and cents; "$" and thousands commas are accepted and dropped.
AMOUNT_PATTERN = re.compile(r"\d+(\.\d{1,2})?")


def dollars(cents: int) -> str:
    """100 -> "$1", 1000000 -> "$10,000", 1550 -> "$15.50" in English; "$10.000", "$15,50" in Spanish."""
    if cents % 100 == 0:
        return "$" + format_decimal(cents // 100)
    return "$" + format_decimal(Decimal(cents) / 100, format="#,##0.00")


class AmountError(ValueError):
    pass


def limits_message():
    cfg = current_app.config
    return _l("Enter an amount between %(low)s and %(high)s",
              low=dollars(cfg["DONATION_MIN_CENTS"]), high=dollars(cfg["DONATION_MAX_CENTS"]))


def parse_amount(text: str) -> int:
    """Dollars typed by a person -> cents within the configured limits, or AmountError."""
    cleaned = (text or "").strip().removeprefix("$").replace(",", "").strip()
    if not AMOUNT_PATTERN.fullmatch(cleaned):
        raise AmountError(_l("Enter an amount in dollars, like 15 or 15.50"))
    try:
        cents = int(Decimal(cleaned) * 100)
    except InvalidOperation as error:
        raise AmountError(_l("Enter an amount in dollars, like 15 or 15.50")) from error
    cfg = current_app.config
    if not cfg["DONATION_MIN_CENTS"] <= cents <= cfg["DONATION_MAX_CENTS"]:
        raise AmountError(limits_message())
    return cents


def preset_choices():
    cfg = current_app.config
    presets = [d for d in PRESET_DOLLARS if cfg["DONATION_MIN_CENTS"] <= d * 100 <= cfg["DONATION_MAX_CENTS"]]
    return [(str(d), dollars(d * 100)) for d in presets] + [(OTHER, _l("Another amount"))]


class DonateForm(Form):
    amount = RadioField(_l("How much would you like to give?"), validate_choice=False)
    custom_amount = StringField(
        _l("Another amount, in dollars"),
        render_kw={"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false", "maxlength": 12,
                   "class": "input--width-10"},
    )
    # The signature this donation follows, signed so it cannot be pointed at someone else's.
    ref = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.amount.choices = preset_choices()
        cfg = current_app.config
        self.custom_amount.description = _l("From %(low)s to %(high)s.", low=dollars(cfg["DONATION_MIN_CENTS"]),
                                            high=dollars(cfg["DONATION_MAX_CENTS"]))
        self.amount_cents = None

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        choice, custom = self.amount.data, (self.custom_amount.data or "").strip()
        if choice in (None, "", "None", OTHER):
            if not custom:
                target = self.custom_amount if choice == OTHER else self.amount
                target.errors = [_l("Choose an amount or enter another amount")]
                return False
            try:
                self.amount_cents = parse_amount(custom)
            except AmountError as error:
                self.custom_amount.errors = [str(error.args[0])]
                return False
            return True
        if choice not in dict(self.amount.choices):
            self.amount.errors = [_l("Choose an amount or enter another amount")]
            return False
        self.amount_cents = int(choice) * 100
        return True
