"""Screenshots against their committed baselines: compare, update, or only write them out (SCREENSHOT_OUT)."""

from __future__ import annotations

import io
import os
from pathlib import Path

from PIL import Image, ImageChops

BASELINES = Path(__file__).resolve().parent / "baselines"

# A pixel differs when one of its channels moves by more than CHANNEL_TOLERANCE (of 255): font smoothing and
# anti-aliased edges drawn by another Chromium or FreeType build shift shades by a few steps, which no one sees, while
# a changed colour token moves the channels of a whole area by far more. The same build here draws the same pixels
# run after run (0 differing), so the share allowed is small: 0.02 % is about 600 pixels of a 1280 x 2300 page, a
# few edges' worth of smoothing, while a changed word, icon or spacing moves more than that.
CHANNEL_TOLERANCE = 24
MAX_DIFFERENT_SHARE = 0.0002


def baseline_name(screen: str, width: int, lang: str) -> str:
    return f"{screen}-{width}-{lang}.webp"  # lossless WebP: the same pixels in about a third of a PNG's bytes


def mode() -> str:
    """"out" (SCREENSHOT_OUT: write every screenshot there), "update" (UPDATE_SCREENSHOTS=1) or "compare"."""
    if os.environ.get("SCREENSHOT_OUT"):
        return "out"
    return "update" if os.environ.get("UPDATE_SCREENSHOTS") == "1" else "compare"


def keep(png: bytes, name: str, failures_dir: Path) -> str | None:
    """Write, update or compare one screenshot as mode() says; returns the problem, or None."""
    current = mode()
    if current == "out":
        out = Path(os.environ["SCREENSHOT_OUT"])
        out.mkdir(parents=True, exist_ok=True)
        (out / name).with_suffix(".png").write_bytes(png)
        return None
    baseline = BASELINES / name
    if current == "update":
        Image.open(io.BytesIO(png)).convert("RGB").save(baseline, "WEBP", lossless=True, method=4)
        return None
    if not baseline.exists():
        return f"{name}: no baseline in {BASELINES}; run `make screenshots` to make it (and commit it)"
    return compare(png, baseline, failures_dir)


def compare(png: bytes, baseline: Path, failures_dir: Path) -> str | None:
    """None when the screenshot matches the baseline; else what differs, with the actual and diff images written."""
    actual = Image.open(io.BytesIO(png)).convert("RGB")
    expected = Image.open(baseline).convert("RGB")
    if actual.size == expected.size:
        changed = _changed_mask(actual, expected)
        count = changed.histogram()[255]
        share = count / (actual.width * actual.height)
        if share <= MAX_DIFFERENT_SHARE:
            return None
        what = f"{count} pixels ({share:.3%}) differ, more than {MAX_DIFFERENT_SHARE:.2%}"
    else:
        changed = None
        what = f"size {actual.width}x{actual.height} px, baseline {expected.width}x{expected.height} px"
    failures_dir.mkdir(parents=True, exist_ok=True)
    stem = baseline.stem
    actual_path = failures_dir / f"{stem}.actual.png"
    diff_path = failures_dir / f"{stem}.diff.png"
    actual.save(actual_path)
    _diff_image(actual, expected, changed).save(diff_path)
    return f"{baseline.name}: {what}; actual {actual_path}, diff {diff_path}"


def _changed_mask(actual: Image.Image, expected: Image.Image) -> Image.Image:
    """A mask (mode L, 255 or 0): the pixels with a channel more than CHANNEL_TOLERANCE away from the baseline's."""
    difference = ImageChops.difference(actual, expected)
    channels = [band.point(lambda value: 255 if value > CHANNEL_TOLERANCE else 0) for band in difference.split()]
    return ImageChops.lighter(ImageChops.lighter(channels[0], channels[1]), channels[2])


def _diff_image(actual: Image.Image, expected: Image.Image, changed: Image.Image | None) -> Image.Image:
    """The actual screenshot faded, the differing pixels in red; for a size change, both side by side."""
    if changed is None:
        canvas = Image.new("RGB", (actual.width + expected.width, max(actual.height, expected.height)), "white")
        canvas.paste(expected, (0, 0))
        canvas.paste(actual, (expected.width, 0))
        return canvas
    faded = Image.blend(actual, Image.new("RGB", actual.size, "white"), 0.7)
    faded.paste(Image.new("RGB", actual.size, (220, 0, 0)), (0, 0), changed)
    return faded
