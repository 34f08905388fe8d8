"""The speaker queue's order (meetings/queue.py), rule by rule.

Each case cites the 南塘 rule it checks (DOMAIN.md, "A meeting, step by step").
Entries are written "id:stance[:spoken][@pin]" in arrival order.
"""

import pytest

from meetings.queue import (
    R_ALTERNATE,
    R_ARRIVAL,
    R_FIRST_TIME,
    R_ORDER,
    R_PINNED,
    Rules,
    Waiting,
    order_queue,
)

STANCE = {"F": "for", "A": "against", "Q": "question", "O": "order"}


def entries(spec):
    out = []
    for seq, token in enumerate(spec.split()):
        token, _, pin = token.partition("@")
        ident, stance, *spoken = token.split(":")
        out.append(Waiting(int(ident), STANCE[stance], seq, int(spoken[0]) if spoken else 0, int(pin) if pin else None))
    return out


def order(spec, last=None, **rules):
    return [p.entry.id for p in order_queue(entries(spec), last, Rules(**rules))]


CASES = [
    # (rule, queue, last side, expected order)
    ("rule 4: first come, first served", "1:F 2:F 3:Q", None, [1, 2, 3]),
    ("rule 6: a point of order goes to the front", "1:F 2:A 3:O", None, [3, 1, 2]),
    ("rule 6: points of order among themselves by arrival", "1:O 2:F 3:O", None, [1, 3, 2]),
    ("rule 4: alternate: after a 'for' speech, 'against' next", "1:F 2:F 3:A", "for", [3, 1, 2]),
    ("rule 4: alternate: after 'against', 'for' next", "1:A 2:F", "against", [2, 1]),
    ("rule 4: alternation continues through the queue", "1:F 2:F 3:A 4:A", "for", [3, 1, 4, 2]),
    ("rule 4: no alternation when only one side waits", "1:F 2:F", "for", [1, 2]),
    ("rule 4: no alternation before any for/against speech", "1:F 2:F 3:A", None, [1, 3, 2]),
    ("rule 4: a question keeps its arrival place", "1:Q 2:F 3:A", "for", [1, 3, 2]),
    ("rule 4: has not spoken goes before has spoken", "1:F:1 2:A:0 3:F:0", None, [2, 3, 1]),
    ("rule 4: first-timers first, then alternation among them", "1:F:1 2:F:0 3:A:0", "for", [3, 2, 1]),
    ("rule 4: everyone has spoken: plain alternation", "1:F:1 2:A:1", "for", [2, 1]),
    ("rule 6 before rule 4: order before first-timers", "1:F:0 2:O:2", None, [2, 1]),
    ("override: the chair pins someone to the front", "1:F 2:A 3:F@0", None, [3, 1, 2]),
    ("override: a pin beyond the end goes last", "1:F@9 2:A 3:F", None, [2, 3, 1]),
    ("override: a pin outranks a point of order", "1:O 2:F@0", None, [2, 1]),
    ("override: two pins keep their order", "1:F@1 2:A 3:F@0", None, [3, 1, 2]),
]


@pytest.mark.parametrize("rule,spec,last,expected", CASES, ids=[c[0] for c in CASES])
def test_queue_order(rule, spec, last, expected):
    assert order(spec, last) == expected


def test_settings_off_mean_plain_arrival_order():
    assert order("1:F:1 2:F:0 3:A:0", "for", alternate=False, first_timers_first=False) == [1, 2, 3]


def test_each_place_says_why():
    placed = order_queue(entries("1:F:1 2:F 3:A 4:O 5:Q@4"), "for")
    assert [(p.entry.id, p.reason) for p in placed] == [
        (4, R_ORDER),
        (3, R_ALTERNATE),
        (2, R_FIRST_TIME),
        (1, R_ARRIVAL),
        (5, R_PINNED),
    ]
    placed = order_queue(entries("1:F:1 2:F"), None)
    assert [(p.entry.id, p.reason) for p in placed] == [(2, R_FIRST_TIME), (1, R_ARRIVAL)]


def test_empty_queue():
    assert order_queue([], "for") == []
