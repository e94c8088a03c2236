"""The campaign link as a QR code (segno): SVG and PNG downloads, and the inline SVG of the poster.

Pure functions of the link: no ORM, no request. The link is the campaign's public join URL in
one language, the same one the campaign page writes out.
"""

from __future__ import annotations

import functools
import io

import segno

# Medium error correction (15 %) survives a crease or a smudge on a printed poster while
# keeping the symbol small; segno raises it further when that costs no extra modules.
ERROR = "m"
PNG_SCALE = 10  # pixels per module: about 450 px square for a campaign link
BORDER = 4  # the quiet zone the QR standard asks for, in modules


@functools.lru_cache(maxsize=256)
def qr_code(link: str) -> segno.QRCode:
    """The code of a link, made once per process: encoding it costs ~10-20 ms, and the campaign
    page reads its size on every view. (Saving a code does not change it.)"""
    # micro=False: phone cameras and WeChat's scanner read only full-size QR codes.
    return segno.make(link, error=ERROR, micro=False)


def qr_svg(link: str, title: str) -> bytes:
    """A standalone SVG file (what the page shows and the download gives), with a <title>.

    On a white square, not transparent: a dark page or a coloured notice board behind the
    code would leave a scanner no contrast."""
    out = io.BytesIO()
    code = qr_code(link)
    code.save(out, kind="svg", scale=4, border=BORDER, title=title, light="#fff", svgclass=None, lineclass=None)
    return out.getvalue()


def svg_size(link: str) -> int:
    """The width and height in pixels of qr_svg(link), for the page's <img> to reserve."""
    return int(qr_code(link).symbol_size(scale=4, border=BORDER)[0])


def qr_png(link: str) -> bytes:
    out = io.BytesIO()
    qr_code(link).save(out, kind="png", scale=PNG_SCALE, border=BORDER, light="#fff")
    return out.getvalue()


def qr_svg_inline(link: str, title: str) -> str:
    """An <svg> element with a viewBox and no fixed size, for the poster's HTML: its stylesheet
    sizes it, and it prints as vectors at any resolution. Its <title> is the tagged PDF's text
    alternative for it (/Alt)."""
    return qr_code(link).svg_inline(
        border=BORDER, light="#fff", omitsize=True, svgclass="qr", lineclass=None, title=title
    )
