"""OAuth tokens encrypted at rest: a column type on Fernet keys, and `flask tokens rotate`.

FITLINK_TOKEN_KEYS is a JSON list of Fernet keys (`Fernet.generate_key()`):
the first encrypts, every one decrypts, so a new key goes first and an old one
stays listed until `flask tokens rotate` has re-encrypted every row with the new.
Development without keys generates one into instance/token_keys; production
refuses to start without them.
"""

import json
import logging
import os
from pathlib import Path

import click
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import Text, select
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.types import TypeDecorator

from .extensions import db

EXTENSION = "fitlink_token_fernet"

log = logging.getLogger(__name__)


class TokenKeyError(RuntimeError):
    """A stored token cannot be read with the configured keys."""


class EncryptedJSON(TypeDecorator):
    """A JSON value stored as one Fernet token (text) encrypted with the app's token keys."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return _fernet().encrypt(json.dumps(value).encode()).decode()

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return decrypt(value)


def decrypt(value: str):
    """Return the JSON value stored in value; plain JSON from before encryption is read as is."""
    if value.lstrip().startswith(("{", "[")):
        # A row written before tokens were encrypted (Fernet tokens are base64 and
        # never start so): readable, and `flask tokens rotate` encrypts it.
        return json.loads(value)
    try:
        return json.loads(_fernet().decrypt(value.encode()))
    except InvalidToken:
        raise TokenKeyError(
            "A stored token was encrypted with a key that is not in FITLINK_TOKEN_KEYS."
        ) from None


def _fernet() -> MultiFernet:
    return current_app.extensions[EXTENSION]


def load_keys(app: Flask) -> list[str]:
    """Return the configured token keys, generating a development key into instance/ when none are set."""
    keys = app.config.get("TOKEN_KEYS")
    if isinstance(keys, str):  # from_prefixed_env leaves a value that is not JSON as a string
        keys = json.loads(keys) if keys.strip().startswith("[") else [keys]
    if keys:
        return list(keys)
    if app.config["ENV"] == "production":
        raise RuntimeError("FITLINK_TOKEN_KEYS must be set when FITLINK_ENV=production "
                           '(a JSON list of Fernet keys, e.g. \'["<key>"]\').')
    return [_instance_key(Path(app.instance_path) / "token_keys")]


def _instance_key(path: Path) -> str:
    """Read the development key from path, creating it (mode 0600) on first use."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(Fernet.generate_key().decode())
    return path.read_text().strip()


def rotate_all() -> int:
    """Re-encrypt every encrypted column of every model with the first key; return the rows written."""
    count = 0
    for mapper in db.Model.registry.mappers:
        names = [column.key for column in mapper.columns if isinstance(column.type, EncryptedJSON)]
        if not names:
            continue
        for row in db.session.execute(select(mapper.class_)).scalars():
            for name in names:
                # Equal values are not written unless flagged; the write encrypts with the first key.
                flag_modified(row, name)
            count += 1
        db.session.commit()
    return count


tokens_cli = AppGroup("tokens", help="Manage the encryption of stored OAuth tokens.")


@tokens_cli.command("rotate")
def rotate_command():
    """Re-encrypt every stored token with the first key of FITLINK_TOKEN_KEYS."""
    count = rotate_all()
    click.echo(f"Re-encrypted {count} token(s) with the first key.")


def init_app(app: Flask) -> None:
    """Load the token keys and register `flask tokens`."""
    try:
        fernets = [Fernet(key) for key in load_keys(app)]
    except ValueError as err:
        raise RuntimeError(f"FITLINK_TOKEN_KEYS holds a key that is not a Fernet key: {err}") from None
    app.extensions[EXTENSION] = MultiFernet(fernets)
    app.cli.add_command(tokens_cli)
