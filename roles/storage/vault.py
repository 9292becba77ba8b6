"""Secrets the database keeps but must never show: contact URLs, which carry SMTP passwords and
bot keys, are sealed with a key kept outside the database, so a copy of the database (a backup, a
dump, a read-only login) reveals none of them.

The key is `ABFLOW_SECRET_KEY` (a Fernet key; several separated by commas while rotating: the
first seals, each opens), else the file `ABFLOW_SECRET_KEY_FILE` names, else `secret.key` in the
user's config folder, made readable by its owner alone the first time a secret is sealed. Every
process of one installation (app servers, scheduler, CLI) needs the same key.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from flows.errors import AbflowError


class SecretKeyUnusable(AbflowError):
    """The key is missing, malformed, or not the one the stored secrets were sealed with."""

    exit_code = 3


def key_file() -> Path:
    from platformdirs import user_config_dir
    return Path(os.environ.get("ABFLOW_SECRET_KEY_FILE") or Path(user_config_dir("abflow", appauthor=False),
                                                                   "secret.key"))


def _made_once(path: Path) -> str:
    """The key in `path`, made there first if there is none: written aside, then linked into place,
    so two processes starting together end up with one key, never a half-written one."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, aside = tempfile.mkstemp(dir=path.parent, prefix=".secret-")
    try:
        os.write(fd, Fernet.generate_key() + b"\n")
        os.close(fd)
        try:
            os.link(aside, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(aside)
    return path.read_text().strip()


@lru_cache(maxsize=4)
def _ring(keys: str) -> tuple[MultiFernet, bytes]:
    try:
        fernets = [Fernet(k.strip().encode()) for k in keys.split(",") if k.strip()]
    except ValueError:
        raise SecretKeyUnusable("the secret key (ABFLOW_SECRET_KEY or its file) is not a Fernet key: "
                                "make one with `abflow keygen`") from None
    if not fernets:
        raise SecretKeyUnusable("the secret key (ABFLOW_SECRET_KEY or its file) is empty")
    first = keys.split(",")[0].strip().encode()
    return MultiFernet(fernets), hashlib.sha256(b"abflow contact ref\n" + first).digest()


@lru_cache(maxsize=4)
def _mac_keys(keys: str) -> tuple[bytes, ...]:
    """A key per key of the ring, for authenticating what abflow writes (a backup's manifest)."""
    return tuple(hashlib.sha256(b"abflow mac\n" + k.strip().encode()).digest() for k in keys.split(",") if k.strip())


def _key_text() -> str:
    keys = os.environ.get("ABFLOW_SECRET_KEY")
    if not keys:
        try:
            keys = _made_once(key_file())
        except OSError as e:
            raise SecretKeyUnusable(f"secret key file {key_file()}: {e.strerror or e}") from None
    return keys


def _keys() -> tuple[MultiFernet, bytes]:
    return _ring(_key_text())


def new_key() -> str:
    return Fernet.generate_key().decode()


def seal(secret: str) -> str:
    return _keys()[0].encrypt(secret.encode()).decode()


def unseal(sealed: str, what: str) -> str:
    try:
        return _keys()[0].decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise SecretKeyUnusable(f"{what} was sealed with another secret key than this process has "
                                f"(ABFLOW_SECRET_KEY, or {key_file()}): give every abflow process the same key") from None


def _mac_ring() -> tuple[bytes, ...]:
    text = _key_text()
    _ring(text)  # a malformed key is refused by name first
    return _mac_keys(text)


def _digest(key: bytes, purpose: str, message: str) -> str:
    return hmac.new(key, f"{purpose}\n{message}".encode(), hashlib.sha256).hexdigest()


def mac(purpose: str, message: str) -> str:
    """A keyed digest of `message`, made with the installation's (first) key: only an abflow of
    this installation can make one that `mac_matches`."""
    return _digest(_mac_ring()[0], purpose, message)


def mac_matches(purpose: str, message: str, digest: object) -> bool:
    """Whether `digest` was made by `mac` with any key of the ring (a rotation's old key too)."""
    return isinstance(digest, str) and any(hmac.compare_digest(_digest(k, purpose, message), digest)
                                           for k in _mac_ring())


def fingerprint(secret: str) -> str:
    """A short keyed digest: tells two secrets apart (two bots whose masked forms are the same)
    without revealing either, and cannot be checked against guesses without the key."""
    return hmac.new(_keys()[1], secret.encode(), hashlib.sha256).hexdigest()[:16]
