from datetime import datetime, timedelta
from functools import lru_cache

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, attribute_keyed_dict, mapped_column, relationship

from ..database import one_of, utcnow
from ..extensions import db

CAMPAIGN_STATES = ("draft", "open", "closed", "delivered", "archived")
# Languages a campaign's text can be written in besides English, its original (packets stay English).
TRANSLATION_LOCALES = ("es",)
TARGET_CHAMBERS = ("both", "house", "senate")
MAX_LETTER_PROMPTS = 3


def join_codes(codes, conjunction: str = "and") -> str:
    """["CA", "IL", "NY"] -> "CA, IL and NY"."""
    codes = list(codes)
    return codes[0] if len(codes) == 1 else f"{', '.join(codes[:-1])} {conjunction} {codes[-1]}"


@lru_cache(maxsize=256)
def _parse_states(text: str) -> frozenset[str]:
    """"CA, il" -> {"CA", "IL"}; asked once per member when a page lists the members a campaign
    addresses, so parsed once per distinct text."""
    return frozenset(code.strip().upper() for code in text.replace(" ", ",").split(",") if code.strip())


class Campaign(db.Model):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[str] = mapped_column(sa.String(140))
    ask: Mapped[str] = mapped_column(sa.String(300))
    summary: Mapped[str] = mapped_column(sa.String(300), default="")
    background: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown, sanitised on render
    # What a signer says when calling their member, with {member} and {title} filled in (plain text).
    call_script: Mapped[str] = mapped_column(sa.Text, default="")
    # Up to three questions that prompt a signer's letter to their members, one per line.
    letter_prompts: Mapped[str] = mapped_column(sa.Text, default="")
    target_chamber: Mapped[str] = mapped_column(sa.String(10), default="both")
    # Comma-separated USPS codes; empty means every state.
    target_states: Mapped[str] = mapped_column(sa.String(200), default="")
    goal: Mapped[int] = mapped_column(sa.Integer)
    state: Mapped[str] = mapped_column(sa.String(12), default="draft", index=True)
    opens_at: Mapped[datetime | None] = mapped_column(sa.DateTime, nullable=True)
    closes_at: Mapped[datetime | None] = mapped_column(sa.DateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime, nullable=True)
    # Recorded when organisers hand the signatures over (state "delivered").
    delivered_at: Mapped[datetime | None] = mapped_column(sa.DateTime, nullable=True)
    delivered_to: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    # Confirmed signers a targeted House district (a state, for Senate-only campaigns) should reach;
    # the dashboard lists the places still short of it (advocacy.growth), so organisers know where to push.
    district_threshold: Mapped[int] = mapped_column(sa.Integer, default=100, server_default="100")
    # Constituents a member needs before the dashboard marks them "ready to deliver" (None: off).
    delivery_threshold: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, onupdate=utcnow)

    # The campaign's text in other languages, by locale ("es"); English lives on the campaign itself.
    translations: Mapped[dict[str, "CampaignTranslation"]] = relationship(
        collection_class=attribute_keyed_dict("locale"), cascade="all, delete-orphan", passive_deletes=True,
        back_populates="campaign")

    __table_args__ = (
        sa.CheckConstraint("goal > 0", name="goal_positive"),
        sa.CheckConstraint("district_threshold > 0", name="district_threshold_positive"),
        one_of("state", CAMPAIGN_STATES, name="state_known"),
    )

    @property
    def target_label(self) -> str:
        return {"both": _l("U.S. Congress"), "house": _l("U.S. House of Representatives"),
                "senate": _l("U.S. Senate")}[self.target_chamber]

    # --- The target: which chamber(s), nationally or in chosen states. The one place that decides
    # whether a member, a state or a signer is addressed; delivery and pages ask these. ---

    def targeted_states(self) -> frozenset[str]:
        """The chosen USPS codes; empty means every state."""
        return _parse_states(self.target_states or "")

    def targets_chamber(self, chamber: str) -> bool:
        return self.target_chamber in ("both", chamber)

    def targets_state(self, state: str | None) -> bool:
        states = self.targeted_states()
        return not states or (state or "") in states

    def targets_member(self, member) -> bool:
        """Whether a member (anything with `chamber` and `state`) receives this petition."""
        return self.targets_chamber(member.chamber) and self.targets_state(member.state)

    @property
    def is_targeted(self) -> bool:
        """Limited to one chamber or to some states (not the whole of Congress)."""
        return self.target_chamber != "both" or bool(self.targeted_states())

    def target_audience(self, article: bool = True) -> str:
        """In English, for packets: "the U.S. House members for CA and IL", "the U.S. Congress"."""
        the = "the " if article else ""
        body = {"both": "members of the U.S. Congress", "house": "U.S. House members",
                "senate": "U.S. Senators"}[self.target_chamber]
        states = sorted(self.targeted_states())
        if not states:
            return f"{the}U.S. Congress" if self.target_chamber == "both" else f"{the}{body}"
        return f"{the}{body} for {join_codes(states)}"

    def letter_prompt_list(self, prompts: str | None = None) -> list[str]:
        """The letter questions, one per line; `prompts`: their text in the page's language
        (`(campaign|localised).letter_prompts`), by default the English."""
        text = self.letter_prompts if prompts is None else prompts
        return [line.strip() for line in (text or "").splitlines() if line.strip()][:MAX_LETTER_PROMPTS]

    def filled_call_script(self, title: str, member: str, script: str | None = None) -> list[str]:
        """The call script's paragraphs with the member's title and name in place of {title} and
        {member}. Plain replacement, not str.format (a script cannot reach attributes); the page
        escapes the text and renders no Markdown. `script`: the text in the page's language
        (`(campaign|localised).call_script`), by default the English."""
        text = (self.call_script if script is None else script) or ""
        text = text.replace("{title}", title).replace("{member}", member)
        return [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]

    @property
    def is_public(self) -> bool:
        return self.state != "draft"

    def accepts_signatures(self, now=None) -> bool:
        now = now or utcnow()
        if self.state != "open":
            return False
        if self.opens_at and now < self.opens_at:
            return False
        return not (self.closes_at and now >= self.closes_at)

    def effective_closed_at(self, now=None):
        """When signing stopped, or None while it still accepts signatures."""
        now = now or utcnow()
        if self.accepts_signatures(now):
            return None
        candidates = [t for t in (self.closed_at, self.closes_at) if t and t <= now]
        return min(candidates) if candidates else None

    def accepts_confirmations(self, grace: timedelta, now=None) -> bool:
        """Pending signatures may still be confirmed for `grace` after the campaign closed."""
        now = now or utcnow()
        if self.accepts_signatures(now):
            return True
        if self.state not in ("open", "closed"):
            return False
        closed = self.effective_closed_at(now)
        return closed is not None and now <= closed + grace

    def __repr__(self):
        return f"<Campaign {self.slug} {self.state}>"


class CampaignTranslation(db.Model):
    """A campaign's title, ask, summary, background, call script and letter questions written in another
    language by its organisers. Title and ask are required; any other empty field falls back to English."""

    __tablename__ = "campaign_translations"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(sa.String(5))
    title: Mapped[str] = mapped_column(sa.String(140))
    ask: Mapped[str] = mapped_column(sa.String(300))
    summary: Mapped[str] = mapped_column(sa.String(300), default="")
    background: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown, sanitised on render
    # As on the campaign: plain text with {title} and {member}; questions one per line. Empty: English.
    call_script: Mapped[str] = mapped_column(sa.Text, default="")
    letter_prompts: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, onupdate=utcnow)

    campaign: Mapped[Campaign] = relationship(back_populates="translations")

    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "locale", name="uq_campaign_translations_campaign_locale"),
        one_of("locale", TRANSLATION_LOCALES, name="locale_known"),
    )
