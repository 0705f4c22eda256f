"""Flask's request and session classes with two costs of every request taken out; they behave as
Flask's own. Under a surge each signature is one request, and both showed in its profile.

  - `Request`: werkzeug's `MultiDict.get` finds a missing key by raising and catching an HTTP
    exception (BadRequestKeyError), and a sign form, its query string and its cookies are read
    for keys that are mostly absent (unticked boxes, ?lang=, the lang and session cookies):
    eight exceptions in a sign request. Here `get` looks first.
  - `CookieSessions`: Flask builds a new signing serializer for every request, and itsdangerous
    then tests it by serialising an empty dict, even when the request has no session cookie (every
    signer). The serializer keeps nothing of a request, so one per set of keys serves them all; a
    key rotation (SECRET_KEY, SECRET_KEY_FALLBACKS) gets a new one.
"""
from flask import Request as FlaskRequest
from flask.sessions import SecureCookieSessionInterface
from werkzeug.datastructures import ImmutableMultiDict


class LookFirstMultiDict(ImmutableMultiDict):
    def get(self, key, default=None, type=None):  # noqa: A002 - werkzeug's signature
        if key not in self:
            return default
        return super().get(key, default, type)


class Request(FlaskRequest):
    parameter_storage_class = LookFirstMultiDict  # query string and form
    dict_storage_class = LookFirstMultiDict  # cookies


class CookieSessions(SecureCookieSessionInterface):
    def __init__(self):
        self._serializers = {}

    def get_signing_serializer(self, app):
        if not app.secret_key:
            return None
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(keys)
        if serializer is None:
            if len(self._serializers) >= 8:  # keys rotated many times in one process: start afresh
                self._serializers.clear()
            serializer = self._serializers[keys] = super().get_signing_serializer(app)
        return serializer
