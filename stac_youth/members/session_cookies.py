"""The signed session cookie: Flask's own format, made with less work per request.

Flask builds a serializer, and itsdangerous derives the signing key, on every request that reads or writes the
session; its tagged JSON walks every value to look for types plain JSON lacks; and every cookie written is
compressed, which saves a few dozen bytes of random tokens. Here the serializer is made once per secret, plain JSON
is written and read whenever no value needs a tag (every session of this app), and only a big session is compressed.
Cookies stay readable both ways by Flask's own interface (tests).
"""

from __future__ import annotations

import json
import zlib

from flask import Flask
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import Serializer, TimestampSigner, URLSafeTimedSerializer, want_bytes
from itsdangerous.encoding import base64_encode

_SERIALIZER = "stac_session_serializer"
COMPRESS_FROM_BYTES = 1024
_PLAIN_SCALARS = (str, int, float, bool, type(None))


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


def _needs_no_tag(value) -> bool:
    """Whether Flask's tagged JSON would write the value as plain JSON: no tuple, bytes, Markup, UUID or datetime
    anywhere, and no key starting with a space (tags are such keys)."""
    kind = type(value)
    if kind in _PLAIN_SCALARS:
        return True
    if kind is dict:
        return all(type(key) is str and not key.startswith(" ") and _needs_no_tag(item) for key, item in value.items())
    if kind is list:
        return all(_needs_no_tag(item) for item in value)
    return False


class PlainJSONFirst(TaggedJSONSerializer):
    """Flask's tagged JSON, skipped when nothing needs a tag: the same text (sorted keys, compact), made directly."""

    def dumps(self, value) -> str:
        if _needs_no_tag(value):
            return json.dumps(value, separators=(",", ":"), sort_keys=True)
        return super().dumps(value)

    def loads(self, value: str):
        if '" ' not in value:  # every tag is a key starting with a space, so this text holds none
            return json.loads(value)
        return super().loads(value)


class SmallUncompressedSerializer(URLSafeTimedSerializer):
    """The URL-safe timed serializer, trying zlib only on payloads big enough to need it (as itsdangerous does on
    every one): a usual session is a few hundred bytes of random tokens, while a session that grows (a queue of
    flashed messages) must stay well under the browsers' 4 KB cookie limit. It reads both forms."""

    def dump_payload(self, obj) -> bytes:
        payload = Serializer.dump_payload(self, obj)
        if len(payload) > COMPRESS_FROM_BYTES:
            compressed = zlib.compress(payload)
            if len(compressed) < len(payload) - 1:
                return b"." + base64_encode(compressed)  # the dot marks a compressed payload, as in itsdangerous
        return base64_encode(payload)


class SignedCookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie session; its serializer is kept per app until SECRET_KEY or its fallbacks change."""

    serializer = PlainJSONFirst()

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        keys = [*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key]  # the current key last, as Flask does
        kept = app.extensions.get(_SERIALIZER)
        if kept is None or kept[0] != keys:
            serializer = SmallUncompressedSerializer(
                keys, salt=self.salt, serializer=self.serializer, signer=KeyCachingSigner,
                signer_kwargs={"key_derivation": self.key_derivation, "digest_method": self.digest_method})
            kept = app.extensions[_SERIALIZER] = (keys, serializer)
        return kept[1]
