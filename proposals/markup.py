"""A proposal's text: Markdown source in, safe HTML out, and its blocks.

Pure Python (no Django): the import-linter contract in pyproject.toml forbids it.

Rendering is markdown-it-py's CommonMark with raw HTML off (typed HTML comes
out as text), plus tables and strikethrough; its output then goes through nh3
(the Ammonia sanitiser) allowing only the tags that rendering produces and
links to http, https and mailto. Two layers: either alone would already keep
a typed `<script>` inert.

A block is one top-level element of the source (a heading, a paragraph, a
whole list, a fenced code block, a table...), found from markdown-it's line
ranges: the unit an amendment replaces, inserts after or deletes. A heading
"第三条 ..." ("Article 3 ...") starts an article, which runs to the next
article heading or the next heading of the same or a higher level.
"""

import html
import re
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt

__all__ = ["Block", "render", "plain", "blocks", "join", "splice", "normalize", "OPS"]

OPS = ("replace", "insert_after", "delete")

_md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def _image_as_link(self, tokens, idx, options, env):
    """An image is shown as a link to it, its alt text the link's text: a
    resident's text embeds nothing (no tracking pixels, no size tricks)."""
    token = tokens[idx]
    alt = html.escape(self.renderInlineAsText(token.children or [], options, env))
    src = token.attrGet("src") or ""
    return f'<a href="{html.escape(str(src))}">{alt or html.escape(str(src))}</a>'


_md.add_render_rule("image", _image_as_link)

_TAGS = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "del",
    "s",
    "ins",
    "blockquote",
    "code",
    "pre",
    "br",
    "hr",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
_SCHEMES = {"http", "https", "mailto"}
_REL = "noopener noreferrer nofollow"
_ABSOLUTE_LINK = re.compile(r"(?:https?|mailto):", re.IGNORECASE)


def _attribute_filter(tag, attribute, value):
    # nh3 checks the scheme of absolute URLs; this also drops relative and
    # scheme-less ones, so that a link goes to http(s) or mail only.
    if attribute == "href" and not _ABSOLUTE_LINK.match(value.strip()):
        return None
    return value


def render(source):
    """Safe HTML of the Markdown source."""
    return nh3.clean(
        _md.render(source or ""),
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel=_REL,
        strip_comments=True,
        attribute_filter=_attribute_filter,
    )


def plain(source):
    """The text without its Markdown markup (for search and titles)."""
    text = nh3.clean(_md.render(source or ""), tags=set(), attributes={}, strip_comments=True)
    return html.unescape(text).strip()


# --- Blocks -------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    index: int
    kind: str  # heading, paragraph, list, quote, code, table, other
    text: str  # the block's exact source lines
    article: str | None  # "第三条", "Article 3"; None outside any article


_KINDS = {
    "heading_open": "heading",
    "paragraph_open": "paragraph",
    "bullet_list_open": "list",
    "ordered_list_open": "list",
    "blockquote_open": "quote",
    "fence": "code",
    "code_block": "code",
    "table_open": "table",
}
_NUMERAL = r"[一二三四五六七八九十百千零〇两0-9０-９]+"
_ARTICLE = re.compile(rf"\s*(?:(第)\s*({_NUMERAL})\s*(条)|(Article)\s+([0-9]+|[IVXLCDM]+)\b)", re.IGNORECASE)


def _lines(source):
    """The source's lines as markdown-it counts them."""
    return source.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _blank(line):
    return not line.strip(" \t")


def _article_label(inline):
    """The article a heading's text starts ("第三条", "Article 3"), or None."""
    text = "".join(child.content for child in inline.children or [] if child.type in ("text", "code_inline"))
    match = _ARTICLE.match(text)
    if not match:
        return None
    if match.group(1):
        return match.group(1) + match.group(2) + match.group(3)
    return f"Article {match.group(5)}"


