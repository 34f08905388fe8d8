"""Printable PDFs (minutes/pdf.py): Chinese text that survives the round trip,
page numbers and the footer on every page, the Chinese font embedded, nothing
fetched over the network, a footer that cannot break out of its CSS string."""

import io
import re
import shutil
import socket
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import tinycss2
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from compounds.qr import qr_data_uri
from minutes import pdf
from minutes.pdf import FetchRefused, PdfUnavailable, css_string, pdf_text, render_pdf
from proposals import markup

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
SAMPLE = (Path(__file__).parent / "data" / "convention-sample.md").read_text(encoding="utf-8")
TITLE = "青梧苑小区居民公约（草案）"
FINGERPRINT = "SHA-256 指纹：" + "3f9a0c7e" * 8
HOSTILE = '"\'\\;</style><script>alert(1)</script> a; b\\"} @page { margin: 0 }'


def page(body, title=TITLE, head=""):
    return (
        f'<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><title>{title}</title>{head}</head>'
        f"<body>{body}</body></html>"
    )


def flat(text):
    return re.sub(r"\s+", "", text)


def pages_text(data):
    return [flat(text) for text in pdf_text(data).split("\f")]


@pytest.fixture(scope="module")
def convention():
    """The draft convention, rendered once for the tests that read it."""
    return render_pdf(page(markup.render(SAMPLE)), title=TITLE, footer=FINGERPRINT)


def test_a_chinese_convention_keeps_its_text_over_more_than_one_page(convention):
    reader = PdfReader(io.BytesIO(convention))
    assert len(reader.pages) > 1
    assert reader.metadata.title == TITLE
    text = flat(pdf_text(convention))
    sentences = [flat(s) for s in re.split(r"[。\n]", markup.plain(SAMPLE)) if flat(s)]
    assert len(sentences) > 20
    for sentence in sentences:
        assert sentence in text


def test_every_page_is_numbered_and_carries_the_footer(convention):
    texts = pages_text(convention)
    assert "第1页" in texts[0]
    for number, text in enumerate(texts, start=1):
        assert f"第{number}页/共{len(texts)}页" in text
        assert flat(FINGERPRINT) in text


def _fonts(data):
    """{font name: embedded?} over the PDF's pages (Type0 fonts through their descendants)."""
    found = {}
    for pdf_page in PdfReader(io.BytesIO(data)).pages:
        for font in pdf_page["/Resources"]["/Font"].values():
            font = font.get_object()
            for part in [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]:
                descriptor = part["/FontDescriptor"].get_object()
                name = str(descriptor["/FontName"])
                found[name] = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


def test_the_chinese_fonts_are_embedded(convention):
    fonts = _fonts(convention)
    assert fonts and all(fonts.values()), fonts
    assert any("CJK" in name or "Noto" in name for name in fonts), fonts
    if pdf.cjk_fonts().serif == pdf.SERIF:
        names = " ".join(fonts)
        assert "Serif-CJK-SC" in names  # the text
        assert "Sans-CJK-SC" in names  # the headings, page numbers and footer


def test_a_hostile_footer_and_remote_urls_fetch_nothing_and_break_nothing(monkeypatch, caplog):
    dialled = []

    def no_network(*args, **kwargs):
        dialled.append(args)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    head = '<link rel="stylesheet" href="https://example.com/x.css">'
    body = (
        '<h1>会议纪要</h1><p>正文第一段。</p><img src="http://example.com/x.png">'
        '<img src="file:///etc/passwd"><p>正文第二段。</p>'
    )
    data = render_pdf(page(body, head=head), footer=HOSTILE)

    assert dialled == []
    refused = [r.getMessage() for r in caplog.records if "FetchRefused" in r.getMessage()]
    for url in ("https://example.com/x.css", "http://example.com/x.png", "file:///etc/passwd"):
        assert any(url in message for message in refused), (url, refused)
    (text,) = pages_text(data)
    assert "会议纪要正文第一段。正文第二段。" in text
    # The footer is printed as it is, whole, and the page numbers still follow.
    assert flat(HOSTILE) + "第1页/共1页" in text


@given(st.text())
def test_a_css_string_is_one_string_token_with_the_text(text):
    tokens = [t for t in tinycss2.parse_component_value_list(css_string(text)) if t.type != "whitespace"]
    assert len(tokens) == 1 and tokens[0].type == "string"
    # Control characters print as spaces; other invisible ones (bidi overrides...) are dropped.
    categories = [unicodedata.category(c) for c in text]
    expected = "".join(
        " " if cat == "Cc" else c for c, cat in zip(text, categories, strict=True) if cat[0] != "C" or cat == "Cc"
    )
    assert tokens[0].value == expected


def test_the_fetcher_reads_data_urls_static_files_and_the_fonts_only():
    fetcher = pdf.url_fetcher()
    static = Path(settings.BASE_DIR) / "static"
    app_css = (static / "css" / "app.css").read_bytes()

    qr = fetcher.fetch(qr_data_uri("https://example.org/m/1"))
    assert qr.content_type == "image/svg+xml" and b"<svg" in qr.read()
    assert fetcher.fetch((static / "css" / "app.css").as_uri()).read() == app_css
    assert fetcher.fetch("file:///static/css/app.css").read() == app_css  # {% static %} against a file: base
    font = pdf.cjk_fonts().files[0]
    assert fetcher.fetch(font.as_uri()).read(4)

    for url in (
        "http://example.com/x.png",
        "https://example.com/x.css",
        "ftp://example.com/x",
        "file:///etc/passwd",
        (ROOT / "pyproject.toml").as_uri(),
        "file:///static/..%2f..%2fpyproject.toml",
        "file:///static/css/..%2F..%2Fpyproject.toml",
        "file://example.com/static/css/app.css",
        "javascript:alert(1)",
    ):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)


