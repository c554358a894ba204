"""The report as readers see it: HTML in a real browser (headless Chromium), the PDF's
pages (WeasyPrint, then pdftoppm), in both languages; Chinese set in a real CJK font."""

from __future__ import annotations

import pytest

from crm_xl.report.make import make_report
from tests.helpers.browser import pdf_fonts, pdf_pages, print_pdf, screenshot
from tests.helpers.libreoffice import on_ci
from tests.report import three_periods as tp


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return tp.build(tmp_path_factory.mktemp("render"))


def ink(png) -> float:
    """The share of the image's pixels that are not white (a blank page has none)."""
    from PIL import Image

    with Image.open(png) as im:
        grey = im.convert("L")
        dark = sum(grey.histogram()[:240])
        return dark / (grey.width * grey.height)


def weasyprint_or_skip() -> None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as err:
        if on_ci():
            pytest.fail(f"WeasyPrint cannot be used: {err} (CI must run this test)")
        pytest.skip(f"WeasyPrint cannot be used: {err}")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_html_in_a_browser(book, tmp_path, lang):
    html = make_report(book, tmp_path / f"report_{lang}.html", lang=lang, as_of=tp.AS_OF)
    png = screenshot(html, tmp_path / f"report_{lang}.png")
    assert 0.03 < ink(png) < 0.5, "the page is rendered, not blank"
    printed = print_pdf(html, tmp_path / f"printed_{lang}.pdf")
    pages = pdf_pages(printed, tmp_path / f"printed_{lang}")
    assert 3 <= len(pages) <= 8  # A4 pages, printed as the @page rule asks
    assert all(ink(p) > 0.01 for p in pages)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pdf_pages_and_fonts(book, tmp_path, lang):
    weasyprint_or_skip()
    pdf = make_report(book, tmp_path / f"report_{lang}.pdf", lang=lang, as_of=tp.AS_OF)
    assert pdf.read_bytes().startswith(b"%PDF-")
    pages = pdf_pages(pdf, tmp_path / f"pages_{lang}")
    assert 3 <= len(pages) <= 8 and all(ink(p) > 0.01 for p in pages)
    fonts = pdf_fonts(pdf)
    assert fonts and all(f["emb"] == "yes" for f in fonts)  # every font embedded
    if lang == "zh":  # Chinese text in a real CJK font, not boxes
        assert any(
            any(k in f["name"] for k in ("CJK", "Hei", "WenQuanYi", "Han", "YaHei")) for f in fonts
        ), fonts
