"""Encryption at rest of sensitive case fields (Fernet: AES-128-CBC with HMAC-SHA256, from `cryptography`).

Keys come from the environment variable TREEM_FIELD_KEY: one or more comma-separated keys, the first used
to encrypt, all tried to decrypt (rotation). A key is either a Fernet key (32 url-safe base64 bytes) or
any passphrase, stretched with HKDF-SHA256. In development (environment DEBUG on) with no key set, a key
is derived from SECRET_KEY; in production (DEBUG=0) the key is required.
"""

import base64
import functools
import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "fernet:"


def _fernet_key(material: str) -> bytes:
    raw = material.strip().encode()
    try:
        if len(base64.urlsafe_b64decode(raw)) == 32:
            return raw
    except (ValueError, TypeError):
        pass
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"treem-field-key", info=b"treem protection fields"
    ).derive(raw)
    return base64.urlsafe_b64encode(derived)


@functools.cache
def _cipher(material: str) -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(k)) for k in material.split(",") if k.strip()])


def _development() -> bool:
    """Whether TreEm was started in development (DEBUG on in the environment, as settings reads it; tests included)."""
    value = os.environ.get("DEBUG")
    return True if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def key_material() -> str:
    """The configured key material (TREEM_FIELD_KEY, else derived from SECRET_KEY in development)."""
    material = getattr(settings, "TREEM_FIELD_KEY", "") or os.environ.get("TREEM_FIELD_KEY", "")
    if material.strip():
        return material
    if not _development():
        raise ImproperlyConfigured(
            "TREEM_FIELD_KEY must be set when DEBUG is off (key for encrypted case fields)"
        )
    return "dev:" + settings.SECRET_KEY


def encrypt(value: str | bytes) -> str:
    """A token for a text or bytes value ("" stays "")."""
    if value in ("", b"", None):
        return ""
    data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    return PREFIX + _cipher(key_material()).encrypt(data).decode("ascii")


def decrypt_bytes(token: str) -> bytes:
    """The bytes behind a token (b"" for an empty token)."""
    if not token:
        return b""
    if not token.startswith(PREFIX):
        raise ValueError("value is not encrypted")
    try:
        return _cipher(key_material()).decrypt(token[len(PREFIX) :].encode("ascii"))
    except InvalidToken as error:
        raise ImproperlyConfigured("cannot decrypt a case field: wrong TREEM_FIELD_KEY") from error


def decrypt(token: str) -> str:
    """The text behind a token."""
    return decrypt_bytes(token).decode("utf-8")


class EncryptedTextField(models.TextField):
    """A text stored encrypted: the database holds only "fernet:…" tokens; Python sees the plain text."""

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return value
        return encrypt(value)

    def get_lookup(self, lookup_name):
        """Only null checks make sense on ciphertext."""
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)


class EncryptedBinaryField(models.TextField):
    """Bytes (a photo) stored encrypted as a text token."""

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return decrypt_bytes(value)

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        if value is None:
            return value
        return encrypt(bytes(value))
