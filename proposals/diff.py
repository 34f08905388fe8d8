"""Diffs of a proposal's text that read naturally in Chinese and Latin text.

Pure Python (no Django): the import-linter contract in pyproject.toml forbids it.

A diff works on tokens, not characters: each CJK ideograph and each CJK
punctuation mark is a token (Chinese has no spaces, and one changed character
must stay one character marked), a word of an alphabetic script is one token
("colour" -> "color" replaces a word, not the letter u), and a number with its
decimal points, thousands separators and time colons is one token ("1.5" ->
"2", "22:00" -> "21:30").

The token sequences are compared with Google's diff-match-patch, as its own
line mode does with lines: each distinct token becomes one character, the
strings are diffed, the characters decoded. Chosen over difflib because
diff-match-patch computes a minimal diff (Myers), where difflib's
longest-block heuristic can match a common character far away and shred a
short sentence; and because its `diff_cleanupSemantic` is the well-tested
fold of short unchanged runs between two changes ("eliminate an equality no
longer than the edits on both sides"), which would otherwise be written here.
Single-character tokens are encoded as themselves, so its word-boundary
scoring (line breaks, spaces, punctuation) still sees what they are; words
and numbers get rare CJK ideographs that neither text uses (alphanumeric, as
words and numbers are). The fold never swallows a line break: the cleanup
runs separately on the pieces between unchanged newlines.
"""

import difflib
import html as _html
import unicodedata

from diff_match_patch import diff_match_patch

__all__ = ["tokens", "diff", "html", "similarity", "block_diff", "flatten"]

EQUAL, DELETE, INSERT = "=", "-", "+"
_OPS = {diff_match_patch.DIFF_EQUAL: EQUAL, diff_match_patch.DIFF_DELETE: DELETE, diff_match_patch.DIFF_INSERT: INSERT}

# Up to this many tokens on both sides together the diff is exact and the same
# on every machine (no time limit, no half-match shortcut): any block of a
# convention, at worst some 0.3 s for two unrelated texts. Above, diff-match-
# patch's one-second limit keeps a pasted novel from holding a worker (the
# diff is then still correct, but may be less than minimal).
_EXACT_TOKENS = 1500
# Two blocks are "the same block, changed" when this much of them is shared.
SIMILAR = 0.5
# Pairing deleted with inserted blocks compares each with each up to this many pairs.
_MAX_PAIRINGS = 900

# Characters of scripts written without spaces between words: each is its own token.
_NO_SPACE_SCRIPTS = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x2E80, 0x2FDF),  # CJK radicals, Kangxi radicals
    (0x3000, 0x303F),  # CJK symbols and punctuation (〇, 々)
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3100, 0x312F),  # Bopomofo
    (0x31A0, 0x31FF),  # Bopomofo extended, Katakana extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # half-width Katakana
    (0x20000, 0x3FFFF),  # CJK extensions B and later
)
_NUMBER_SEPARATORS = ".,:"
_APOSTROPHES = "'\u2019"
_NEWLINES = "\r\n"


def _no_space(ch):
    code = ord(ch)
    return any(low <= code <= high for low, high in _NO_SPACE_SCRIPTS)


def _is_letter(ch):
    return unicodedata.category(ch)[0] == "L" and not _no_space(ch)


def _is_digit(ch):
    return unicodedata.category(ch) == "Nd"


def _is_mark(ch):
    return unicodedata.category(ch)[0] == "M"


def tokens(text):
    """The units a diff works on; `"".join(tokens(text)) == text`.

    Each newline character is a token; a run of other whitespace is one; a
    number (digits with ".", "," or ":" between digits) is one; a word of an
    alphabetic script (with an apostrophe between letters: "don't") is one;
    every other character (a CJK ideograph, any punctuation) is one, with the
    combining marks that follow it."""
    out = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        j = i + 1
        if ch in _NEWLINES:
            out.append(ch)
            i = j
            continue
        if ch.isspace():
            while j < n and text[j].isspace() and text[j] not in _NEWLINES:
                j += 1
            out.append(text[i:j])
            i = j
            continue
        if _is_digit(ch):
            while j < n:
                if _is_digit(text[j]):
                    j += 1
                elif text[j] in _NUMBER_SEPARATORS and j + 1 < n and _is_digit(text[j + 1]):
                    j += 2
                else:
                    break
        elif _is_letter(ch):
            while j < n:
                if _is_letter(text[j]) or _is_mark(text[j]):
                    j += 1
                elif text[j] in _APOSTROPHES and j + 1 < n and _is_letter(text[j + 1]):
                    j += 2
                else:
                    break
        while j < n and _is_mark(text[j]):
            j += 1
        out.append(text[i:j])
        i = j
    return out


