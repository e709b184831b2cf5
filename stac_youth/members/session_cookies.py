"""The signed session cookie: Flask's own format, with its signer made once per secret instead of on every request."""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import TimestampSigner, URLSafeTimedSerializer, want_bytes

_SERIALIZER = "stac_session_serializer"


class KeyCachingSigner(TimestampSigner):
    """itsdangerous derives the HMAC key from the secret on every signature made or checked; it never changes."""

    _derived: dict[tuple, bytes] = {}

    def derive_key(self, secret_key=None) -> bytes:
        secret = self.secret_keys[-1] if secret_key is None else want_bytes(secret_key)
        key = (secret, self.salt, self.key_derivation, self.digest_method)
        derived = self._derived.get(key)
        if derived is None:
            if len(self._derived) >= 64:  # secrets rotated many times in one process (tests): start again
                self._derived.clear()
            derived = self._derived[key] = super().derive_key(secret_key)
        return derived


class SignedCookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie session; its serializer is kept per app until SECRET_KEY or its fallbacks change.

    Flask builds a serializer, and itsdangerous derives the signing key, on every request that reads or writes the
    session: about 45 µs of a ballot's request.
    """

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        keys = [*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key]  # the current key last, as Flask does
        kept = app.extensions.get(_SERIALIZER)
        if kept is None or kept[0] != keys:
            serializer = URLSafeTimedSerializer(
                keys, salt=self.salt, serializer=self.serializer, signer=KeyCachingSigner,
                signer_kwargs={"key_derivation": self.key_derivation, "digest_method": self.digest_method})
            kept = app.extensions[_SERIALIZER] = (keys, serializer)
        return kept[1]
