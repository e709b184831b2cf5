"""Avatar uploads: only real PNG / JPEG / WebP pictures, re-encoded to WebP without metadata, stored outside
static/ under a random name, and served with nosniff."""

from __future__ import annotations

import io
import random
import re
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from stac_youth.extensions import db
from stac_youth.members.models import User
from tests.conftest import PASSWORD, login

MAX_BYTES = 2 * 1024 * 1024
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.webp$")
NOT_A_PICTURE = b"This file is not a picture we can use."
WRONG_FORMAT = b"Use a PNG, JPEG or WebP picture."
TOO_LARGE = b"The picture is larger than 2 MB."
SAVED = b"Your picture is saved."


# --- files ---


def _image(fmt: str, size=(800, 600), color=(200, 30, 60), mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format=fmt, **save)
    return out.getvalue()


def _noisy_jpeg(size=(400, 300)) -> bytes:
    rng = random.Random(7)
    image = Image.frombytes("RGB", size, bytes(rng.randrange(256) for _ in range(size[0] * size[1] * 3)))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def _jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (37.0, 46.0, 30.0), 3: "W", 4: (122.0, 25.0, 10.0)}  # GPS IFD
    return _image("JPEG", exif=exif)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _decompression_bomb(side: int = 20000) -> bytes:
    """A 20000×20000 one-colour PNG (1 bit per pixel): 400 million pixels in a few tens of kilobytes."""
    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * (side // 8)
    body = b"".join(compressor.compress(row * 1000) for _ in range(side // 1000)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", body) + _png_chunk(b"IEND", b"")


def _png_with_html_inside() -> bytes:
    """A valid PNG that also carries HTML: in a text chunk and after IEND."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<html><script>alert('png')</script></html>")
    return _image("PNG", size=(64, 64), pnginfo=info) + b"<html><body><script>alert(1)</script></body></html>"


def _padded_png(total: int) -> bytes:
    """A real PNG followed by junk after IEND, exactly `total` bytes long."""
    data = _image("PNG", size=(32, 32))
    return data + b"\x00" * (total - len(data))


# --- helpers ---


def _upload(client, data: bytes, filename: str = "me.png", follow: bool = True):
    return client.post(
        "/profile/avatar",
        data={"avatar": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
        follow_redirects=follow,
    )


def _reload(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def _avatar_dir(app) -> Path:
    return Path(app.config["AVATAR_DIR"])


def _stored_files(app) -> list[Path]:
    folder = _avatar_dir(app)
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.fixture
def member(app, client, make_user):
    user = make_user("member")
    login(client, user)
    return user


@pytest.fixture
def with_avatar(app, client, member):
    """The member already has an avatar; returns (file name, bytes)."""
    response = _upload(client, _image("PNG", color=(0, 128, 0)))
    assert SAVED in response.data
    name = _reload(member).avatar_filename
    return name, (_avatar_dir(app) / name).read_bytes()


# --- accepted ---


@pytest.mark.parametrize(
    ("fmt", "filename", "mode"),
    [("PNG", "photo.png", "RGBA"), ("JPEG", "photo.jpg", "RGB"), ("WEBP", "photo.webp", "RGB")],
)
def test_pictures_are_reencoded_to_webp_and_served_safely(app, client, member, fmt, filename, mode):
    color = (10, 20, 30, 128) if mode == "RGBA" else (10, 20, 30)
    response = _upload(client, _image(fmt, size=(1200, 900), mode=mode, color=color), filename)
    assert response.status_code == 200
    assert SAVED in response.data

    name = _reload(member).avatar_filename
    assert STORED_NAME.match(name), name
    stored = _avatar_dir(app) / name
    assert stored.is_file()
    assert Path(app.static_folder).resolve() not in stored.resolve().parents
    assert not any(Path(app.static_folder).rglob(name))

    served = client.get(f"/members/{member.id}/avatar")
    assert served.status_code == 200
    assert served.mimetype == "image/webp"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.data == stored.read_bytes()
    image = Image.open(io.BytesIO(served.data))
    assert image.format == "WEBP"
    assert max(image.size) == 512  # resized, keeping the 4:3 shape
    assert image.size == (512, 384)

    # Other members see it too; the page links it.
    assert f"/members/{member.id}/avatar".encode() in client.get(f"/members/{member.id}").data


def test_gps_exif_is_removed(app, client, member):
    original = _jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825), "the test picture must carry GPS data"

    assert SAVED in _upload(client, original, "holiday.jpg").data
    served = client.get(f"/members/{member.id}/avatar").data
    image = Image.open(io.BytesIO(served))
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info
    assert b"Exif" not in served
    assert b"PhoneMaker" not in served


def test_exif_orientation_is_applied_before_it_is_dropped(app, client, member):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    assert SAVED in _upload(client, _image("JPEG", size=(400, 200), exif=exif), "sideways.jpg").data
    image = Image.open(io.BytesIO(client.get(f"/members/{member.id}/avatar").data))
    assert image.size == (200, 400)


def test_the_uploaded_file_name_is_ignored(app, client, member, tmp_path):
    assert SAVED in _upload(client, _image("PNG"), filename="../../x.png").data
    name = _reload(member).avatar_filename
    assert STORED_NAME.match(name)
    assert [path.name for path in _stored_files(app)] == [name]
    assert not list(tmp_path.rglob("x.png"))
    assert not list(Path(app.static_folder).rglob("x.png"))


def test_exactly_2_mb_is_accepted(app, client, member):
    assert SAVED in _upload(client, _padded_png(MAX_BYTES)).data


def test_a_valid_png_carrying_html_is_cleanly_reencoded(app, client, member):
    assert SAVED in _upload(client, _png_with_html_inside(), "polyglot.png").data
    stored = (_avatar_dir(app) / _reload(member).avatar_filename).read_bytes()
    assert stored[:4] == b"RIFF" and stored[8:12] == b"WEBP"
    assert b"<script" not in stored and b"<html" not in stored
    assert Image.open(io.BytesIO(stored)).info.get("Comment") is None


def test_a_new_picture_replaces_the_old_file(app, client, member, with_avatar):
    old_name, _old_bytes = with_avatar
    assert SAVED in _upload(client, _image("JPEG"), "new.jpg").data
    new_name = _reload(member).avatar_filename
    assert new_name != old_name
    assert [path.name for path in _stored_files(app)] == [new_name]


def test_removing_the_picture_deletes_the_file(app, client, member, with_avatar):
    response = client.post("/profile/avatar/remove", follow_redirects=True)
    assert b"Your picture is removed." in response.data
    assert _reload(member).avatar_filename is None
    assert _stored_files(app) == []
    assert client.get(f"/members/{member.id}/avatar").status_code == 404


def test_deleting_the_account_deletes_the_picture(app, client, member, with_avatar):
    response = client.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    assert _stored_files(app) == []


# --- refused ---

REFUSED = {
    "svg": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "me.svg", NOT_A_PICTURE),
    "svg-named-png": (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
                      "me.png", NOT_A_PICTURE),
    "html-named-png": (b"<!doctype html><html><body><script>alert(1)</script></body></html>", "me.png",
                       NOT_A_PICTURE),
    "png-html-polyglot": (b"\x89PNG\r\n\x1a\n<html><body><script>alert(1)</script></body></html>", "me.png",
                          NOT_A_PICTURE),
    "gif": (_image("GIF", size=(64, 64)), "me.gif", WRONG_FORMAT),
    "gif-named-png": (_image("GIF", size=(64, 64)), "me.png", WRONG_FORMAT),
    "bmp": (_image("BMP", size=(64, 64)), "me.png", WRONG_FORMAT),
    "empty": (b"", "me.png", NOT_A_PICTURE),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_files_leave_the_previous_avatar(app, client, member, with_avatar, case):
    data, filename, message = REFUSED[case]
    _assert_refused(app, client, member, with_avatar, data, filename, message)


def test_no_file_is_refused(app, client, member, with_avatar):
    response = client.post("/profile/avatar", data={}, content_type="multipart/form-data", follow_redirects=True)
    assert b"Choose a picture to upload." in response.data
    assert _reload(member).avatar_filename == with_avatar[0]


def test_one_byte_over_2_mb_is_refused(app, client, member, with_avatar):
    _assert_refused(app, client, member, with_avatar, _padded_png(MAX_BYTES + 1), "big.png", TOO_LARGE)


def test_decompression_bomb_is_refused(app, client, member, with_avatar):
    bomb = _decompression_bomb()
    assert len(bomb) < 200_000  # small on disk, 400 million pixels once decoded
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(bomb))
    _assert_refused(app, client, member, with_avatar, bomb, "bomb.png", NOT_A_PICTURE)


def test_truncated_jpeg_is_refused(app, client, member, with_avatar):
    whole = _noisy_jpeg()
    _assert_refused(app, client, member, with_avatar, whole[: len(whole) * 3 // 5], "cut.jpg", NOT_A_PICTURE)


def test_truncated_jpeg_is_refused_after_a_pdf_export(app, client, member, with_avatar):
    """WeasyPrint's import tells Pillow to accept truncated images, process-wide; the export sets that back."""
    from PIL import ImageFile

    from stac_youth.summit.exports import report_pdf

    assert report_pdf("<p>Summit report</p>").startswith(b"%PDF")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    test_truncated_jpeg_is_refused(app, client, member, with_avatar)


def _assert_refused(app, client, member, with_avatar, data, filename, message):
    old_name, old_bytes = with_avatar
    response = _upload(client, data, filename)
    assert response.status_code == 200
    assert SAVED not in response.data
    assert b"alert-danger" in response.data
    assert message in response.data
    assert _reload(member).avatar_filename == old_name
    assert [path.name for path in _stored_files(app)] == [old_name]
    assert (_avatar_dir(app) / old_name).read_bytes() == old_bytes
    assert client.get(f"/members/{member.id}/avatar").data == old_bytes
