from flask_babel import lazy_gettext as _l
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from ..forms import Form
from .sources import MAX_DISTRICT_THRESHOLD


class ThresholdForm(Form):
    district_threshold = IntegerField(
        _l("Signers needed in each targeted district"),
        description=_l("Districts below this number are listed so you know where to push."),
        validators=[InputRequired(_l("Enter a number of signers")),
                    NumberRange(min=1, max=MAX_DISTRICT_THRESHOLD,
                                message=_l("Enter a whole number from 1 to 1,000,000"))],
        render_kw={"inputmode": "numeric", "class": "input--width-10"},
    )
