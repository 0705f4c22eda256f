"""WTForms' own messages follow the page's language; the catalogue is read once per process."""
from flask_babel import refresh
from wtforms import StringField
from wtforms.validators import Length

from advocacy.forms import Form, _wtforms_translations


class ShortForm(Form):
    code = StringField("Code", validators=[Length(max=3)])


def _errors_for(app, language):
    with app.test_request_context("/", method="POST", data={"code": "toolong"},
                                  headers={"Accept-Language": language}):
        refresh()  # the app fixture's context remembers the previous request's language
        form = ShortForm(meta={"csrf": False})
        assert not form.validate()
        return form.code.errors


def test_wtforms_messages_are_in_the_visitors_language(app):
    assert _errors_for(app, "es") == ["El campo no puede tener más de 3 caracteres."]
    assert _errors_for(app, "en") == ["Field cannot be longer than 3 characters."]


def test_wtforms_catalogue_is_loaded_once_per_language(app):
    _wtforms_translations.cache_clear()
    for _ in range(3):
        _errors_for(app, "es")
    assert _wtforms_translations.cache_info().misses == 1
