"""proposals/diff.py: token diffs that read naturally in Chinese and Latin text."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proposals import diff as d
from proposals import markup

# (id, old, new, expected ops)
DIFFS = [
    # Chinese
    (
        "zh-number-changed",
        "携犬出户时应束犬绳（长度不超过1.5米）",
        "携犬出户时应束犬绳（长度不超过2米）",
        [("=", "携犬出户时应束犬绳（长度不超过"), ("-", "1.5"), ("+", "2"), ("=", "米）")],
    ),
    (
        "zh-one-char-changed",
        "犬只粪便应即时清理。",
        "犬只粪便应及时清理。",
        [("=", "犬只粪便应"), ("-", "即"), ("+", "及"), ("=", "时清理。")],
    ),
    (
        "zh-word-inserted",
        "禁止携犬进入儿童游乐区。",
        "禁止携犬进入儿童游乐区和健身区。",
        [("=", "禁止携犬进入儿童游乐区"), ("+", "和健身区"), ("=", "。")],
    ),
    (
        "zh-clause-deleted",
        "电动自行车应停放在指定的非机动车棚内，在集中充电桩充电。",
        "电动自行车应停放在指定的非机动车棚内。",
        [("=", "电动自行车应停放在指定的非机动车棚内"), ("-", "，在集中充电桩充电"), ("=", "。")],
    ),
    (
        # The shared characters (业主委员会, 物业服务企业) are folded into the
        # change: the rewritten clause reads as one deletion and one insertion.
        "zh-sentence-rewritten",
        "本公约由小区居民委员会、业主委员会和物业服务企业共同监督执行。",
        "本公约由业主大会授权业主委员会监督执行，物业服务企业协助。",
        [
            ("=", "本公约由"),
            ("-", "小区居民委员会、业主委员会和物业服务企业共同监督执行"),
            ("+", "业主大会授权业主委员会监督执行，物业服务企业协助"),
            ("=", "。"),
        ],
    ),
    (
        "zh-two-edits-kept-apart",
        "养犬住户应依法办理养犬登记并按期年检。",
        "养犬住户应依法办理养犬登记、按期年检并接种狂犬疫苗。",
        [
            ("=", "养犬住户应依法办理养犬登记"),
            ("-", "并"),
            ("+", "、"),
            ("=", "按期年检"),
            ("+", "并接种狂犬疫苗"),
            ("=", "。"),
        ],
    ),
    (
        "zh-punctuation-comma-to-semicolon",
        "广场舞等集体活动应在指定场地进行，音量不得超过55分贝。",
        "广场舞等集体活动应在指定场地进行；音量不得超过55分贝。",
        [("=", "广场舞等集体活动应在指定场地进行"), ("-", "，"), ("+", "；"), ("=", "音量不得超过55分贝。")],
    ),
    # Numbers: a time, a ratio, an amount is one token
    (
        "time-only",
        "每日22:00至次日7:00",
        "每日21:30至次日7:00",
        [("=", "每日"), ("-", "22:00"), ("+", "21:30"), ("=", "至次日7:00")],
    ),
    (
        "two-times-in-one-sentence",
        "每日投放时间为早7:00至9:00、晚18:00至20:00",
        "每日投放时间为早6:30至9:00、晚18:00至21:00",
        [
            ("=", "每日投放时间为早"),
            ("-", "7:00"),
            ("+", "6:30"),
            ("=", "至9:00、晚18:00至"),
            ("-", "20:00"),
            ("+", "21:00"),
        ],
    ),
    ("decibels", "不超过55分贝", "不超过50分贝", [("=", "不超过"), ("-", "55"), ("+", "50"), ("=", "分贝")]),
    (
        "amount-with-separators",
        "费用38,000.00元",
        "费用40,000.00元",
        [("=", "费用"), ("-", "38,000.00"), ("+", "40,000.00"), ("=", "元")],
    ),
    (
        "ratio",
        "按1:1配套资金申请",
        "按1:2配套资金申请",
        [("=", "按"), ("-", "1:1"), ("+", "1:2"), ("=", "配套资金申请")],
    ),
    # Latin words
    (
        "en-word-replaced-not-letters",
        "the colour of the gate",
        "the color of the gate",
        [("=", "the "), ("-", "colour"), ("+", "color"), ("=", " of the gate")],
    ),
    (
        "en-word-inserted",
        "Keep the gate closed.",
        "Keep the north gate closed.",
        [("=", "Keep the "), ("+", "north "), ("=", "gate closed.")],
    ),
    (
        "en-apostrophe-word",
        "I do not agree",
        "I don't agree",
        [("=", "I "), ("-", "do not"), ("+", "don't"), ("=", " agree")],
    ),
    # Mixed Chinese and Latin, full- and half-width punctuation
    ("wifi-hyphen", "WiFi密码", "Wi-Fi密码", [("-", "WiFi"), ("+", "Wi-Fi"), ("=", "密码")]),
    (
        "mixed-words-and-punctuation",
        "请扫码连接WiFi，密码见公告栏。",
        "请扫码连接Wi-Fi, 密码见公告栏.",
        [("=", "请扫码连接"), ("-", "WiFi，"), ("+", "Wi-Fi, "), ("=", "密码见公告栏"), ("-", "。"), ("+", ".")],
    ),
    (
        "full-to-half-width-parentheses",
        "访客车辆须登记（不超过4小时）",
        "访客车辆须登记(不超过4小时)",
        [("=", "访客车辆须登记"), ("-", "（"), ("+", "("), ("=", "不超过4小时"), ("-", "）"), ("+", ")")],
    ),
    # Edges
    ("empty-old", "", "新增一条", [("+", "新增一条")]),
    ("empty-new", "删除这一条", "", [("-", "删除这一条")]),
    ("both-empty", "", "", []),
    ("identical", "文明养犬", "文明养犬", [("=", "文明养犬")]),
    # Newlines
    ("newline-kept", "第一行\n第二行", "第一行\n第二行改了", [("=", "第一行\n第二行"), ("+", "改了")]),
    (
        "newline-never-folded",
        "甲\n乙",
        "丙\n丁",
        [("-", "甲"), ("+", "丙"), ("=", "\n"), ("-", "乙"), ("+", "丁")],
    ),
    (
        "blank-line-removed",
        "第一段。\n\n第二段。",
        "第一段。\n第二段。",
        [("=", "第一段。\n"), ("-", "\n"), ("=", "第二段。")],
    ),
]


@pytest.mark.parametrize("old, new, expected", [case[1:] for case in DIFFS], ids=[case[0] for case in DIFFS])
def test_diff(old, new, expected):
    ops = d.diff(old, new)
    assert ops == expected
    assert "".join(text for op, text in ops if op != "+") == old
    assert "".join(text for op, text in ops if op != "-") == new


TOKENS = [
    ("cjk-each-char", "文明养犬。", ["文", "明", "养", "犬", "。"]),
    ("decimal", "1.5米", ["1.5", "米"]),
    ("thousands", "38,000.00元", ["38,000.00", "元"]),
    ("time", "7:00至9:00", ["7:00", "至", "9:00"]),
    ("number-then-full-stop", "共3.", ["共", "3", "."]),
    ("word-apostrophe", "don't stop", ["don't", " ", "stop"]),
    ("hyphenated", "Wi-Fi", ["Wi", "-", "Fi"]),
    ("whitespace-run-and-newlines", "a  b\n\nc", ["a", "  ", "b", "\n", "\n", "c"]),
    ("full-width-space", "第一条\u3000文明", ["第", "一", "条", "\u3000", "文", "明"]),
    ("cjk-punctuation", "「甲」（乙）、；：", ["「", "甲", "」", "（", "乙", "）", "、", "；", "："]),
    ("combining-mark", "cafe\u0301 ok", ["cafe\u0301", " ", "ok"]),
]


@pytest.mark.parametrize("text, expected", [case[1:] for case in TOKENS], ids=[case[0] for case in TOKENS])
def test_tokens(text, expected):
    assert d.tokens(text) == expected


HTML = [
    (
        "script-escaped-in-del-and-ins",
        [("=", "a"), ("-", "<script>alert(1)</script>"), ("+", '<img src=x onerror="y">')],
        "a<del>&lt;script&gt;alert(1)&lt;/script&gt;</del><ins>&lt;img src=x onerror=&quot;y&quot;&gt;</ins>",
    ),
    ("equal-escaped", [("=", "Tom & Jerry <b>")], "Tom &amp; Jerry &lt;b&gt;"),
    ("newlines-kept", [("=", "甲\n"), ("+", "乙\n")], "甲\n<ins>乙\n</ins>"),
    ("quotes", [("-", "'\"")], "<del>&#x27;&quot;</del>"),
]


@pytest.mark.parametrize("ops, expected", [case[1:] for case in HTML], ids=[case[0] for case in HTML])
def test_html(ops, expected):
    assert d.html(ops) == expected


def test_html_of_a_diff_with_markup_in_old_and_new():
    out = d.html(d.diff("<script>alert(1)</script>", "<b>x</b>"))
    assert "<script" not in out and "<b>" not in out
    assert "&lt;" in out and "<del>" in out and "<ins>" in out


def test_html_rejects_unknown_op():
    with pytest.raises(ValueError):
        d.html([("?", "x")])


BLOCKS = [
    ("identical", ["甲", "乙"], ["甲", "乙"], [("=", [("=", "甲")]), ("=", [("=", "乙")])]),
    (
        "changed-block-paired",
        ["## 第一条 文明养犬", "携犬出户时应束犬绳（长度不超过1.5米）"],
        ["## 第一条 文明养犬", "携犬出户时应束犬绳（长度不超过2米）"],
        [
            ("=", [("=", "## 第一条 文明养犬")]),
            ("~", [("=", "携犬出户时应束犬绳（长度不超过"), ("-", "1.5"), ("+", "2"), ("=", "米）")]),
        ],
    ),
    (
        "unrelated-kept-apart",
        ["标题", "禁止在楼道堆放杂物。"],
        ["标题", "鼓励住户参与志愿服务。"],
        [("=", [("=", "标题")]), ("-", [("-", "禁止在楼道堆放杂物。")]), ("+", [("+", "鼓励住户参与志愿服务。")])],
    ),
    (
        "inserted-and-deleted",
        ["甲", "乙", "丙"],
        ["甲", "新增", "丙", "丁"],
        [
            ("=", [("=", "甲")]),
            ("-", [("-", "乙")]),
            ("+", [("+", "新增")]),
            ("=", [("=", "丙")]),
            ("+", [("+", "丁")]),
        ],
    ),
    (
        "pairs-the-similar-one-of-several",
        ["标题", "停放时间一般不超过4小时。"],
        ["标题", "访客须登记。", "停放时间一般不超过2小时。"],
        [
            ("=", [("=", "标题")]),
            ("+", [("+", "访客须登记。")]),
            ("~", [("=", "停放时间一般不超过"), ("-", "4"), ("+", "2"), ("=", "小时。")]),
        ],
    ),
    ("from-nothing", [], ["甲"], [("+", [("+", "甲")])]),
    ("to-nothing", ["甲"], [], [("-", [("-", "甲")])]),
]


@pytest.mark.parametrize("old, new, expected", [case[1:] for case in BLOCKS], ids=[case[0] for case in BLOCKS])
def test_block_diff(old, new, expected):
    assert d.block_diff(old, new) == expected


FLATTEN = [
    ("unchanged", ["甲", "乙"], ["甲", "乙"], [("=", "甲\n\n乙")]),
    ("inserted-at-start", ["甲"], ["新", "甲"], [("+", "新\n\n"), ("=", "甲")]),
    ("inserted-between", ["甲", "丙"], ["甲", "乙", "丙"], [("=", "甲"), ("+", "\n\n乙"), ("=", "\n\n丙")]),
    ("deleted-at-end", ["甲", "乙"], ["甲"], [("=", "甲"), ("-", "\n\n乙")]),
    (
        "changed",
        ["标题", "不超过55分贝"],
        ["标题", "不超过50分贝"],
        [("=", "标题\n\n不超过"), ("-", "55"), ("+", "50"), ("=", "分贝")],
    ),
]


@pytest.mark.parametrize("old, new, expected", [case[1:] for case in FLATTEN], ids=[case[0] for case in FLATTEN])
def test_flatten(old, new, expected):
    ops = d.flatten(d.block_diff(old, new))
    assert ops == expected
    assert "".join(text for op, text in ops if op != "+") == "\n\n".join(old)
    assert "".join(text for op, text in ops if op != "-") == "\n\n".join(new)


def test_flatten_of_the_sample_convention_amended():
    source = (Path(__file__).parent / "data" / "convention-sample.md").read_text(encoding="utf-8")
    old = [b.text for b in markup.blocks(source)]
    new = list(old)
    new[3] = new[3].replace("1.5米", "2米")
    del new[15]
    new.insert(20, "## 第九条之一 议事规则")
    ops = d.flatten(d.block_diff(old, new))
    assert ("-", "1.5") in ops and ("+", "2") in ops
    assert "".join(text for op, text in ops if op != "+") == "\n\n".join(old)
    assert "".join(text for op, text in ops if op != "-") == "\n\n".join(new)


# --- Properties ----------------------------------------------------------------------

# Text drawn from what a convention is made of: ideographs, CJK and ASCII
# punctuation, Latin letters, digits and their separators, spaces and newlines.
ALPHABET = (
    st.sampled_from(list("文明养犬绳米不超过分贝，。、；：「」（）WiFiab'.,:-0123456789 \u3000\n\t<>&\""))
    | st.characters()
)
TEXT = st.text(ALPHABET, max_size=60)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_tokens_join_back_to_the_text(text):
    assert "".join(d.tokens(text)) == text


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT)
def test_diff_gives_back_old_and_new(old, new):
    ops = d.diff(old, new)
    assert "".join(text for op, text in ops if op != "+") == old
    assert "".join(text for op, text in ops if op != "-") == new
    assert all(text for _, text in ops)
    assert all(a[0] != b[0] for a, b in zip(ops, ops[1:], strict=False)), "same ops merged"
    assert all((a[0], b[0]) != ("+", "-") for a, b in zip(ops, ops[1:], strict=False)), "deletion first"


BLOCK_LISTS = st.lists(
    st.sampled_from(["甲", "乙乙乙", "不超过55分贝", "不超过50分贝", "WiFi密码", "丙\n丁"]) | TEXT, max_size=6
)


@settings(max_examples=200, deadline=None)
@given(BLOCK_LISTS, BLOCK_LISTS)
def test_block_diff_and_flatten_give_back_old_and_new(old, new):
    block_ops = d.block_diff(old, new)
    olds = ["".join(t for op, t in ops if op != "+") for kind, ops in block_ops if kind != "+"]
    news = ["".join(t for op, t in ops if op != "-") for kind, ops in block_ops if kind != "-"]
    assert olds == old and news == new
    ops = d.flatten(block_ops)
    assert "".join(text for op, text in ops if op != "+") == "\n\n".join(old)
    assert "".join(text for op, text in ops if op != "-") == "\n\n".join(new)