def _spans(source):
    """[(start, end, kind, article), ...]: each top-level block's line range
    (end exclusive, trailing blank lines left out)."""
    lines = _lines(source)
    tokens = _md.parse("\n".join(lines))
    found = []
    for i, token in enumerate(tokens):
        if token.level != 0 or token.nesting == -1 or not token.map:
            continue
        start, end = token.map
        label = level = None
        if token.type == "heading_open":
            level = int(token.tag[1:])
            label = _article_label(tokens[i + 1])
        found.append([start, end, _KINDS.get(token.type, "other"), level, label])
    # Lines markdown-it keeps but shows no block for (link reference
    # definitions) are blocks too, so that nothing of the source is lost.
    covered = [False] * len(lines)
    for start, end, *_ in found:
        for k in range(start, min(end, len(lines))):
            covered[k] = True
    k = 0
    while k < len(lines):
        if covered[k] or _blank(lines[k]):
            k += 1
            continue
        start = k
        while k < len(lines) and not covered[k] and not _blank(lines[k]):
            k += 1
        found.append([start, k, "other", None, None])
    found.sort(key=lambda span: span[0])
    spans, article, article_level = [], None, None
    for start, end, kind, level, label in found:
        while end > start and _blank(lines[end - 1]):
            end -= 1
        if level is not None:
            if label is not None:
                article, article_level = label, level
            elif article_level is not None and level <= article_level:
                article = article_level = None
        spans.append((start, end, kind, article))
    return lines, spans


def blocks(source):
    """The top-level blocks of the Markdown source, in order."""
    lines, spans = _spans(source or "")
    return [
        Block(index, kind, "\n".join(lines[start:end]), article)
        for index, (start, end, kind, article) in enumerate(spans)
    ]


def join(block_texts):
    """Blocks back to source: separated by one blank line, ending with a newline."""
    texts = [text.strip("\n") for text in block_texts]
    return "\n\n".join(text for text in texts if text) + "\n" if any(texts) else ""


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalize(text):
    """Typed or pasted text as it is stored: LF line ends, no trailing
    whitespace on any line, no blank lines before or after, no control
    characters (a NUL cannot be stored by PostgreSQL)."""
    text = _CONTROL.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n"))
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def one_line(text):
    """One line a person typed, as stored: normalised (no control characters),
    line breaks turned into spaces, spaces at the ends trimmed."""
    return " ".join(normalize(text).split("\n")).strip()


def splice(source, index, op, text=""):
    """The source with one amendment applied to block `index`: "replace"
    (the block becomes `text`), "insert_after" (`text` becomes a new block
    after it; index -1: at the start) or "delete" (`text` ignored). The rest
    of the source is kept as it is. ValueError for an unknown op, an index
    out of range, an empty text, or a text that would not stay blocks of its
    own (it would merge with its neighbours or, as an unclosed code fence,
    swallow the rest of the text)."""
    if op not in OPS:
        raise ValueError(f"unknown amendment op {op!r}: expected one of {', '.join(OPS)}")
    lines, spans = _spans(source or "")
    low = -1 if op == "insert_after" else 0
    if isinstance(index, bool) or not isinstance(index, int) or not low <= index < len(spans):
        raise ValueError(
            f"block index {index!r} out of range for {op}: the text has {len(spans)} blocks "
            f"(valid: {low} to {len(spans) - 1})"
        )
    if op == "delete":
        new_lines = []
    else:
        text = normalize(text)
        if not text:
            raise ValueError(f"the text for {op} is empty")
        new_lines = text.split("\n")
    if op == "insert_after":
        cut = spans[index][1] if index >= 0 else 0
        before, after = lines[:cut], lines[cut:]
    else:
        start, end = spans[index][:2]
        before, after = lines[:start], lines[end:]
    # Drop the blank lines at the seam and put back exactly one where text
    # meets text, so blocks neither merge nor drift apart.
    while before and _blank(before[-1]):
        before.pop()
    while after and _blank(after[0]):
        after.pop(0)
    while after and _blank(after[-1]):
        after.pop()
    parts = [part for part in (before, new_lines, after) if part]
    out = []
    for part in parts:
        if out:
            out.append("")
        out.extend(part)
    result = "\n".join(out) + "\n" if out else ""
    if op == "delete":
        return result  # what is left may join up (two lists once apart), as the deletion means
    kept = [b.text for b in blocks(source)]
    expected = kept[: index + 1] if op == "insert_after" else kept[:index]
    expected += [b.text for b in blocks(text)]
    expected += kept[index + 1 :]
    if [b.text for b in blocks(result)] != expected:
        raise ValueError(
            f"the text for {op} at block {index} would not stay blocks of its own: it would merge with the "
            "blocks around it (a list next to a list, an unclosed code fence); amend the neighbouring block instead"
        )
    return result
