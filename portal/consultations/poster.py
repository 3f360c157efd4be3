"""The notice to print and put up (张贴版公告): a page of one A4 sheet with the consultation's period and every way
to take part, and a QR code that opens the consultation on a phone. Community workers put such notices on
residents' notice boards; many older residents take part by scanning the code with their phone's camera.

The QR code is made by segno (pure Python, ISO/IEC 18004) from the consultation's address as mail links make
it (PORTAL_BASE_URL, else the address the request came in by), with error correction level M so that a
printed code stays readable when creased or partly covered.
"""
from __future__ import annotations

import io

import segno
from markupsafe import Markup


def qr_code(url: str) -> segno.QRCode:
    return segno.make(url, error="m", micro=False)


def qr_svg_inline(url: str, title: str) -> Markup:
    """The code as an <svg> element to place in a page: no style attribute (the page's CSP allows none), sized by
    CSS, with a title for screen readers."""
    svg = qr_code(url).svg_inline(scale=1, border=2, dark="#000", light="#fff", title=title, svgclass="qr-code",
                                  omitsize=True)
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))


def qr_svg_file(url: str, title: str) -> bytes:
    """The code as an SVG file (to put into the office's own notice), large enough to print as it is."""
    out = io.BytesIO()
    qr_code(url).save(out, kind="svg", scale=10, border=4, dark="#000", light="#fff", title=title)
    return out.getvalue()


def qr_png(url: str) -> bytes:
    """The code as a PNG picture (for the Word documents: python-docx places pictures, not SVG)."""
    out = io.BytesIO()
    qr_code(url).save(out, kind="png", scale=8, border=2)
    return out.getvalue()
