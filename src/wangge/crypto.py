"""Personal numbers encrypted at rest, found through a blind index.

A column of an ``EncryptedCharField`` holds ``<key-id>:<base64 of nonce + AES-GCM ciphertext>``
(an empty value stays empty: that a number is missing is no secret, and imports look for it).
The key id names one of ``WANGGE_DATA_KEYS`` (the first encrypts; the others still decrypt, so
keys can rotate: ``wangge rotate-data-key``). Next to it a ``BlindIndexField`` holds a keyed
BLAKE2b digest of the value (``WANGGE_DATA_INDEX_KEY``): equal values have equal digests, so an
exact search, an import's one record per person and a uniqueness constraint work on the digest,
indexed, while the database never sees the number. Any other lookup on the encrypted column
raises ``FieldError``: filtering on ciphertext would silently find nothing.

Values are stored normalised (``people.services.person_errors``), so the digest is of the value
as it is, never normalised twice. Bulk writers (``bulk.py``) encrypt a column at a time.
"""

import base64
import binascii
import functools
import hashlib
import logging
import os
from collections.abc import Callable, Sequence
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wangge.bulk import AnyOf

logger = logging.getLogger(__name__)

NONCE_BYTES = 12
INDEX_BYTES = 16  # 32 hex digits: no two numbers of a city collide
# Digests remembered per field: an import digests a chunk's numbers to find their records and
# again to write them; the second time costs a dict lookup. Past this many, forgotten.
RECENT_DIGESTS = 20_000


class UnknownDataKeyError(Exception):
    """A stored value names a key id that ``WANGGE_DATA_KEYS`` does not hold (a key was
    removed before ``wangge rotate-data-key`` had moved every row off it), or does not
    decrypt under it."""

    def __init__(self, key_id: str):
        super().__init__(f"no data key {key_id!r} in WANGGE_DATA_KEYS decrypts a stored value")
        self.key_id = key_id


