"""Printable A4 PDFs (minutes, conventions) of HTML a Django template rendered.

WeasyPrint lays the HTML out with the print stylesheet beside this file
(pdf.css): A4 portrait, 20 mm margins, "第 N 页 / 共 M 页" and the caller's
footer line (a fingerprint, say) in the bottom margin of every page.

Fonts: fontconfig's family names, "Noto Serif CJK SC" for text and "Noto Sans
CJK SC" for headings (Debian's fonts-noto-cjk), and WeasyPrint embeds a subset
of each in the PDF. Not an @font-face pointing at the file: Noto CJK comes as
collections (.ttc: Japanese, Korean, Simplified and Traditional Chinese
faces), and WeasyPrint's @font-face loads a whole file under one family name,
leaving the face, and so the Simplified Chinese glyph forms, to fontconfig's
guess; the family name picks the SC face. Without those families the first
Chinese family `fc-list :lang=zh` gives stands in; with none, PdfUnavailable.

Nothing is fetched over the network: the URL fetcher reads data: URLs (QR codes
from compounds.qr), files in the project's static/ directory (a `{% static %}`
path "/static/..." included) and the Chinese font files, and refuses anything
else; WeasyPrint logs the refusal and leaves that image or stylesheet out.

WeasyPrint needs Pango >= 1.44, HarfBuzz and fontconfig from the system; on
Debian `apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0`
(.ci/browser-deps installs them). Without them render_pdf raises
PdfUnavailable, and the rest of the app is unaffected: weasyprint is imported
on first use.
"""

import functools
import io
import logging
import mimetypes
import shutil
import subprocess
import unicodedata
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from pypdf import PdfReader

__all__ = ["PdfUnavailable", "FetchRefused", "render_pdf", "pdf_text", "css_string", "cjk_fonts", "url_fetcher"]

STYLESHEET = Path(__file__).with_name("pdf.css")
SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
SYSTEM_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
FONT_PACKAGE = "fonts-noto-cjk"
_PANGO_MIN = 14400  # 1.44.0, as pango_version() counts


class PdfUnavailable(RuntimeError):
    """This machine cannot make PDFs: a system library or font is missing."""


class FetchRefused(ValueError):
    """A URL the PDF may not read (WeasyPrint logs it and goes on without it)."""


class _QuietIgnoredLineBreak(logging.Filter):
    """pdf.css asks for `line-break: strict`, a property WeasyPrint does not
    have: its "Ignored `line-break: ...`" warning on every PDF says nothing new."""

    def filter(self, record):
        return not record.getMessage().startswith("Ignored `line-break:")


logging.getLogger("weasyprint").addFilter(_QuietIgnoredLineBreak())


@dataclass(frozen=True)
class CjkFonts:
    serif: str  # the family for text
    sans: str  # the family for headings, the page numbers and the footer
    files: tuple[Path, ...]  # their files (the URL fetcher may read them)


def render_pdf(html: str, *, title: str = "", footer: str = "", base_url: str | None = None) -> bytes:
    """The PDF of an HTML document: A4, page numbers and `footer` on every
    page, the Chinese font embedded, metadata title `title` (else the
    document's <title>). Relative URLs resolve against `base_url`, by default
    the static/ directory. Raises PdfUnavailable when this machine lacks
    WeasyPrint's libraries or a Chinese font."""
    weasyprint = _weasyprint()
    fonts = cjk_fonts()
    fetcher = url_fetcher()
    base_url = base_url or _static_dir().as_uri() + "/"
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    stylesheets = [weasyprint.CSS(string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=fetcher)]
    page_css = _page_css(footer, fonts)
    if page_css:
        stylesheets.append(weasyprint.CSS(string=page_css, url_fetcher=fetcher))
    rendered = document.render(stylesheets=stylesheets)
    if title:
        rendered.metadata.title = title
    return rendered.write_pdf()


def pdf_text(data: bytes) -> str:
    """The text of a PDF, its pages separated by form feeds ("\\f"), as
    pdftotext does. Extraction may break lines where the PDF did."""
    reader = PdfReader(io.BytesIO(data))
    return "\f".join(page.extract_text() or "" for page in reader.pages)


def css_string(text: str) -> str:
    """`text` as a quoted CSS string that nothing in it can end or escape from:
    ASCII other than letters, digits and spaces becomes a hex escape (so no
    quote, backslash, semicolon or `<`), control characters become spaces, and
    other invisible ones (bidi overrides, zero-width) are dropped."""
    out = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cc":
            out.append(" ")
        elif category[0] == "C":
            continue
        elif not char.isascii() or char.isalnum() or char == " ":
            out.append(char)
        else:
            # The space ends the escape: CSS takes up to six hex digits and
            # then one whitespace character as part of it.
            out.append(f"\\{ord(char):x} ")
    return '"' + "".join(out) + '"'