def _normalise(ops):
    """Drop empty pieces, merge neighbours with the same op, and within each
    run of changes between two unchanged pieces put the deletion first."""
    out, deleted, inserted = [], [], []

    def flush():
        if deleted:
            out.append((DELETE, "".join(deleted)))
        if inserted:
            out.append((INSERT, "".join(inserted)))
        deleted.clear()
        inserted.clear()

    for op, text in ops:
        if not text:
            continue
        if op == EQUAL:
            flush()
            if out and out[-1][0] == EQUAL:
                out[-1] = (EQUAL, out[-1][1] + text)
            else:
                out.append((EQUAL, text))
        elif op == DELETE:
            deleted.append(text)
        elif op == INSERT:
            inserted.append(text)
        else:
            raise ValueError(f"unknown diff op {op!r}: expected '=', '-' or '+'")
    flush()
    return out


# Code points for tokens longer than one character: CJK ideographs of the
# extension blocks, so that diff-match-patch's boundary scoring takes a word
# or a number for what it is, alphanumeric (a private-use character would
# count as punctuation, and an inserted word would cling to the wrong space).
_WORD_CODES = ((0x20000, 0x2A6DF), (0x2A700, 0x2B738), (0x2B740, 0x2B81D), (0x2B820, 0x2CEA1), (0x2CEB0, 0x2EBE0))


def _encode(old_tokens, new_tokens):
    """Both token lists as strings of one character per token, and the map
    back. A one-character token stands for itself; a longer one gets a code
    point that is not a one-character token of either text."""
    taken = {tok for toks in (old_tokens, new_tokens) for tok in toks if len(tok) == 1}
    codes = (chr(code) for low, high in _WORD_CODES for code in range(low, high + 1) if chr(code) not in taken)
    encode, decode = {tok: tok for tok in taken}, {tok: tok for tok in taken}
    strings = []
    for toks in (old_tokens, new_tokens):
        chars = []
        for tok in toks:
            char = encode.get(tok)
            if char is None:
                char = next(codes)  # StopIteration past some 60,000 distinct words and numbers
                encode[tok], decode[char] = char, tok
            chars.append(char)
        strings.append("".join(chars))
    return strings[0], strings[1], decode


def _split_at_newlines(diffs):
    """The raw diff cut into pieces at unchanged newlines: [piece, newline
    equality, piece, ...], so that the semantic cleanup never folds a line
    break into a change."""
    pieces, current = [], []
    for op, text in diffs:
        cut = [i for i, ch in enumerate(text) if ch in _NEWLINES] if op == diff_match_patch.DIFF_EQUAL else []
        if not cut:
            current.append((op, text))
            continue
        first, last = cut[0], cut[-1] + 1
        if first:
            current.append((op, text[:first]))
        pieces.append(current)
        pieces.append([(op, text[first:last])])
        current = [(op, text[last:])] if last < len(text) else []
    pieces.append(current)
    return pieces


def diff(old, new):
    """[(op, text), ...] in reading order, op "=" (unchanged), "-" (deleted) or
    "+" (inserted); a replacement is "-" then "+". The "=" and "-" texts joined
    give `old`, the "=" and "+" texts `new`."""
    old_tokens, new_tokens = tokens(old), tokens(new)
    try:
        a, b, decode = _encode(old_tokens, new_tokens)
    except StopIteration:
        return _normalise([(DELETE, old), (INSERT, new)])
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0 if len(old_tokens) + len(new_tokens) <= _EXACT_TOKENS else 1.0
    raw = dmp.diff_main(a, b, checklines=False)
    cleaned = []
    for piece in _split_at_newlines(raw):
        if len(piece) > 1:
            dmp.diff_cleanupSemantic(piece)
        cleaned.extend(piece)
    return _normalise((_OPS[op], "".join(decode[ch] for ch in text)) for op, text in cleaned)


