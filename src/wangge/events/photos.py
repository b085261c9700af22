"""Event photos: type and size checked with Pillow, then re-encoded from the pixels alone, so
no EXIF (GPS position, camera make and serial, time), XMP or text chunk reaches storage."""

import io
import uuid
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from wangge.access.models import User

from .models import Event, EventPhoto, PhotoStage

FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"),
           "WEBP": ("image/webp", "webp")}
# Phones take 12-50 megapixel photos; this is ample to see a broken manhole cover.
LONGEST_SIDE = 2560


@dataclass(frozen=True)
class PreparedPhoto:
    """A photo checked and re-encoded, ready to store: only these reach a transaction."""

    data: bytes
    kind: str
    width: int
    height: int


def photos_prepared(uploads: Iterable[IO[bytes] | PreparedPhoto]) -> list[PreparedPhoto]:
    """Check and re-encode ``uploads``, one at a time. Call it before opening a transaction:
    decoding takes a while, and on SQLite every other write would wait for it (and fail)."""
    uploads = list(uploads)
    if len(uploads) > settings.WANGGE_PHOTO_MAX_COUNT:
        raise ValidationError({"photos": _("Send at most %(count)s photos at once.")
                               % {"count": settings.WANGGE_PHOTO_MAX_COUNT}})
    return [upload if isinstance(upload, PreparedPhoto) else _checked(upload)
            for upload in uploads]


def _too_many_pixels() -> ValidationError:
    return ValidationError({"photos": _(
        "This photo has too many pixels: send one of at most %(count)s megapixels.")
        % {"count": settings.WANGGE_PHOTO_MAX_PIXELS // 1_000_000}})


def _clean(upload: IO[bytes]) -> PreparedPhoto:
    """The re-encoded photo; refuses anything not a photo, and one that would decode to more
    than WANGGE_PHOTO_MAX_PIXELS, before a pixel of it is decoded."""
    try:
        # The size is ours to check, below: Pillow's warning says nothing a person can use.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload) as probe:
                probe.verify()
            upload.seek(0)
            image = Image.open(upload)
        with image:
            kind = image.format
            if kind not in FORMATS:
                raise ValidationError({"photos": _("Send photos as JPEG, PNG or WebP.")})
            # A JPEG decodes at 1/2, 1/4 or 1/8 of its size when that is still big enough,
            # so a large camera photo costs little; the header already says the result.
            shrink = min(1, LONGEST_SIDE / max(image.width, image.height, 1))
            image.draft(None, (max(1, round(image.width * shrink)),
                               max(1, round(image.height * shrink))))
            if image.width * image.height > settings.WANGGE_PHOTO_MAX_PIXELS:
                raise _too_many_pixels()
            # Scaled first and turned after, so no full-size copy is ever made.
            image.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
            # Turn the pixels the way the camera meant before the orientation tag is dropped.
            upright = ImageOps.exif_transpose(image)
            if kind == "JPEG" and upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            # A new image from the pixels alone: no info dict, no EXIF, nothing to leak.
            bare = Image.frombytes(upright.mode, upright.size, upright.tobytes())
            if upright.mode == "P":
                bare.putpalette(upright.getpalette())
            output = io.BytesIO()
            bare.save(output, format=kind, **({"quality": 85} if kind != "PNG" else {}))
            return PreparedPhoto(output.getvalue(), kind, bare.width, bare.height)
    except Image.DecompressionBombError as error:
        raise _too_many_pixels() from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError({"photos": _("This file is not a photo we can read.")}) from error


def _checked(upload: IO[bytes]) -> PreparedPhoto:
    """The size check, then ``_clean``."""
    size = getattr(upload, "size", None)
    if size is None:
        size = upload.seek(0, io.SEEK_END)
        upload.seek(0)
    if size > settings.WANGGE_PHOTO_MAX_BYTES:
        raise ValidationError({"photos": _("A photo may be at most %(size)s.")
                               % {"size": filesizeformat(settings.WANGGE_PHOTO_MAX_BYTES)}})
    upload.seek(0)
    return _clean(upload)


def photos_add(*, event: Event, uploads: Iterable[IO[bytes] | PreparedPhoto],
               by: User | None, stage: str = PhotoStage.REPORT) -> list[EventPhoto]:
    """Store photos of ``event`` without their metadata, taken at ``stage`` (with the report,
    or after handling). Every one is checked before any file is written (pass
    ``photos_prepared`` ones when a transaction is open); if storing fails part way, the
    files already written are removed."""
    cleaned = photos_prepared(uploads)
    stored: list[EventPhoto] = []
    with photo_files_removed_on_error(stored):
        for photo_data in cleaned:
            content_type, extension = FORMATS[photo_data.kind]
            photo = EventPhoto(event=event, content_type=content_type, width=photo_data.width,
                               height=photo_data.height, size=len(photo_data.data),
                               stage=stage, uploaded_by=by)
            photo.image.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(photo_data.data),
                             save=False)
            stored.append(photo)
            photo.save()
    return stored


def photo_add(*, event: Event, upload: IO[bytes], by: User | None) -> EventPhoto:
    """Store one photo of ``event`` without its metadata."""
    return photos_add(event=event, uploads=[upload], by=by)[0]


@contextmanager
def photo_files_removed_on_error(photos: list[EventPhoto]) -> Iterator[None]:
    """Delete the files of ``photos`` when the block fails: the transaction that recorded
    them rolls back, and a file written before it would be left with no record."""
    try:
        yield
    except BaseException:
        for photo in photos:
            photo.image.delete(save=False)
        raise