def _page_css(footer, fonts):
    """The rules render_pdf adds to pdf.css: the footer, and the families
    standing in when Noto CJK is not installed."""
    rules = []
    if footer:
        rules.append(f"@page {{ @bottom-left {{ content: {css_string(footer)} }} }}")
    if fonts.serif != SERIF or fonts.sans != SANS:
        serif, sans = css_string(fonts.serif), css_string(fonts.sans)
        rules.append(f"html {{ font-family: {serif}, serif }}")
        sans_rule = f"font-family: {sans}, sans-serif"
        rules.append(f"h1, h2, h3, h4, h5, h6, dt, th, caption {{ {sans_rule} }}")
        rules.append(f"@page {{ @bottom-left {{ {sans_rule} }} @bottom-right {{ {sans_rule} }} }}")
    return "\n".join(rules)


def _static_dir():
    return Path(settings.BASE_DIR) / "static"


# --- the system: WeasyPrint's libraries and the fonts --------------------------


@functools.cache
def _weasyprint():
    """weasyprint, imported on first use: importing it loads Pango, HarfBuzz
    and fontconfig, and fails without them."""
    try:
        import weasyprint
        from weasyprint.text.ffi import pango
    except ImportError as exc:
        raise PdfUnavailable(f"PDFs need WeasyPrint: pip install -r requirements.lock ({exc})") from exc
    except OSError as exc:
        raise PdfUnavailable(
            "PDFs need WeasyPrint's system libraries (Pango >= 1.44, HarfBuzz, fontconfig): "
            f"on Debian `apt-get install {SYSTEM_PACKAGES}` ({exc})"
        ) from exc
    version = pango.pango_version()
    if version < _PANGO_MIN:
        found = f"{version // 10000}.{version // 100 % 100}.{version % 100}"
        raise PdfUnavailable(
            f"PDFs need Pango >= 1.44, this system has {found}: on Debian `apt-get install {SYSTEM_PACKAGES}`"
        )
    return weasyprint


@functools.cache
def cjk_fonts() -> CjkFonts:
    """The Chinese font families the PDFs use, as fontconfig knows them."""
    serif, sans = _fc_files(SERIF), _fc_files(SANS)
    if serif or sans:
        return CjkFonts(SERIF if serif else SANS, SANS if sans else SERIF, tuple(serif + sans))
    if not shutil.which("fc-list"):
        # No fontconfig tools (only its library): Debian's files, where fontconfig finds them.
        noto = sorted(Path("/usr/share/fonts").glob("**/Noto*CJK*.tt[cf]"))
        if noto:
            return CjkFonts(SERIF, SANS, tuple(noto))
    for line in _fc_list(":lang=zh", "%{family[0]}\t%{file}\n"):
        family, _, file = line.partition("\t")
        if family and file:
            return CjkFonts(family, family, (Path(file),))
    raise PdfUnavailable(f"PDFs need a Chinese font: on Debian `apt-get install {FONT_PACKAGE}`")


def _fc_files(family):
    return [Path(line) for line in _fc_list(f":family={family}", "%{file}\n") if line]


def _fc_list(pattern, format):
    if not shutil.which("fc-list"):
        return []
    try:
        result = subprocess.run(
            ["fc-list", "--format", format, pattern], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted(set(result.stdout.splitlines()))


# --- fetching: data: URLs and local files only --------------------------------


def url_fetcher():
    """The URL fetcher render_pdf gives WeasyPrint: data: URLs, files in
    static/ and the Chinese fonts; anything else raises FetchRefused."""
    return _fetcher_class()(static_dir=_static_dir(), files=cjk_fonts().files)


@functools.cache
def _fetcher_class():
    _weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFetcher(URLFetcher):
        def __init__(self, *, static_dir, files):
            # No network handler is ever reached: fetch() below opens nothing itself.
            super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False, fail_on_errors=False)
            self.static_dir = Path(static_dir).resolve()
            self.files = {Path(f).resolve() for f in files}

        def fetch(self, url, headers=None):
            scheme = url.partition(":")[0].lower()
            if scheme == "data":
                with urllib.request.DataHandler().data_open(urllib.request.Request(url)) as response:
                    return URLFetcherResponse(url, response.read(), response.headers)
            if scheme == "file" and (path := self.local_file(url)):
                mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type})
            raise FetchRefused(f"refused {url[:200]}: a PDF reads only data: URLs and files in static/")

        def local_file(self, url):
            """The allowed file a file: URL names, or None. A path under
            STATIC_URL ("/static/...", as {% static %} writes it) is read
            from static/."""
            parts = urllib.parse.urlsplit(url)
            if parts.netloc not in ("", "localhost"):
                return None
            candidates = [Path(urllib.request.url2pathname(parts.path))]
            prefix = urllib.parse.urlsplit(settings.STATIC_URL or "").path
            if prefix.startswith("/") and parts.path.startswith(prefix):
                candidates.append(self.static_dir / urllib.request.url2pathname(parts.path[len(prefix) :]))
            for candidate in candidates:
                try:
                    path = candidate.resolve(strict=True)
                except (OSError, RuntimeError):
                    continue
                if path in self.files or (path.is_file() and path.is_relative_to(self.static_dir)):
                    return path
            return None

    return LocalFetcher
