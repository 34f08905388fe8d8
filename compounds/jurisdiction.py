"""Jurisdiction profiles: the procedural figures of an owners' meeting that
local law sets (how many days' notice, how long a vote may stay open, when
results are due), as data, one JSON file a place in compounds/jurisdictions/.

A compound chooses its profile (Compound.jurisdiction); Hangzhou is the
default. Another place is added by adding a file with the same keys and its
sources: nothing here names a city. No Django: meetings/deadlines.py and the
tests read profiles as plain values.

Keys (days are calendar days; null where the law fixes no figure):
  notice_days                 a meeting's notice at least this many days before it opens
  extraordinary_notice_days   the same for an extraordinary (临时) meeting
  window_min_days, window_max_days   how long a vote may stay open
  results_within_days         results posted within this many days of the close
  objection_days              default objection window (询异) after provisional results
  announced_topics_only       no vote on a topic the notice did not list
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DEFAULT = "hangzhou"
FOLDER = Path(__file__).with_name("jurisdictions")


class UnknownJurisdiction(KeyError):
    pass


@dataclass(frozen=True)
class Profile:
    code: str
    names: dict  # language code -> name
    sources: tuple[str, ...]
    notice_days: int
    extraordinary_notice_days: int
    window_min_days: int | None
    window_max_days: int | None
    results_within_days: int | None
    objection_days: int
    announced_topics_only: bool

    def name(self, language="zh-hans"):
        return self.names.get(language) or self.names.get("zh-hans") or self.code

    def notice_days_for(self, extraordinary):
        return self.extraordinary_notice_days if extraordinary else self.notice_days


def _read(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    return Profile(
        code=data["code"],
        names=dict(data["name"]),
        sources=tuple(data.get("sources", ())),
        notice_days=int(data["notice_days"]),
        extraordinary_notice_days=int(data.get("extraordinary_notice_days", data["notice_days"])),
        window_min_days=data.get("window_min_days"),
        window_max_days=data.get("window_max_days"),
        results_within_days=data.get("results_within_days"),
        objection_days=int(data.get("objection_days", 7)),
        announced_topics_only=bool(data.get("announced_topics_only", True)),
    )


@cache
def profiles() -> dict[str, Profile]:
    """Every profile, by code, in the order of their names' codes."""
    found = (_read(path) for path in sorted(FOLDER.glob("*.json")))
    return {profile.code: profile for profile in found}


def get(code: str | None) -> Profile:
    try:
        return profiles()[code or DEFAULT]
    except KeyError:
        raise UnknownJurisdiction(code) from None


def choices():
    """(code, name) pairs for a form, in Chinese names (the profiles' own)."""
    return [(profile.code, profile.name()) for profile in profiles().values()]
