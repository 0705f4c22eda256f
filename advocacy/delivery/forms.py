from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from ..forms import Form


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
