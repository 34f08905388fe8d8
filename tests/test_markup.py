"""proposals/markup.py: Markdown source in, safe HTML out, and blocks for amendments."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proposals import markup
from proposals.markup import Block

SAMPLE = (Path(__file__).parent / "data" / "convention-sample.md").read_text(encoding="utf-8")

# --- Rendering -----------------------------------------------------------------------

RENDERED = [
    ("title", "# 青梧苑小区居民公约", "<h1>青梧苑小区居民公约</h1>"),
    ("article-heading", "## 第一条 文明养犬", "<h2>第一条 文明养犬</h2>"),
    ("paragraph", "养犬住户应依法办理养犬登记。", "<p>养犬住户应依法办理养犬登记。</p>"),
    ("strong-and-em", "**严禁**飞线充电，*即时*清理", "<p><strong>严禁</strong>飞线充电，<em>即时</em>清理</p>"),
    ("strikethrough", "~~4小时~~", "<p><s>4小时</s></p>"),
    ("bullet-list", "- 可回收物\n- 有害垃圾", "<ul>\n<li>可回收物</li>\n<li>有害垃圾</li>\n</ul>"),
    ("numbered-list", "1. 申报\n2. 施工", "<ol>\n<li>申报</li>\n<li>施工</li>\n</ol>"),
    ("numbered-from-three", "3. 验收", '<ol start="3">\n<li>验收</li>\n</ol>'),
    ("quote", "> 引自街道通知", "<blockquote>\n<p>引自街道通知</p>\n</blockquote>"),
    ("code-escaped", "```\na < b\n```", "<pre><code>a &lt; b\n</code></pre>"),
    (
        "link-with-rel",
        "[通知](https://example.org/n)",
        '<p><a href="https://example.org/n" rel="noopener noreferrer nofollow">通知</a></p>',
    ),
    (
        "mailto-autolink",
        "<mailto:wy@example.org>",
        '<p><a href="mailto:wy@example.org" rel="noopener noreferrer nofollow">mailto:wy@example.org</a></p>',
    ),
    ("relative-link-loses-href", "[首页](/home)", '<p><a rel="noopener noreferrer nofollow">首页</a></p>'),
    (
        "image-becomes-link",
        "![平面图](https://example.org/plan.png)",
        '<p><a href="https://example.org/plan.png" rel="noopener noreferrer nofollow">平面图</a></p>',
    ),
    (
        "table-without-style",
        "| 时间 | 内容 |\n|:--|--:|\n| 7:00 | 投放 |",
        "<table>\n<thead>\n<tr>\n<th>时间</th>\n<th>内容</th>\n</tr>\n</thead>\n"
        "<tbody>\n<tr>\n<td>7:00</td>\n<td>投放</td>\n</tr>\n</tbody>\n</table>",
    ),
    ("hard-break", "第一行\\\n第二行", "<p>第一行<br>\n第二行</p>"),
    ("hr", "---", "<hr>"),
    ("empty", "", ""),
]


@pytest.mark.parametrize("source, expected", [c[1:] for c in RENDERED], ids=[c[0] for c in RENDERED])
def test_render(source, expected):
    assert markup.render(source).strip() == expected


def test_render_sample_convention():
    out = markup.render(SAMPLE)
    assert out.count("<h2>") == 10
    assert "<h2>第三条 电动自行车停放与充电</h2>" in out
    assert "长度不超过1.5米" in out


# --- Hostile input ----------------------------------------------------------------------

ALLOWED_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "del", "s", "ins"}
ALLOWED_TAGS |= {"blockquote", "code", "pre", "br", "hr", "a", "table", "thead", "tbody", "tr", "th", "td"}
ALLOWED_ATTRIBUTES = {"href", "title", "rel", "start"}


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    handle_startendtag = handle_starttag


def assert_inert(out):
    """Nothing in `out` runs: only the allowed tags, no event handler or style
    attribute, links only to http(s) and mail."""
    lowered = out.lower()
    for needle in ("<script", "<iframe", "<img", "<svg", "<object", "<embed", "<style", "<form", "<div", "<span"):
        assert needle not in lowered, needle
    assert not re.search(r"<[^>]*\son\w+\s*=", out, re.IGNORECASE), "event handler in a tag"
    assert not re.search(r"<[^>]*\sstyle\s*=", out, re.IGNORECASE), "style attribute"
    parser = _Elements()
    parser.feed(out)
    parser.close()
    for tag, attrs in parser.elements:
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs:
            assert name in ALLOWED_ATTRIBUTES, (tag, name)
            if name == "href":
                assert re.match(r"(https?|mailto):", value), value
            assert "javascript:" not in (value or "").lower().replace("\n", "").replace("\t", "")


HOSTILE = [
    ("script-tag", "<script>alert(1)</script>"),
    ("script-in-paragraph", "看这里 <script>alert(1)</script> 完"),
    ("img-onerror", "<img src=x onerror=alert(1)>"),
    ("svg-onload", "<svg onload=alert(1)>"),
    ("event-handler-raw-block", '<div onclick="alert(1)">点我</div>'),
    ("iframe", '<iframe src="https://evil.example/"></iframe>'),
    ("style-block-and-attribute", '<style>body{display:none}</style><p style="position:fixed">x</p>'),
    ("inline-span-style", '文字 <span style="color:red">红</span>'),
    ("raw-a-javascript", '<a href="javascript:alert(1)">点我</a>'),
    ("raw-a-entity-javascript", '<a href="&#106;avascript:alert(1)">点我</a>'),
    ("raw-form", '<form action="javascript:alert(1)"><button>提交</button></form>'),
    ("javascript-link", "[点我](javascript:alert(1))"),
    ("mixed-case-scheme", "[点我](jAvAsCrIpT:alert(1))"),
    ("entity-scheme-decimal", "[点我](&#106;avascript:alert(1))"),
    ("entity-scheme-hex-and-colon", "[点我](&#x6A;avascript&#58;alert(1))"),
    ("entity-colon-named", "[点我](JaVaScRiPt&colon;alert(1))"),
    ("spaces-around-scheme", "[点我]( javascript:alert(1) )"),
    ("angle-destination", "[点我](<javascript:alert(1)>)"),
    ("autolink-javascript", "<javascript:alert(1)>"),
    ("vbscript-link", "[点我](vbscript:msgbox(1))"),
    ("data-html-link", "[点我](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"),
    ("reference-javascript", "[点我][x]\n\n[x]: javascript:alert(1)"),
    ("reference-entity", "[点我][x]\n\n[x]: &#106;avascript:alert(1)"),
    ("reference-data", '[点我][x]\n\n[x]: data:text/html,<script>alert(1)</script> "t"'),
    ("image-data-src", "![图](data:image/png;base64,iVBORw0KGgo=)"),
    ("image-onerror-title", '![图](https://example.org/x.png "onerror=alert(1)")'),
    ("image-alt-breakout", '![x" onerror="alert(1)](https://example.org/x.png)'),
    ("image-javascript", "![图](javascript:alert(1))"),
    ("link-title-breakout", '[x](https://example.org/ "t" onmouseover="alert(1)")'),
    ("destination-quote-breakout", '[x](https://example.org/"onmouseover=alert(1))'),
    ("nested-script", "<scr<script>ipt>alert(1)</scr</script>ipt>"),
    ("comment-then-script", "<!-- x --><script>alert(1)</script>"),
    ("script-in-table", "| a |\n|---|\n| <script>alert(1)</script> |"),
    ("script-in-code", "```\n<script>alert(1)</script>\n```"),
    ("script-in-list-and-quote", "- <img src=x onerror=alert(1)>\n\n> <iframe src=x>"),
    ("null-byte-scheme", "[x](java\x00script:alert(1))"),
]


@pytest.mark.parametrize("source", [c[1] for c in HOSTILE], ids=[c[0] for c in HOSTILE])
def test_hostile_input_comes_out_inert(source):
    assert_inert(markup.render(source))
    markup.plain(source)  # and plain text of it does not fail


def test_raw_html_is_shown_as_text():
    assert markup.render("<b>粗</b>").strip() == "<p>&lt;b&gt;粗&lt;/b&gt;</p>"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(list("<>\"'=/ &#;:()[]!`*\n") + ["script", "onerror", "javascript", "img", "a href", "&#106;"]),
        max_size=40,
    ).map("".join)
)
def test_generated_markup_soup_is_inert(source):
    assert_inert(markup.render(source))


# --- Plain text --------------------------------------------------------------------------

PLAIN = [
    ("markup-removed", "## 第一条 **文明**养犬", "第一条 文明养犬"),
    ("link-text-kept", "见[通知](https://example.org)", "见通知"),
    ("entities-once", "A &amp; B", "A & B"),
    ("escaped-html-stays-text", "<b>不是粗体</b>", "<b>不是粗体</b>"),
    ("double-escaped-once", "&amp;lt;", "&lt;"),
    ("lines", "# 标题\n\n正文", "标题\n正文"),
]


@pytest.mark.parametrize("source, expected", [c[1:] for c in PLAIN], ids=[c[0] for c in PLAIN])
def test_plain(source, expected):
    assert markup.plain(source) == expected


# --- Blocks ------------------------------------------------------------------------------


def test_blocks_of_the_sample_convention():
    found = markup.blocks(SAMPLE)
    assert len(found) == 22
    assert [b.index for b in found] == list(range(22))
    assert found[0] == Block(0, "heading", "# 青梧苑小区居民公约（草案）", None)
    assert found[1].kind == "paragraph" and found[1].article is None
    assert found[2] == Block(2, "heading", "## 第一条 文明养犬", "第一条")
    assert found[3].kind == "paragraph" and found[3].article == "第一条"
    assert "长度不超过1.5米" in found[3].text
    assert [b.article for b in found[2::2]] == [f"第{n}条" for n in "一二三四五六七八九十"]
    assert all(b.kind == "heading" for b in found[2::2])
    assert all(b.kind == "paragraph" for b in found[3::2])
    assert found[21] == Block(21, "paragraph", "本公约自表决通过并公布之日起施行。", "第十条")
    assert all(b.text in SAMPLE for b in found)


KINDS = [
    ("multi-line-paragraph", "第一行\n第二行\n\n第二段", [("paragraph", "第一行\n第二行"), ("paragraph", "第二段")]),
    (
        "whole-list",
        "- 甲\n- 乙\n\n  续行\n- 丙\n\n之后",
        [("list", "- 甲\n- 乙\n\n  续行\n- 丙"), ("paragraph", "之后")],
    ),
    ("ordered-list", "1. 甲\n2. 乙", [("list", "1. 甲\n2. 乙")]),
    ("fenced-code-with-blank-line", "```\na\n\nb\n```\n\n\n", [("code", "```\na\n\nb\n```")]),
    ("indented-code", "    code\n\n正文", [("code", "    code"), ("paragraph", "正文")]),
    ("quote-with-lazy-line", "> 引文\n续行\n\n正文", [("quote", "> 引文\n续行"), ("paragraph", "正文")]),
    ("table", "| a | b |\n|---|---|\n| 1 | 2 |", [("table", "| a | b |\n|---|---|\n| 1 | 2 |")]),
    ("hr-is-other", "甲\n\n---\n\n乙", [("paragraph", "甲"), ("other", "---"), ("paragraph", "乙")]),
    (
        "reference-definition-kept",
        "见[通知][n]\n\n[n]: https://example.org/n",
        [("paragraph", "见[通知][n]"), ("other", "[n]: https://example.org/n")],
    ),
    ("setext-heading", "标题\n===\n正文", [("heading", "标题\n==="), ("paragraph", "正文")]),
    ("heading-then-paragraph-no-blank", "## 第一条\n正文", [("heading", "## 第一条"), ("paragraph", "正文")]),
    ("crlf", "甲\r\n乙\r\n\r\n丙\r\n", [("paragraph", "甲\n乙"), ("paragraph", "丙")]),
    ("raw-html-is-a-paragraph", "<div>\n甲\n</div>", [("paragraph", "<div>\n甲\n</div>")]),
    ("empty", "", []),
    ("blank-only", "\n  \n\t\n", []),
]


@pytest.mark.parametrize("source, expected", [c[1:] for c in KINDS], ids=[c[0] for c in KINDS])
def test_block_kinds_and_texts(source, expected):
    assert [(b.kind, b.text) for b in markup.blocks(source)] == expected


ARTICLES = [
    ("digits", "## 第12条 附则\n\n正文", ["第12条", "第12条"]),
    ("spaced-numeral", "## 第 三 条\n\n正文", ["第三条", "第三条"]),
    ("bold-numeral", "## **第二十一条** 罚则\n\n正文", ["第二十一条", "第二十一条"]),
    ("article-n", "## Article 3 Pets\n\nText", ["Article 3", "Article 3"]),
    ("before-first-article", "# 公约\n\n序言\n\n## 第一条\n\n正文", [None, None, "第一条", "第一条"]),
    ("subheading-stays-in-article", "## 第一条\n\n### 细则\n\n正文", ["第一条", "第一条", "第一条"]),
    ("same-level-heading-ends-it", "## 第一条\n\n甲\n\n## 附件\n\n乙", ["第一条", "第一条", None, None]),
    ("higher-level-heading-ends-it", "### 第一条\n\n甲\n\n## 第二章\n\n乙", ["第一条", "第一条", None, None]),
    (
        "chapters-and-articles",
        "## 第一章 总则\n\n### 第一条\n\n甲\n\n### 第二条\n\n乙\n\n## 第二章\n\n丙",
        [None, "第一条", "第一条", "第二条", "第二条", None, None],
    ),
    ("paragraph-starting-with-article-is-not-a-heading", "第一条 正文\n\n第二条 正文", [None, None]),
    ("not-an-article", "## 第一章\n\n正文", [None, None]),
]


@pytest.mark.parametrize("source, expected", [c[1:] for c in ARTICLES], ids=[c[0] for c in ARTICLES])
def test_articles(source, expected):
    assert [b.article for b in markup.blocks(source)] == expected


def test_join():
    assert markup.join(["# 标题", "正文\n", "- 甲\n- 乙"]) == "# 标题\n\n正文\n\n- 甲\n- 乙\n"
    assert markup.join([]) == ""


def test_join_round_trip_of_the_sample():
    texts = [b.text for b in markup.blocks(SAMPLE)]
    assert markup.join(texts) == SAMPLE  # the sample is already in this form
    assert [b.text for b in markup.blocks(markup.join(texts))] == texts


# Markdown made of lines a convention has: headings, paragraphs, list items,
# quotes, fences, tables, reference definitions, rules, and blank lines.
LINES = st.sampled_from(
    [
        "",
        "",
        "# 公约",
        "## 第一条 文明养犬",
        "### 细则",
        "养犬住户应依法办理养犬登记。",
        "续行文字",
        "- 可回收物",
        "* 有害垃圾",
        "1. 申报",
        "2. 施工",
        "  缩进续行",
        "    缩进代码",
        "> 引文",
        "```",
        "~~~",
        "| a | b |",
        "|---|---|",
        "[n]: https://example.org/n",
        "见[通知][n]",
        "---",
        "===",
        "<div>",
        "\t制表",
    ]
)
SOURCES = st.lists(LINES, max_size=14).map("\n".join)


@settings(max_examples=500, deadline=None)
@given(SOURCES)
def test_join_round_trip_of_generated_sources(source):
    texts = [b.text for b in markup.blocks(source)]
    assert all(text.strip() for text in texts)
    assert [b.text for b in markup.blocks(markup.join(texts))] == texts


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_blocks_never_fail_and_never_lose_a_line(source):
    found = markup.blocks(source)
    kept = "\n".join(b.text for b in found)
    for line in source.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip(" \t"):
            assert line in kept


# --- Normalising and splicing -------------------------------------------------------------

NORMALIZED = [
    ("crlf", "甲\r\n乙\r丙", "甲\n乙\n丙"),
    ("trailing-whitespace", "甲  \n乙\t\n", "甲\n乙"),
    ("blank-lines-around", "\n\n  \n甲\n\n", "甲"),
    ("leading-indent-kept", "    code", "    code"),
    ("control-characters", "甲\x00乙\x07丙", "甲乙丙"),
    ("nothing", "  \n\t", ""),
    ("none", None, ""),
]


@pytest.mark.parametrize("text, expected", [c[1:] for c in NORMALIZED], ids=[c[0] for c in NORMALIZED])
def test_normalize(text, expected):
    assert markup.normalize(text) == expected


SMALL = "# 公约\n\n## 第一条 养犬\n\n束犬绳。\n\n## 第二条 垃圾\n\n分类投放。\n"

SPLICES = [
    (
        "replace",
        2,
        "replace",
        "束犬绳，长度不超过2米。",
        "# 公约\n\n## 第一条 养犬\n\n束犬绳，长度不超过2米。\n\n## 第二条 垃圾\n\n分类投放。\n",
    ),
    (
        "replace-first",
        0,
        "replace",
        "# 居民公约",
        "# 居民公约\n\n## 第一条 养犬\n\n束犬绳。\n\n## 第二条 垃圾\n\n分类投放。\n",
    ),
    (
        "replace-last",
        4,
        "replace",
        "分类投放，定时定点。",
        "# 公约\n\n## 第一条 养犬\n\n束犬绳。\n\n## 第二条 垃圾\n\n分类投放，定时定点。\n",
    ),
    (
        "insert-after",
        2,
        "insert_after",
        "及时清理粪便。",
        "# 公约\n\n## 第一条 养犬\n\n束犬绳。\n\n及时清理粪便。\n\n## 第二条 垃圾\n\n分类投放。\n",
    ),
    (
        "insert-at-start",
        -1,
        "insert_after",
        "序言。",
        "序言。\n\n# 公约\n\n## 第一条 养犬\n\n束犬绳。\n\n## 第二条 垃圾\n\n分类投放。\n",
    ),
    (
        "insert-at-end",
        4,
        "insert_after",
        "## 第三条 生效",
        "# 公约\n\n## 第一条 养犬\n\n束犬绳。\n\n## 第二条 垃圾\n\n分类投放。\n\n## 第三条 生效\n",
    ),
    (
        "insert-two-blocks",
        2,
        "insert_after",
        "甲。\n\n乙。",
        "# 公约\n\n## 第一条 养犬\n\n束犬绳。\n\n甲。\n\n乙。\n\n## 第二条 垃圾\n\n分类投放。\n",
    ),
    ("delete", 2, "delete", "", "# 公约\n\n## 第一条 养犬\n\n## 第二条 垃圾\n\n分类投放。\n"),
    ("delete-ignores-text", 0, "delete", "whatever", "## 第一条 养犬\n\n束犬绳。\n\n## 第二条 垃圾\n\n分类投放。\n"),
    ("delete-last", 4, "delete", "", "# 公约\n\n## 第一条 养犬\n\n束犬绳。\n\n## 第二条 垃圾\n"),
    (
        "text-normalised",
        2,
        "replace",
        "束犬绳。  \r\n牵领。\r\n\r\n",
        "# 公约\n\n## 第一条 养犬\n\n束犬绳。\n牵领。\n\n## 第二条 垃圾\n\n分类投放。\n",
    ),
]


@pytest.mark.parametrize("index, op, text, expected", [c[1:] for c in SPLICES], ids=[c[0] for c in SPLICES])
def test_splice(index, op, text, expected):
    assert markup.splice(SMALL, index, op, text) == expected


def test_splice_keeps_the_rest_of_the_source_as_it_is():
    source = "# 公约\n\n\n## 第一条\n正文一\n\n\n\n## 第二条\n正文二"
    out = markup.splice(source, 2, "replace", "新正文一")
    assert out == "# 公约\n\n\n## 第一条\n\n新正文一\n\n## 第二条\n正文二\n"
    assert [b.article for b in markup.blocks(out)] == [None, "第一条", "第一条", "第二条", "第二条"]


def test_splice_the_sample_keeps_articles():
    out = markup.splice(SAMPLE, 3, "replace", markup.blocks(SAMPLE)[3].text.replace("1.5米", "2米"))
    before, after = markup.blocks(SAMPLE), markup.blocks(out)
    assert len(after) == len(before)
    assert [b.article for b in after] == [b.article for b in before]
    assert "长度不超过2米" in after[3].text
    assert [b.text for b in after if b.index != 3] == [b.text for b in before if b.index != 3]


LISTS = "- 甲\n\n段落\n\n- 乙\n"

SPLICE_ERRORS = [
    ("index-too-high", SMALL, 5, "replace", "x", "out of range"),
    ("index-negative-replace", SMALL, -1, "replace", "x", "out of range"),
    ("index-negative-delete", SMALL, -1, "delete", "", "out of range"),
    ("index-too-low-insert", SMALL, -2, "insert_after", "x", "out of range"),
    ("index-not-int", SMALL, "2", "replace", "x", "out of range"),
    ("index-bool", SMALL, True, "replace", "x", "out of range"),
    ("unknown-op", SMALL, 1, "append", "x", "unknown amendment op"),
    ("op-case", SMALL, 1, "Replace", "x", "unknown amendment op"),
    ("op-none", SMALL, 1, None, "x", "unknown amendment op"),
    ("empty-replace", SMALL, 1, "replace", "  \r\n ", "empty"),
    ("empty-insert", SMALL, 1, "insert_after", "", "empty"),
    ("unclosed-fence-swallows-the-rest", SMALL, 2, "replace", "```\n代码", "blocks of its own"),
    ("list-merges-with-lists", LISTS, 1, "replace", "- 丙", "blocks of its own"),
]


@pytest.mark.parametrize(
    "source, index, op, text, message", [c[1:] for c in SPLICE_ERRORS], ids=[c[0] for c in SPLICE_ERRORS]
)
def test_splice_errors(source, index, op, text, message):
    with pytest.raises(ValueError, match=message):
        markup.splice(source, index, op, text)


def test_deleting_between_two_lists_joins_them():
    # A deletion may let its neighbours join up: that is what deleting means.
    assert markup.splice(LISTS, 1, "delete") == "- 甲\n\n- 乙\n"


def test_splice_of_an_empty_source():
    assert markup.splice("", -1, "insert_after", "第一段") == "第一段\n"
    with pytest.raises(ValueError, match="out of range"):
        markup.splice("", 0, "replace", "x")


@settings(max_examples=300, deadline=None)
@given(SOURCES, st.data())
def test_splicing_a_block_with_its_own_text_changes_no_block(source, data):
    found = markup.blocks(source)
    if not found:
        return
    index = data.draw(st.integers(0, len(found) - 1))
    out = markup.splice(source, index, "replace", found[index].text)
    assert [b.text for b in markup.blocks(out)] == [b.text for b in found]
    texts = [b.text for b in found]
    try:
        out = markup.splice(source, index, "insert_after", "新增一段。")
    except ValueError:
        # only after a code fence left open, which takes in all that follows
        assert found[index].kind == "code" and index == len(found) - 1
    else:
        assert [b.text for b in markup.blocks(out)] == [*texts[: index + 1], "新增一段。", *texts[index + 1 :]]
