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
