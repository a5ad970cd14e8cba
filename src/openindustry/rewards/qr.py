"""A claim's pickup code as a scannable QR (SVG), for the organizer's scanner at the prize desk."""

from __future__ import annotations

import io

import segno


def qr_svg(text: str, *, title: str | None = None) -> str:
    """An SVG QR of `text` (error correction M, 8 px modules, the standard 4-module quiet zone)."""
    qr = segno.make(text, error="m", boost_error=False, micro=False)
    out = io.BytesIO()
    qr.save(
        out,
        kind="svg",
        scale=8,
        border=4,
        dark="#000",
        light="#fff",
        title=title,
        omitsize=True,
        xmldecl=False,
        nl=False,
        svgclass="claim-qr",
    )
    width, height = qr.symbol_size(scale=8, border=4)
    attrs = f'width="{width}" height="{height}"' + (' role="img"' if title else "")
    return out.getvalue().decode().replace("<svg ", f"<svg {attrs} ", 1)
