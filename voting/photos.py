"""Photos of paper ballots: checked, turned upright, downscaled, re-encoded.

A phone's photo carries EXIF: where it was taken (GPS), when, which phone.
None of it belongs with a ballot, so the photo is decoded and written anew
as a plain JPEG, which keeps the pixels and nothing else. Downscaled to
MAX_SIDE pixels on its long side: enough to read a ballot's ticks and
signature, a few hundred kB in the database instead of several MB.

The bytes are checked as proposals' project photos are (their signature,
proposals.actions.photo_type, and the same size cap) before Pillow reads
them, and an image whose header claims more than MAX_PIXELS is refused
before it is decoded (a "decompression bomb" would take the memory).
"""

from io import BytesIO

from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from proposals.actions import MAX_PHOTO_BYTES, photo_type

MAX_SIDE = 1600
MAX_PIXELS = 60_000_000  # above any phone camera's 50 MP
JPEG_QUALITY = 85


class PhotoError(ValueError):
    """A photo refused, with a translated message."""


def prepare(data):
    """`data` (an upload's bytes) as a JPEG without metadata, at most
    MAX_SIDE pixels on its long side: (bytes, width, height), or PhotoError."""
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoError(_("A photo may be at most 5 MB."))
    if photo_type(data) is None:
        raise PhotoError(_("Upload a photo as JPEG, PNG or WebP."))
    try:
        with Image.open(BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise PhotoError(_("This photo has too many pixels; take it again at a normal size."))
            image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG: decode at a reduced size, faster
            upright = ImageOps.exif_transpose(image)  # as the camera held it, before its EXIF goes
            upright.thumbnail((MAX_SIDE, MAX_SIDE))
            upright = upright.convert("RGB")
            out = BytesIO()
            upright.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    except PhotoError:
        raise
    except Exception:
        # Whatever a damaged or hostile file makes the decoder raise (OSError,
        # ValueError, struct errors in EXIF...), it is not a photo we can keep.
        raise PhotoError(_("This photo could not be read. Take it again or upload another file.")) from None
    return out.getvalue(), upright.width, upright.height