def html(ops):
    """The ops as HTML: unchanged text as is, deletions in <del>, insertions in
    <ins>, every piece escaped; newlines stay "\\n" (shown with white-space:
    pre-wrap)."""
    out = []
    for op, text in ops:
        escaped = _html.escape(text)
        if op == EQUAL:
            out.append(escaped)
        elif op == DELETE:
            out.append(f"<del>{escaped}</del>")
        elif op == INSERT:
            out.append(f"<ins>{escaped}</ins>")
        else:
            raise ValueError(f"unknown diff op {op!r}: expected '=', '-' or '+'")
    return "".join(out)


def similarity(old, new):
    """How much of two texts is shared, 0 to 1, on tokens (difflib's ratio)."""
    matcher = difflib.SequenceMatcher(None, tokens(old), tokens(new), autojunk=False)
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
        return matcher.quick_ratio()
    return matcher.ratio()


def _pair(old_blocks, new_blocks):
    """Deleted and inserted blocks of one changed region, in reading order:
    similar ones paired as "~" (order kept, the pairing that shares most),
    the others "-" before "+"."""
    n, m = len(old_blocks), len(new_blocks)
    out = []
    if n * m > _MAX_PAIRINGS:  # too many to compare each with each: pair by position
        pairs = [(k, k) for k in range(min(n, m)) if similarity(old_blocks[k], new_blocks[k]) >= SIMILAR]
    else:
        sim = [[similarity(a, b) for b in new_blocks] for a in old_blocks]
        best = [[0.0] * (m + 1) for _ in range(n + 1)]
        for i in range(n - 1, -1, -1):
            for j in range(m - 1, -1, -1):
                score = max(best[i + 1][j], best[i][j + 1])
                if sim[i][j] >= SIMILAR:
                    score = max(score, sim[i][j] + best[i + 1][j + 1])
                best[i][j] = score
        pairs, i, j = [], 0, 0
        while i < n and j < m:
            if sim[i][j] >= SIMILAR and best[i][j] == sim[i][j] + best[i + 1][j + 1]:
                pairs.append((i, j))
                i, j = i + 1, j + 1
            elif best[i][j] == best[i + 1][j]:
                i += 1
            else:
                j += 1
    i = j = 0
    for pi, pj in [*pairs, (n, m)]:
        out.extend((DELETE, [(DELETE, text)]) for text in old_blocks[i:pi])
        out.extend((INSERT, [(INSERT, text)]) for text in new_blocks[j:pj])
        if pi < n:
            out.append(("~", diff(old_blocks[pi], new_blocks[pj])))
        i, j = pi + 1, pj + 1
    return out


def block_diff(old_blocks, new_blocks):
    """Two versions of a text as lists of blocks, aligned: [(kind, ops), ...]
    in reading order, kind "=" (unchanged), "-" (deleted), "+" (inserted) or
    "~" (changed, with the inner diff of the block as its ops)."""
    out = []
    matcher = difflib.SequenceMatcher(None, old_blocks, new_blocks, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend((EQUAL, [(EQUAL, text)]) for text in old_blocks[i1:i2])
        elif tag == "delete":
            out.extend((DELETE, [(DELETE, text)]) for text in old_blocks[i1:i2])
        elif tag == "insert":
            out.extend((INSERT, [(INSERT, text)]) for text in new_blocks[j1:j2])
        else:
            out.extend(_pair(old_blocks[i1:i2], new_blocks[j1:j2]))
    return out


def flatten(block_ops, separator="\n\n"):
    """One reading-order op list for the whole text: the blocks' ops joined by
    separators. A separator is unchanged between two blocks both versions
    have, and goes with an inserted or deleted block otherwise, so the "="
    and "-" texts still join to the old blocks joined by `separator`, and the
    "=" and "+" texts to the new."""
    ops, in_old, in_new = [], False, False
    for kind, block in block_ops:
        old_side, new_side = kind != INSERT, kind != DELETE
        sep_old, sep_new = old_side and in_old, new_side and in_new
        if sep_old and sep_new:
            ops.append((EQUAL, separator))
        elif sep_old:
            ops.append((DELETE, separator))
        elif sep_new:
            ops.append((INSERT, separator))
        ops.extend(block)
        in_old, in_new = in_old or old_side, in_new or new_side
    return _normalise(ops)