def test_a_qr_code_and_a_static_stylesheet_are_drawn(caplog):
    head = '<link rel="stylesheet" href="/static/css/app.css">'
    body = f'<p>扫码查看：</p><img style="width: 30mm" src="{qr_data_uri("https://example.org/m/1")}">'
    data = render_pdf(page(body, head=head))
    messages = [r.getMessage() for r in caplog.records]
    assert not [m for m in messages if "Failed to load" in m], messages
    assert not [m for m in messages if "line-break" in m], messages  # pdf.css's, WeasyPrint ignores it quietly
    assert "扫码查看" in pdf_text(data)


@pytest.fixture
def fresh_caches():
    pdf._weasyprint.cache_clear()
    pdf.cjk_fonts.cache_clear()
    yield
    pdf._weasyprint.cache_clear()
    pdf.cjk_fonts.cache_clear()


class _NoLibrary:
    """An import finder as if Pango could not be loaded."""

    def find_spec(self, name, path=None, target=None):
        if name == "weasyprint.text.ffi":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return None


def test_missing_system_libraries_name_the_debian_packages(monkeypatch, fresh_caches):
    monkeypatch.delitem(sys.modules, "weasyprint.text.ffi")
    monkeypatch.setattr(sys, "meta_path", [_NoLibrary(), *sys.meta_path])
    with pytest.raises(PdfUnavailable, match="apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"):
        render_pdf(page("<p>无</p>"))


def test_an_old_pango_is_refused(monkeypatch, fresh_caches):
    import weasyprint.text.ffi

    class OldPango:
        def pango_version(self):
            return 14212

    monkeypatch.setattr(weasyprint.text.ffi, "pango", OldPango())
    with pytest.raises(PdfUnavailable, match=r"Pango >= 1\.44, this system has 1\.42\.12.*libpangoft2-1\.0-0"):
        render_pdf(page("<p>无</p>"))


def test_without_noto_another_chinese_font_stands_in_and_without_any_it_says_so(monkeypatch, fresh_caches):
    listed = {":lang=zh": ['文泉驿"正黑\t/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc']}
    monkeypatch.setattr(pdf, "_fc_list", lambda pattern, format: listed.get(pattern, []))
    fonts = pdf.cjk_fonts()
    assert fonts.serif == fonts.sans == '文泉驿"正黑'
    assert fonts.files == (Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),)
    assert f"html {{ font-family: {css_string(fonts.serif)}, serif }}" in pdf._page_css("", fonts)

    listed.clear()
    pdf.cjk_fonts.cache_clear()
    with pytest.raises(PdfUnavailable, match="apt-get install fonts-noto-cjk"):
        pdf.cjk_fonts()


def test_a_sample_to_look_at():
    """test-artifacts/pdf-sample.pdf, and its first page as a PNG where
    pdftoppm (poppler-utils) is installed, for a person to look at."""
    rows = "".join(
        f"<tr><td>{n}</td><td>{n}幢{n % 3 + 1}单元</td><td>{'同意' if n % 4 else '反对'}</td>"
        f"<td>{'第三条修正案' if n % 2 else '关于加装电梯的提案（附件' + str(n) + '）'}</td></tr>"
        for n in range(1, 31)
    )
    body = f"""
      <h1>青梧苑小区第三次议事会会议纪要</h1>
      <dl><dt>时间</dt><dd>2026年5月9日 19:00—21:10</dd><dt>地点</dt><dd>青梧苑社区活动室</dd>
      <dt>主持人</dt><dd>王秀兰（居民委员会）</dd></dl>
      <h2>一、表决结果</h2>
      <table class="record"><thead><tr><th>序号</th><th>房屋</th><th>意见</th><th>事项</th></tr></thead>
      <tbody>{rows}</tbody></table>
      <h2>二、通过的修正案</h2>
      <p>第四条第二款修改为：访客车辆须登记后临时停放，停放时间一般不超过<del>4小时</del><ins>2小时</ins>。</p>
      <p>长链接不应溢出版心：https://example.org/compounds/qingwuyuan/minutes/3/versions/2/export.json?format=canonical</p>
      {markup.render(SAMPLE)}
      <p>扫码核验：</p><img style="width: 28mm" src="{qr_data_uri("https://example.org/verify/3f9a0c7e")}">
      <div class="fingerprint">SHA-256 指纹：{"3f9a0c7e" * 8}</div>"""
    data = render_pdf(page(body, title="会议纪要"), title="青梧苑小区第三次议事会会议纪要", footer=FINGERPRINT)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "pdf-sample.pdf").write_bytes(data)
    texts = pages_text(data)
    assert len(texts) >= 3
    assert all("序号房屋意见事项" in text for text in texts[:2])  # the header row, repeated
    if shutil.which("pdftoppm"):
        png = ARTIFACTS / "pdf-sample-1.png"
        png.unlink(missing_ok=True)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile", ARTIFACTS / "pdf-sample.pdf"]
            + [ARTIFACTS / "pdf-sample-1"],
            check=True,
            timeout=60,
        )
        assert png.stat().st_size > 10_000
