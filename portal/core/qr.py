"""QR codes (segno, pure Python, ISO/IEC 18004) of the portal's addresses: on the notice to put up, in the Word
draft, and the otpauth:// address an authenticator app reads for two-step login. Error correction level M, so
that a printed code stays readable when creased or partly covered."""
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