def decode_key(text: str, name: str) -> bytes:
    """A 32-byte key from its base64 text; ImproperlyConfigured names the setting."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except binascii.Error as error:
        raise ImproperlyConfigured(f"{name}: a key is not valid base64 ({error})") from None
    if len(key) != 32:
        raise ImproperlyConfigured(f"{name}: a key must be 32 bytes (base64 of 32 random "
                                   f"bytes), not {len(key)}")
    return key


def parse_data_keys(text: str) -> dict[str, bytes]:
    """``id:base64key,id2:base64key`` as an ordered mapping (the first is the current key)."""
    keys: dict[str, bytes] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key_id, separator, encoded = item.partition(":")
        if not separator or not key_id.isalnum() or key_id in keys:
            raise ImproperlyConfigured(
                "WANGGE_DATA_KEYS: write id:base64key,id2:base64key (ids letters and digits, "
                "each once; the first is the key that encrypts)")
        keys[key_id] = decode_key(encoded, "WANGGE_DATA_KEYS")
    if not keys:
        raise ImproperlyConfigured("WANGGE_DATA_KEYS holds no key")
    return keys


class Keyring:
    """The settings' keys, made once per process: one AESGCM per key, one keyed BLAKE2b per
    indexed field to copy (setting a key up costs more than hashing a number)."""

    def __init__(self, keys: dict[str, bytes], index_key: bytes):
        self.current = next(iter(keys))
        self.prefix = f"{self.current}:"
        self.ciphers = {key_id: AESGCM(key) for key_id, key in keys.items()}
        self._index_key = index_key
        self._hashers: dict[str, Any] = {}
        self._recent: dict[str, dict[str, str]] = {}

    def hasher(self, purpose: str) -> Any:
        """The keyed BLAKE2b of the field named ``purpose``, to copy before use; the name is
        its personalisation, so an ID and a phone never share a digest."""
        if purpose not in self._hashers:
            self._hashers[purpose] = hashlib.blake2b(
                key=self._index_key, digest_size=INDEX_BYTES, person=purpose.encode()[:16])
        return self._hashers[purpose]

    def recent(self, purpose: str, coming: int) -> dict[str, str]:
        """The digests of ``purpose`` remembered, emptied first when ``coming`` more would
        take it past ``RECENT_DIGESTS``."""
        remembered = self._recent.setdefault(purpose, {})
        if len(remembered) + coming > RECENT_DIGESTS:
            remembered.clear()
        return remembered


@functools.cache
def keyring() -> Keyring:
    return Keyring(parse_data_keys(settings.WANGGE_DATA_KEYS),
                   decode_key(settings.WANGGE_DATA_INDEX_KEY, "WANGGE_DATA_INDEX_KEY"))


@receiver(setting_changed)
def _keys_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in ("WANGGE_DATA_KEYS", "WANGGE_DATA_INDEX_KEY"):
        keyring.cache_clear()


def encrypt_many(values: Sequence[str | None]) -> list[str | None]:
    """Each value encrypted under the current key (empty and None kept as they are). An
    import encrypts a column at a time: the nonces are drawn in one call, and the loop does
    nothing but encrypt and encode (AES-GCM itself is under half of its time)."""
    ring = keyring()
    encrypt, prefix = ring.ciphers[ring.current].encrypt, ring.prefix
    nonces = os.urandom(NONCE_BYTES * len(values))
    encode = binascii.b2a_base64
    return [prefix + encode((nonce := nonces[start:start + NONCE_BYTES])
                            + encrypt(nonce, value.encode(), None), newline=False).decode()
            if value else value
            for start, value in zip(range(0, len(nonces), NONCE_BYTES), values, strict=True)]


def encrypt(value: str) -> str:
    return encrypt_many([value])[0] or ""


def key_id_of(stored: str) -> str:
    """The id of the key a stored value was encrypted under ("" for an empty value)."""
    return stored.partition(":")[0] if stored else ""


def decrypt(stored: str) -> str:
    if not stored:
        return stored
    key_id, _, body = stored.partition(":")
    cipher = keyring().ciphers.get(key_id)
    if cipher is None:
        raise UnknownDataKeyError(key_id)
    try:
        sealed = binascii.a2b_base64(body)
        return cipher.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], None).decode()
    except (InvalidTag, binascii.Error, ValueError):
        raise UnknownDataKeyError(key_id) from None


def blind_index(purpose: str, value: str) -> str:
    """The keyed digest of ``value`` for the field named ``purpose`` ("" for an empty value)."""
    return blind_indexes(purpose, [value])[0]


def blind_indexes(purpose: str, values: Sequence[str | None]) -> list[str]:
    """``blind_index`` of each value: the keyed hash is set up once and copied per value
    (setting up the key costs more than hashing a number), and a value digested lately is
    looked up (``Keyring.recent``)."""
    ring = keyring()
    recent = ring.recent(purpose, len(values))
    copy = ring.hasher(purpose).copy
    digests: list[str] = []
    append = digests.append
    for value in values:
        if not value:
            append("")
        elif (digest := recent.get(value)) is not None:
            append(digest)
        else:
            hasher = copy()
            hasher.update(value.encode())
            append(digest := hasher.hexdigest())
            recent[value] = digest
    return digests


def reseal(connection: Any, table: str, key: str, columns: Sequence[tuple[str, str | None]],
           *, batch_size: int, plaintext: bool = False) -> int:
    """Rewrite the encrypted ``columns`` of ``table`` under the current keys: each named with
    its blind index column (None where the table keeps none, as history tables), the
    column's name being the index's purpose. In batches by primary key ``key``, each in its
    own transaction: a run that stops keeps what it finished, and a rerun skips rows already
    under the current keys. ``plaintext``: the columns still hold plain values (the migration
    that first encrypts them). Returns the rows rewritten."""
    from django.db import transaction

    ring = keyring()
    quote = connection.ops.quote_name
    names = [name for pair in columns for name in pair if name]
    select = (f"SELECT {quote(key)}, {', '.join(map(quote, names))} FROM {quote(table)} "
              f"WHERE {quote(key)} > %s ORDER BY {quote(key)} LIMIT %s")
    update = (f"UPDATE {quote(table)} SET {', '.join(f'{quote(name)} = %s' for name in names)} "
              f"WHERE {quote(key)} = %s")
    last, rewritten = 0, 0
    while True:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(select, [last, batch_size])
            rows = cursor.fetchall()
            if not rows:
                return rewritten
            changed = []
            for pk, *stored in rows:
                values, read = [], iter(stored)
                for column, index_column in columns:
                    sealed = next(read) or ""
                    plain = sealed if plaintext else decrypt(sealed)
                    if plaintext or key_id_of(sealed) not in ("", ring.current):
                        sealed = encrypt(plain)
                    values.append(sealed)
                    if index_column:
                        next(read)
                        values.append(blind_index(column, plain))
                if values != stored:
                    changed.append((*values, pk))
            cursor.executemany(update, changed)
            rewritten += len(changed)
            last = rows[-1][0]


def encrypted_tables() -> list[tuple[str, str, list[tuple[str, str | None]]]]:
    """Every table with encrypted columns (history tables too): its name, its primary key and
    its (column, blind index column or None) pairs, for ``reseal``."""
    from django.apps import apps

    def column(field: Any) -> str:
        return field.column  # a concrete field's column is set (the stubs allow None)

    tables = []
    for model in apps.get_models():
        fields = model._meta.concrete_fields
        indexes = {field.source: column(field) for field in fields
                   if isinstance(field, BlindIndexField)}
        pairs = [(column(field), indexes.get(field.name)) for field in fields
                 if isinstance(field, EncryptedCharField)]
        if pairs:
            tables.append((model._meta.db_table, column(model._meta.pk), pairs))
    return tables


class EncryptedCharField(models.CharField):
    """Text in Python (``max_length`` bounds it), ciphertext in a text column. Found only
    through its ``BlindIndexField`` (``Person.objects.matching``)."""

    def db_type(self, connection: Any) -> str:
        return "text"

    def cast_db_type(self, connection: Any) -> str:
        return "text"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return decrypt(value) if value else value

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        value = super().get_db_prep_value(value, connection, prepared)
        return encrypt(value) if value else value

    def bulk_column(self, values: Sequence[str | None]) -> list[str | None]:
        """What ``bulk`` writes for a column of values."""
        return encrypt_many(values)

    def get_lookup(self, lookup_name: str) -> Any:
        raise FieldError(
            f"{self.model.__name__}.{self.name} is encrypted: no lookup "
            f"({lookup_name!r}) on it finds anything; use {self.model.__name__}.objects"
            f".matching({self.name}=...) for an exact search")

    def get_transform(self, lookup_name: str) -> Any:
        return self.get_lookup(lookup_name)


class _Derived:
    """A blind index's attribute: always the digest of its source's current value, so every
    path that saves (``save``, ``bulk_update``, history rows, ``bulk``) writes it in step. A
    value set (from the database, by ``Model.__init__``) is kept only so Django does not
    take the field for a deferred one."""

    def __init__(self, field: "BlindIndexField"):
        self.field = field

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        return blind_index(self.field.source, getattr(instance, self.field.source))

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class BlindIndexField(models.CharField):
    """The keyed digest (hex) of the field named ``source``, kept in step with it."""

    descriptor_class = _Derived

    def __init__(self, *args: Any, source: str, **kwargs: Any):
        self.source = source
        kwargs.update(max_length=INDEX_BYTES * 2, editable=False, blank=True, default="")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple:
        name, path, args, kwargs = super().deconstruct()
        for fixed in ("max_length", "editable", "blank", "default"):
            kwargs.pop(fixed, None)
        return name, path, args, {**kwargs, "source": self.source}

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        return getattr(model_instance, self.attname)

    @property
    def bulk_source(self) -> str:
        """The attribute ``bulk`` reads for this column: the source's plain value."""
        return self.source

    def bulk_column(self, sources: Sequence[str | None]) -> list[str]:
        """What ``bulk`` writes for a column of source values."""
        return blind_indexes(self.source, sources)


