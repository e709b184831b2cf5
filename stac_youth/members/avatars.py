"""Avatar images: checked, re-encoded without metadata, stored outside static/ under a random name."""

from __future__ import annotations

import io
import secrets
import warnings
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from ..common.errors import ServiceError

ACCEPTED_FORMATS = {"PNG", "JPEG", "WEBP"}
MAX_PIXELS = 25_000_000
AVATAR_SIZE = 512


def avatar_dir() -> Path:
    """Where avatar files live (instance/avatars by default)."""
    path = Path(current_app.config["AVATAR_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def reencode_avatar(data: bytes) -> bytes:
    """Return a clean WebP of at most 512×512 pixels, or raise ServiceError for anything else."""
    if len(data) > current_app.config["AVATAR_MAX_BYTES"]:
        raise ServiceError(_l("The picture is larger than 2 MB."), field="avatar")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise ServiceError(_l("Use a PNG, JPEG or WebP picture."), field="avatar")
                if probe.width * probe.height > MAX_PIXELS:
                    raise ServiceError(_l("The picture has too many pixels."), field="avatar")
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
                image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
                image.thumbnail((AVATAR_SIZE, AVATAR_SIZE))
                out = io.BytesIO()
                image.save(out, format="WEBP", quality=85)
    except ServiceError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise ServiceError(_l("This file is not a picture we can use."), field="avatar") from None
    return out.getvalue()


def store_avatar(data: bytes) -> str:
    """Write re-encoded bytes under a new random name and return the name."""
    name = f"{secrets.token_hex(16)}.webp"
    (avatar_dir() / name).write_bytes(data)
    return name


def delete_avatar_file(name: str | None) -> None:
    """Remove a stored avatar file if it is there."""
    if name:
        (avatar_dir() / Path(name).name).unlink(missing_ok=True)


def avatar_path(name: str) -> Path:
    """The file of a stored avatar."""
    return avatar_dir() / Path(name).name
