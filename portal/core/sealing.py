"""Secrets kept sealed in the database (the two-step login's shared secrets): encrypted and authenticated with a
key derived from the portal's secret key, so that a copy of the database (a stolen backup, say) does not give the
second factor away with the first.

Fernet (cryptography: AES-128-CBC with HMAC-SHA256) under a key derived by HKDF-SHA256 from ``PORTAL_SECRET_KEY``;
``SECRET_KEY_FALLBACKS`` still open what they sealed (MultiFernet), so the secret key can be changed as Flask's
session keys are: the new key first, the old one kept as a fallback until ``flask users reseal`` (or each
account's next login) has sealed everything anew.
"""
from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from portal.core.web import secret_keys

PURPOSE = b"portal: sealed secrets v1"  # a key of its own, not the session's nor the receipts'


def _key_bytes(key: str | bytes) -> bytes:
    return key.encode() if isinstance(key, str) else key


@lru_cache(maxsize=8)
def sealer_for(keys: tuple) -> MultiFernet:
    """The sealer of these secret keys: seals with the first, opens with any."""
    fernets = []
    for key in keys:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(_key_bytes(key))
        fernets.append(Fernet(base64.urlsafe_b64encode(derived)))
    return MultiFernet(fernets)


def seal(text: str, keys: tuple | None = None) -> str:
    return sealer_for(keys or secret_keys()).encrypt(text.encode()).decode("ascii")


def unseal(token: str, keys: tuple | None = None) -> str | None:
    """The text sealed in ``token``; None when none of the keys opens it (the secret key changed without keeping
    the old one as a fallback) or it was altered."""
    try:
        return sealer_for(keys or secret_keys()).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError, ValueError):
        return None


def reseal(token: str, keys: tuple | None = None) -> str | None:
    """``token`` sealed anew with the current key (after a change of key); None when it cannot be opened."""
    try:
        return sealer_for(keys or secret_keys()).rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError, ValueError):
        return None
