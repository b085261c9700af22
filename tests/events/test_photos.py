"""Photos: checked with Pillow, stored without EXIF (GPS, camera), upright."""

import functools
import io
import struct
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image, ImageFile, TiffImagePlugin

from tests.factories import GRID_A, centre_of
from wangge.access.services import token_create
from wangge.events.models import Event, EventPhoto
from wangge.events.photos import photo_add, photos_prepared

GPS_IFD, EXIF_IFD = 0x8825, 0x8769
MAKE, MODEL, ORIENTATION, DATETIME_ORIGINAL, BODY_SERIAL = 0x010F, 0x0110, 0x0112, 0x9003, 0xA431


def camera_jpeg(orientation: int = 1) -> bytes:
    """A JPEG as a phone writes it: make, model, serial, time and a GPS position."""
    image = Image.new("RGB", (40, 20), (200, 30, 30))
    exif = Image.Exif()
    exif[MAKE] = "HUAWEI"
    exif[MODEL] = "Mate 60 Pro"
    exif[ORIENTATION] = orientation
    exif.get_ifd(EXIF_IFD).update({DATETIME_ORIGINAL: "2024:05:06 09:00:00",
                                   BODY_SERIAL: "SN123456789"})
    exif.get_ifd(GPS_IFD).update({
        1: "N", 2: (TiffImagePlugin.IFDRational(30), TiffImagePlugin.IFDRational(36),
                    TiffImagePlugin.IFDRational(5)),
        3: "E", 4: (TiffImagePlugin.IFDRational(114), TiffImagePlugin.IFDRational(18),
                    TiffImagePlugin.IFDRational(7)),
    })
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif, comment=b"shot at home")
    return output.getvalue()


def test_the_camera_file_really_carries_a_position():
    with Image.open(io.BytesIO(camera_jpeg())) as image:
        assert image.getexif().get_ifd(GPS_IFD)[1] == "N"
        assert image.getexif()[MODEL] == "Mate 60 Pro"


def test_exif_gps_and_camera_data_are_stripped_before_storage(loop):
    event = loop.report()
    upload = SimpleUploadedFile("IMG_20240506_090000.jpg", camera_jpeg(), "image/jpeg")
    photo = photo_add(event=event, upload=upload, by=loop.worker)
    stored = Path(photo.image.path).read_bytes()
    assert b"HUAWEI" not in stored
    assert b"Mate 60 Pro" not in stored
    assert b"SN123456789" not in stored
    assert b"Exif" not in stored
    assert b"shot at home" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info
    assert "IMG_2024" not in photo.image.name  # the uploader's name is not kept
    assert (photo.width, photo.height, photo.content_type) == (40, 20, "image/jpeg")
    assert photo.size == len(stored)


def test_a_rotated_photo_is_stored_upright(loop):
    upload = SimpleUploadedFile("a.jpg", camera_jpeg(orientation=6), "image/jpeg")
    photo = photo_add(event=loop.report(), upload=upload, by=loop.worker)
    assert (photo.width, photo.height) == (20, 40)


def test_png_text_chunks_are_dropped(loop):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Location", "30.6015N 114.3019E")
    output = io.BytesIO()
    Image.new("RGBA", (10, 10)).save(output, format="PNG", pnginfo=info)
    upload = SimpleUploadedFile("a.png", output.getvalue(), "image/png")
    photo = photo_add(event=loop.report(), upload=upload, by=loop.worker)
    stored = Path(photo.image.path).read_bytes()
    assert b"Location" not in stored
    assert photo.content_type == "image/png"


@pytest.mark.parametrize(("name", "content"), [
    ("notes.txt", b"not a picture"),
    ("fake.jpg", b"\xff\xd8\xff\xe0 truncated"),
])
def test_files_that_are_not_photos_are_refused(loop, name, content):
    with pytest.raises(ValidationError) as refused:
        photo_add(event=loop.report(), upload=SimpleUploadedFile(name, content), by=None)
    assert refused.value.message_dict == {"photos": ["This file is not a photo we can read."]}


def test_other_image_types_are_refused(loop):
    output = io.BytesIO()
    Image.new("RGB", (10, 10)).save(output, format="GIF")
    with pytest.raises(ValidationError) as refused:
        photo_add(event=loop.report(), upload=SimpleUploadedFile("a.gif", output.getvalue()),
                  by=None)
    assert refused.value.message_dict == {"photos": ["Send photos as JPEG, PNG or WebP."]}


def test_a_photo_over_the_size_limit_is_refused(loop, settings):
    settings.WANGGE_PHOTO_MAX_BYTES = 1000
    upload = SimpleUploadedFile("a.jpg", camera_jpeg() + b"\0" * 1000, "image/jpeg")
    with pytest.raises(ValidationError) as refused:
        photo_add(event=loop.report(), upload=upload, by=None)
    assert refused.value.message_dict == {"photos": ["A photo may be at most 1000 bytes."]}


def test_photos_can_come_with_the_report(loop):
    event = loop.report(photos=[SimpleUploadedFile("a.jpg", camera_jpeg(), "image/jpeg")])
    assert event.photos.count() == 1


def stored_files(settings) -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def test_a_report_refused_for_a_bad_photo_leaves_no_file_behind(loop, settings):
    good = SimpleUploadedFile("a.jpg", camera_jpeg(), "image/jpeg")
    bad = SimpleUploadedFile("b.jpg", b"not a picture", "image/jpeg")
    with pytest.raises(ValidationError):
        loop.report(photos=[good, bad])
    assert stored_files(settings) == []


