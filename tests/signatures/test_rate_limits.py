"""Sign-form rate limits per IP and per email, stored in Redis as in production."""
import os

import pytest
import redis

from tests.conftest import sign_form

REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def redis_available():
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture
def limited_app(app):
    if not redis_available():
        pytest.skip("Redis is not running")
    redis.Redis.from_url(REDIS_URL).flushdb()
    from advocacy.extensions import limiter

    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=REDIS_URL,
                      SIGN_RATE_LIMIT_PER_EMAIL="3 per hour", SIGN_RATE_LIMIT_PER_IP="5 per minute")
    limiter.init_app(app)
    yield app
    redis.Redis.from_url(REDIS_URL).flushdb()


def test_one_email_address_is_limited_across_addresses(limited_app, campaign):
    client = limited_app.test_client()
    codes = [sign_form(client, campaign.slug, email="Ana@example.org").status_code for _ in range(4)]
    assert codes == [303, 303, 303, 429]
    assert "Too many attempts" in sign_form(client, campaign.slug, email="ana@example.org").get_data(as_text=True)


def test_one_ip_address_is_limited(limited_app, campaign):
    client = limited_app.test_client()
    codes = [sign_form(client, campaign.slug, email=f"p{i}@example.org").status_code for i in range(6)]
    assert codes == [303] * 5 + [429]


def test_twenty_one_people_on_one_network_within_a_minute_are_all_stored(limited_app, campaign):
    """With the shipped limits the 21st signer on one café network is held for review, not refused."""
    import sqlalchemy as sa

    from advocacy.config import Config
    from advocacy.extensions import db
    from advocacy.signatures.models import Signature

    limited_app.config.update(SIGN_RATE_LIMIT_PER_IP=Config.SIGN_RATE_LIMIT_PER_IP,
                              SIGN_RATE_LIMIT_PER_EMAIL=Config.SIGN_RATE_LIMIT_PER_EMAIL,
                              SIGN_SOFT_LIMIT_PER_IP=Config.SIGN_SOFT_LIMIT_PER_IP)
    client = limited_app.test_client()
    codes = [sign_form(client, campaign.slug, email=f"cafe{i}@example.org").status_code for i in range(21)]
    assert codes == [303] * 21
    held = db.session.scalars(sa.select(Signature.email).where(Signature.hold_reason == "ip_rate")).all()
    assert held == ["cafe20@example.org"]
