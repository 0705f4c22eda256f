"""Every model, imported in one place so Alembic autogenerate sees them all."""
from .accounts.models import (  # noqa: F401
    AccountToken,
    CampaignMember,
    User,
)
from .audit.models import AuditEvent  # noqa: F401
from .bots.models import DisposableDomain  # noqa: F401
from .campaigns.models import Campaign, CampaignTranslation  # noqa: F401
from .delivery.models import (  # noqa: F401
    CwcMessage,
    DeliveryPacketRecord,
    DeliveryToken,
    Milestone,
    OfficeContact,
    OfficeSend,
    ThresholdReached,
)
from .donations.models import Donation, StripeEvent  # noqa: F401
from .fraud.models import InvalidatedSignature, InvalidationBatch  # noqa: F401
from .geography.models import DistrictOffice, Legislator, SignatureDistrict, ZipDistrict  # noqa: F401
from .mail.models import OutboxMessage  # noqa: F401
from .privacy.models import PrivacyToken  # noqa: F401
from .signatures.districts import DistrictAnswer  # noqa: F401
from .signatures.letters import Letter  # noqa: F401
from .signatures.models import Signature, SignatureToken, Tally, TallyDelta  # noqa: F401
from .updates.models import CampaignUpdate, CampaignUpdateTranslation, MemberResponse  # noqa: F401
