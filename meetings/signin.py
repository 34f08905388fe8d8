"""Finding a household in the room to sign it in (签到): by room or owner name.

Staff type what the resident says: "3幢2单元502", "3栋2单元502室", "3-2-502",
"3 2 502", "3幢502", "502", "商铺2", or an owner's name. Full-width digits and
spaces are fine. Only households of the meeting's own compound are searched;
retired ones and parking spaces are found too, so staff see why they cannot
be signed in.
"""

import re
import unicodedata

from django.db.models import CharField, Q
from django.db.models.functions import Concat

from compounds.models import Household
from meetings.actions import staff_name
from meetings.models import Attendance

LIMIT = 30

_BUILDING = re.compile(r"(\d+)\s*(?:号楼|幢|栋|座|楼)")
_UNIT = re.compile(r"(\d+)\s*单元")
_NUMBER = re.compile(r"\d+")
# What is left once numbers and the words around them are gone: a name, or
# words of a label such as 商铺 or 车位.
_NOISE = re.compile(r"号楼|幢|栋|座|楼|单元|室|号|[\d\s\-_/\\.,，、。#·]+")


def parse(query):
    """(building, unit, room, text): numbers (ints or None) and leftover text."""
    query = unicodedata.normalize("NFKC", query or "").strip()
    building = unit = None
    match = _BUILDING.search(query)
    if match:
        building = int(match.group(1))
        query = query[: match.start()] + " " + query[match.end() :]
    match = _UNIT.search(query)
    if match:
        unit = int(match.group(1))
        query = query[: match.start()] + " " + query[match.end() :]
    numbers = [int(n) for n in _NUMBER.findall(query)]
    text = _NOISE.sub("", query)
    room = numbers.pop() if numbers else None
    if building is None and unit is None:
        # "3-2-502" / "3 2 502": building, unit, room; "3-502": building, room.
        if len(numbers) >= 2:
            building, unit = numbers[0], numbers[1]
        elif len(numbers) == 1:
            building = numbers[0]
    elif building is None and numbers:
        building = numbers[0]
    elif unit is None and numbers:
        unit = numbers[0]
    return building, unit, room, text


def _first_number(text):
    match = _NUMBER.search(text or "")
    return int(match.group()) if match else None


def _last_number(text):
    numbers = _NUMBER.findall(text or "")
    return int(numbers[-1]) if numbers else None


def search(compound, query, limit=LIMIT):
    """([household], more): the compound's households matching `query`, in
    roster order, at most `limit` of them; `more` says some were left off."""
    building, unit, room, text = parse(query)
    if room is None and building is None and not text:
        return [], False
    households = (
        Household.objects.filter(compound=compound)
        .select_related("unit__building")
        .alias(full_label=Concat("unit__building__name", "unit__name", "room", output_field=CharField()))
    )
    if text:
        households = households.filter(Q(owner_names__icontains=text) | Q(full_label__icontains=text))
    if room is not None:
        # Narrow in the database, then compare the numbers exactly: "502"
        # is room 502 (not 1502), "1" finds 车位001.
        households = households.filter(room__contains=str(room).lstrip("0") or "0")
    if building is not None:
        households = households.filter(unit__building__name__contains=str(building))
    found = []
    for household in households.iterator(chunk_size=500):
        if room is not None and _last_number(household.room) != room:
            continue
        if building is not None and _first_number(household.unit.building.name) != building:
            continue
        if unit is not None and _first_number(household.unit.name) != unit:
            continue
        found.append(household)
        if len(found) > limit:
            break
    return found[:limit], len(found) > limit


def staff_signed_in(meeting, limit=LIMIT):
    """The households staff signed in at `meeting`, latest first."""
    rows = (
        Attendance.objects.filter(meeting=meeting, via=Attendance.Via.STAFF)
        .select_related("household__unit__building")
        .order_by("-signed_in_at", "-id")
    )
    households = [a.household for a in rows[: limit + 1]]
    return households[:limit], len(households) > limit


def rows(meeting, households):
    """Each household with its attendance at `meeting` (or None)."""
    attendances = {
        a.household_id: a
        for a in Attendance.objects.filter(meeting=meeting, household__in=households).select_related("signed_in_by")
    }
    return [
        {
            "household": h,
            "attendance": attendances.get(h.pk),
            "signed_in_by": staff_name(attendances[h.pk].signed_in_by) if h.pk in attendances else "",
        }
        for h in households
    ]
