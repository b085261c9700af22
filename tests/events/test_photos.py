"""Photos: checked with Pillow, stored without EXIF (GPS, camera), upright."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, TiffImagePlugin

from wangge.events.photos import photo_add

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

    monkeypatch.setattr("wangge.events.services.notify", broken)
    upload = SimpleUploadedFile("a.jpg", camera_jpeg(), "image/jpeg")
    with pytest.raises(RuntimeError):
        loop.report(photos=[upload])
    assert stored_files(settings) == []