def index_field_of(model: type[models.Model], name: str) -> BlindIndexField:
    """The blind index of ``model``'s encrypted field ``name``."""
    for field in model._meta.concrete_fields:
        if isinstance(field, BlindIndexField) and field.source == name:
            return field
    raise FieldError(f"{model.__name__}.{name} has no blind index: it cannot be searched")


def matches(model: type[models.Model], name: str, value: Any) -> models.Q:
    """The condition that ``model``'s encrypted field ``name`` equals ``value`` (any of them
    for a list, tuple or set), through its blind index; combine it with ``|`` and ``&``. It
    says that the digest is not empty, as a partial index on it does (the unique index of a
    document), so the database may use that index."""
    field = index_field_of(model, name)
    if isinstance(value, list | tuple | set | frozenset):
        digests = blind_indexes(field.source, list(value))
        condition = models.Q(AnyOf(models.F(field.name), digests))
    else:
        condition = models.Q(**{field.name: blind_index(field.source, value)})
    return condition & ~models.Q(**{field.name: ""})


class UnknownDataKeyMiddleware:
    """A stored value under a key the settings lack answers 503 with a plain page (the
    administrator restores the key), never a 500 or ciphertext."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception
                          ) -> HttpResponse | None:
        if not isinstance(exception, UnknownDataKeyError):
            return None
        logger.error("%s", exception)
        return render(request, "data_key_error.html", status=503)


@register(Tags.security, deploy=True)
def data_keys_from_environment(**kwargs: Any) -> list[CheckMessage]:
    if settings.WANGGE_DATA_KEYS_FROM_ENVIRONMENT:
        return []
    return [Error("WANGGE_DATA_KEYS and WANGGE_DATA_INDEX_KEY are not both set in the "
                  "environment: ID numbers and phones would be encrypted with keys generated "
                  "into var/data_keys, next to the data they protect.",
                  hint="Set both (README: WANGGE_DATA_KEYS).", id="wangge.E001")]
