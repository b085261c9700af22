"""Event photos: type and size checked with Pillow, then re-encoded from the pixels alone, so
no EXIF (GPS position, camera make and serial, time), XMP or text chunk reaches storage."""

import io
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from wangge.access.models import User

from .models import Event, EventPhoto

FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"),
           "WEBP": ("image/webp", "webp")}
# Phones take 12-50 megapixel photos; this is ample to see a broken manhole cover.
LONGEST_SIDE = 2560


def _clean(upload: IO[bytes]) -> tuple[bytes, str, int, int]:
    """The re-encoded bytes, the format, width and height; refuses anything not a photo."""
    try:
        with Image.open(upload) as probe:
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            if kind not in FORMATS:
                raise ValidationError({"photos": _("Send photos as JPEG, PNG or WebP.")})
            # Turn the pixels the way the camera meant before the orientation tag is dropped.
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
            if kind == "JPEG" and upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            # A new image from the pixels alone: no info dict, no EXIF, nothing to leak.
            bare = Image.frombytes(upright.mode, upright.size, upright.tobytes())
            if upright.mode == "P":
                bare.putpalette(upright.getpalette())
            output = io.BytesIO()
            bare.save(output, format=kind, **({"quality": 85} if kind != "PNG" else {}))
            return output.getvalue(), kind, bare.width, bare.height
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError,
            SyntaxError) as error:
        raise ValidationError({"photos": _("This file is not a photo we can read.")}) from error


def _checked(upload: IO[bytes]) -> tuple[bytes, str, int, int]:
    """The size check, then ``_clean``."""
    size = getattr(upload, "size", None)
    if size is None:
        size = upload.seek(0, io.SEEK_END)
        upload.seek(0)
    if size > settings.WANGGE_PHOTO_MAX_BYTES:
        raise ValidationError({"photos": _("A photo may be at most %(size)s.")
                               % {"size": filesizeformat(settings.WANGGE_PHOTO_MAX_BYTES)}})
    return _clean(upload)


def photos_add(*, event: Event, uploads: Iterable[IO[bytes]], by: User | None
               ) -> list[EventPhoto]:
    """Store photos of ``event`` without their metadata. Every one is checked before any file
    is written; if storing fails part way, the files already written are removed."""
    cleaned = [_checked(upload) for upload in uploads]
    stored: list[EventPhoto] = []
    with photo_files_removed_on_error(stored):
        for data, kind, width, height in cleaned:
            content_type, extension = FORMATS[kind]
            photo = EventPhoto(event=event, content_type=content_type, width=width,
                               height=height, size=len(data), uploaded_by=by)
            photo.image.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(data), save=False)
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