def test_a_report_that_fails_after_its_photos_are_written_removes_them(loop, settings,
                                                                         monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the inbox is down")

    monkeypatch.setattr("wangge.events.services.announce", broken)
    upload = SimpleUploadedFile("a.jpg", camera_jpeg(), "image/jpeg")
    with pytest.raises(RuntimeError):
        loop.report(photos=[upload])
    assert stored_files(settings) == []


# Bounds on what a photo may cost (docs/events.md, "Limits on what clients send").

@functools.cache
def huge_png(side: int = 13000) -> bytes:
    """A black 1-bit PNG of side × side pixels: some kilobytes on disk, ``side`` squared bytes
    (169 MB for the default) once Pillow decodes it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    packer = zlib.compressobj(9)
    row = bytes(1 + (side + 7) // 8)  # filter byte, then the bits
    pixels = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


def huge_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("huge.png", huge_png(), "image/png")


TOO_MANY_PIXELS = "This photo has too many pixels: send one of at most 40 megapixels."


def test_the_huge_png_is_small_on_disk_and_really_that_large():
    assert len(huge_png()) < 100_000
    with pytest.warns(Image.DecompressionBombWarning), Image.open(io.BytesIO(huge_png())) as image:
        assert image.size == (13000, 13000)


def test_a_photo_with_too_many_pixels_is_refused_before_it_is_decoded(monkeypatch):
    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(ValidationError) as refused:
        photos_prepared([huge_upload()])
    assert refused.value.message_dict == {"photos": [TOO_MANY_PIXELS]}


def test_pillows_own_bomb_check_is_a_clear_refusal_too(monkeypatch, settings):
    settings.WANGGE_PHOTO_MAX_PIXELS = 10**12
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(ValidationError) as refused:
        photos_prepared([huge_upload()])
    assert refused.value.message_dict == {
        "photos": ["This photo has too many pixels: send one of at most 1000000 megapixels."]}


def test_a_large_jpeg_counts_the_pixels_it_is_decoded_at(monkeypatch, settings):
    """A JPEG decodes at a fraction of its size when the stored photo is small enough, so a
    large camera photo is admitted where a PNG of the same size is not."""
    monkeypatch.setattr("wangge.events.photos.LONGEST_SIDE", 500)
    settings.WANGGE_PHOTO_MAX_PIXELS = 1_000_000
    image = Image.new("L", (3000, 2000), 128)
    jpeg, png = io.BytesIO(), io.BytesIO()
    image.save(jpeg, format="JPEG")
    image.save(png, format="PNG")
    [photo] = photos_prepared([SimpleUploadedFile("a.jpg", jpeg.getvalue())])
    assert (photo.width, photo.height) == (500, 333)
    with pytest.raises(ValidationError) as refused:
        photos_prepared([SimpleUploadedFile("a.png", png.getvalue())])
    assert refused.value.message_dict == {
        "photos": ["This photo has too many pixels: send one of at most 1 megapixels."]}


def test_a_request_carries_a_bounded_number_of_photos(loop, settings):
    settings.WANGGE_PHOTO_MAX_COUNT = 2
    uploads = [SimpleUploadedFile(f"{n}.jpg", camera_jpeg(), "image/jpeg") for n in range(3)]
    with pytest.raises(ValidationError) as refused:
        loop.report(photos=uploads)
    assert refused.value.message_dict == {"photos": ["Send at most 2 photos at once."]}
    assert not Event.objects.exists()


def test_the_staff_page_refuses_a_photo_with_too_many_pixels(loop, page_as):
    lon, lat = centre_of(GRID_A)
    response = page_as(loop.worker).post("/events/new/", {
        "category": loop.category.pk, "priority": "normal", "description": "井盖缺失",
        "longitude": lon, "latitude": lat, "photos": [huge_upload()]})
    assert response.status_code == 200
    assert TOO_MANY_PIXELS in response.content.decode()
    assert not Event.objects.exists()


def api_photos(user, event: Event, *uploads):
    return Client().post(f"/api/v1/events/{event.pk}/photos", {"photos": list(uploads)},
                         headers={"Authorization": f"Bearer {token_create(user=user)}",
                                  "Accept-Language": "en"})


def test_the_api_refuses_a_photo_with_too_many_pixels(loop):
    event = loop.report()
    response = api_photos(loop.worker, event, huge_upload())
    assert response.status_code == 422
    assert response.json()["errors"] == {"photos": [TOO_MANY_PIXELS]}
    assert not EventPhoto.objects.exists()


def test_photos_are_decoded_before_the_report_opens_a_transaction(loop, page_as, decoded_in):
    lon, lat = centre_of(GRID_A)
    response = page_as(loop.worker).post("/events/new/", {
        "category": loop.category.pk, "priority": "normal", "description": "井盖缺失",
        "longitude": lon, "latitude": lat,
        "photos": [SimpleUploadedFile("p.jpg", camera_jpeg(), "image/jpeg")]})
    assert response.status_code == 302
    assert Event.objects.get().photos.count() == 1
    assert decoded_in == [0]


def test_photos_added_later_are_decoded_before_a_transaction(loop, decoded_in):
    event = loop.report()
    response = api_photos(loop.worker, event,
                          SimpleUploadedFile("p.jpg", camera_jpeg(), "image/jpeg"))
    assert response.status_code == 201
    assert decoded_in == [0]
