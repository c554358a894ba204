"""Headless Chromium (Debian package ``chromium``) and poppler as renderers (a test helper).

``screenshot(html, png)`` renders an HTML file in a real browser, with a fresh profile and
everything that would reach the network switched off; ``pdf_pages(pdf, outdir)`` turns a
PDF's pages into PNGs (pdftoppm); ``pdf_fonts(pdf)`` lists the fonts a PDF embeds
(pdffonts). A missing tool skips the test locally and fails it under ``$CI``, as the
LibreOffice helpers do.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.helpers.libreoffice import on_ci, require_pdftoppm

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--hide-scrollbars",
]


def _missing(message: str) -> None:
    if on_ci():
        pytest.fail(f"{message} (CI is set: this test must not be skipped)", pytrace=False)
    pytest.skip(message)


def require_chromium() -> str:
    """The Chromium executable; skip the test when it is missing (fail instead on CI)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        _missing("Chromium not found: install the Debian package chromium")
    assert path is not None
    return path


def screenshot(html: Path, png: Path, width: int = 800, height: int = 5000) -> Path:
    """A PNG of the page as Chromium lays it out at ``width`` × ``height`` pixels."""
    chromium = require_chromium()
    with tempfile.TemporaryDirectory(prefix="crm-xl-chromium-") as profile:
        subprocess.run(
            [
                chromium,
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                f"--screenshot={png}",
                html.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    return png


def print_pdf(html: Path, pdf: Path) -> Path:
    """The page printed to PDF by Chromium (A4, as the report's @page asks)."""
    chromium = require_chromium()
    with tempfile.TemporaryDirectory(prefix="crm-xl-chromium-") as profile:
        subprocess.run(
            [
                chromium,
                *FLAGS,
                f"--user-data-dir={profile}",
                "--no-pdf-header-footer",
                f"--print-to-pdf={pdf}",
                html.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    return pdf


def pdf_pages(pdf: Path, outdir: Path, dpi: int = 60) -> list[Path]:
    """Every page of ``pdf`` as a PNG in ``outdir``, in order."""
    pdftoppm = require_pdftoppm()
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [pdftoppm, "-r", str(dpi), "-png", str(pdf), str(outdir / "page")], check=True, timeout=120
    )
    return sorted(outdir.glob("page*.png"))


def pdf_fonts(pdf: Path) -> list[dict[str, str]]:
    """The fonts of ``pdf`` as pdffonts lists them: name, type, emb (yes/no)."""
    require_pdftoppm()  # pdffonts comes with pdftoppm (poppler-utils)
    out = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    fonts = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        if len(parts) >= 7:
            fonts.append({"name": parts[0], "emb": parts[-5]})
    return fonts
