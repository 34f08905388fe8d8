"""The speaker queue's order, by the 南塘 rules (DOMAIN.md), as a pure function.

1. A point of order (程序问题) goes to the front.
2. Someone who has not yet spoken on this item goes before someone who has
   (if the meeting's setting "first-time speakers first" is on).
3. When both "for" and "against" are waiting, the chair alternates: the next
   is the opposite of the last for/against speech (setting "alternate").
4. Otherwise, first come first served.
The chair may override: an entry pinned to a position stays there, the rule
order fills the rest. Questions take no side; they keep their arrival place.

Only for/against speeches count as having spoken (and against the per-item
limit); questions and points of order do not.
"""

from dataclasses import dataclass

FOR, AGAINST, QUESTION, ORDER = "for", "against", "question", "order"
SIDES = (FOR, AGAINST)

# Why an entry is where it is (shown to the facilitator).
R_ORDER = "point_of_order"
R_PINNED = "moved_by_chair"
R_FIRST_TIME = "first_time"
R_ALTERNATE = "alternates"
R_ARRIVAL = "arrival"


@dataclass(frozen=True)
class Waiting:
    """One waiting request: `seq` is its arrival order, `spoken` how many
    for/against speeches its speaker already gave on this item, `pin` the
    chair's position for it (0 = next) or None."""

    id: int
    stance: str
    seq: int
    spoken: int = 0
    pin: int | None = None


@dataclass(frozen=True)
class Rules:
    alternate: bool = True
    first_timers_first: bool = True


@dataclass(frozen=True)
class Placed:
    entry: Waiting
    reason: str


def order_queue(waiting, last_side=None, rules=Rules()):
    """The queue in speaking order, each with the reason for its place.

    `last_side` is the stance (for/against) of the latest for/against speech
    on this item, or None if there was none.
    """
    pinned = sorted((w for w in waiting if w.pin is not None), key=lambda w: (w.pin, w.seq))
    placed = _by_rules([w for w in waiting if w.pin is None], last_side, rules)
    for entry in pinned:
        placed.insert(min(entry.pin, len(placed)), Placed(entry, R_PINNED))
    return placed


def _by_rules(entries, last_side, rules):
    orders = sorted((w for w in entries if w.stance == ORDER), key=lambda w: w.seq)
    placed = [Placed(w, R_ORDER) for w in orders]
    rest = sorted((w for w in entries if w.stance != ORDER), key=lambda w: w.seq)
    while rest:
        pool, first_time = rest, False
        if rules.first_timers_first:
            fresh = [w for w in rest if w.spoken == 0]
            if fresh and len(fresh) < len(rest):
                pool, first_time = fresh, True
        entry, reason = _next_in(pool, last_side, rules)
        if first_time and reason == R_ARRIVAL and pool[0] is not rest[0]:
            reason = R_FIRST_TIME
        placed.append(Placed(entry, reason))
        rest.remove(entry)
        if entry.stance in SIDES:
            last_side = entry.stance
    return placed


def _next_in(pool, last_side, rules):
    """The next speaker from `pool` (in arrival order)."""
    first = pool[0]
    if not rules.alternate or last_side not in SIDES:
        return first, R_ARRIVAL
    want = AGAINST if last_side == FOR else FOR
    sides_waiting = {w.stance for w in pool if w.stance in SIDES}
    if sides_waiting != {FOR, AGAINST} or first.stance in (want, QUESTION):
        return first, R_ARRIVAL
    return next(w for w in pool if w.stance == want), R_ALTERNATE
