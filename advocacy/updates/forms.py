from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms import Form


class UpdateForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter a title")), Length(
        max=140, message=_l("Title must be 140 characters or fewer"))], render_kw={"maxlength": 140})
    body = TextAreaField(
        _l("Update"), description=_l("Markdown: **bold**, *italic*, [links](https://example.org), lists."),
        validators=[DataRequired(_l("Write the update")),
                    Length(max=10000, message=_l("Keep the update under 10,000 characters"))],
        render_kw={"rows": 10})
