from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField

from ..forms import Form
from .service import bot_trap, issue_fill_timer, seconds_since_render


class HoneypotField(StringField):
    """Never shows what was typed into it, even when the form comes back with errors."""

    def _value(self):
        return ""


class BotTrapsForm(Form):
    """A public form with a honeypot and a signed render time (advocacy.bots.service). Render both
    with templates/bots/_traps.html; `bot_trap()` says which one a submission sprang."""

    website = HoneypotField(_l("Leave this field empty"))
    started = HiddenField(default=issue_fill_timer)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fill_seconds = seconds_since_render(self.started.data)
        if self.fill_seconds is None:  # shown again with errors: a valid timer from now on
            self.started.data = issue_fill_timer()

    def bot_trap(self) -> str | None:
        return bot_trap(self.website.data, self.fill_seconds)
