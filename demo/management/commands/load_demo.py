"""Load a demo compound, staff and meeting, and print the links to open.

Idempotent: a second run finds what the first made and only prints the
links again (with fresh staff passwords, since only their hashes are kept).
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse

from compounds import credentials
from compounds.actions import import_roster, issue_missing_codes
from compounds.models import Compound, Household, StaffRole
from meetings.models import Meeting

DEMO_COMPOUND = "青梧苑"
DEMO_MEETING = "青梧苑小区议事会（演示）"
# An owners' meeting (业主大会) being prepared by the book: its notice, service,
# roster check and vote follow the compound's jurisdiction (Hangzhou).
DEMO_OWNERS_MEETING = "2027年第一次业主大会（演示）"
DEMO_BUDGET_MEETING = "2027年微项目资金分配会（演示）"
# The shared sample roster when this checkout sits beside it, else our copy.
ROSTER_FILES = [
    settings.BASE_DIR.parent / "shared" / "data" / "roster-sample.csv",
    settings.BASE_DIR / "tests" / "data" / "roster-sample.csv",
]
CONVENTION_FILES = [
    settings.BASE_DIR.parent / "shared" / "data" / "convention-sample.md",
    settings.BASE_DIR / "tests" / "data" / "convention-sample.md",
]
PROJECT_FILES = [
    settings.BASE_DIR.parent / "shared" / "data" / "micro-projects-sample.csv",
    settings.BASE_DIR / "tests" / "data" / "micro-projects-sample.csv",
]
FUNDING = {
    "区级微治理引导资金": "district_fund",
    "街道1:1配套资金": "street_match",
    "小区公共收益": "common_income",
    "居民自筹": "residents",
    "社会捐赠": "donations",
}
# Easy to read off a terminal: no 0/o, 1/l/i.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
STAFF = [
    ("facilitator", StaffRole.Role.FACILITATOR),
    ("worker", StaffRole.Role.WORKER),
    ("secretary", StaffRole.Role.SECRETARY),
]
# The record (and the public minutes) names staff by their full name; the
# login names above are for typing. Fictional, like the compound.
STAFF_NAMES = {"facilitator": "王晓岚", "worker": "陈建国", "secretary": "刘芳"}
# One account per signing party of the minutes (三方), in the parties' order.
SIGNERS = ["juweihui", "yeweihui", "wuye"]


class Command(BaseCommand):
    help = "Load the demo compound, staff users and meeting; print the links."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, base_url, **options):
        base = base_url.rstrip("/")
        with transaction.atomic():
            compound = Compound.objects.filter(name=DEMO_COMPOUND).first()
            if compound is None:
                roster = next(path for path in ROSTER_FILES if path.exists())
                import_roster(DEMO_COMPOUND, roster.read_bytes(), roster.name)
                compound = Compound.objects.get(name=DEMO_COMPOUND)
            passwords = self._staff(compound)
            meeting, created = Meeting.objects.get_or_create(
                compound=compound,
                title=DEMO_MEETING,
                defaults={"place": "社区议事厅", "status": Meeting.Status.ANNOUNCED},
            )
            if created:
                self._agenda(meeting)
            owners = self._owners_meeting(compound)
            budget = self._budget_meeting(compound)
            issue_missing_codes(compound, None)

        households = (
            Household.objects.filter(compound=compound, is_active=True, kind=Household.Kind.RESIDENCE)
            .select_related("unit__building")
            .order_by("unit__building__sort_key", "unit__sort_key", "sort_key")[:3]
        )
        out = self.stdout.write
        out("")
        out(self.style.SUCCESS(f"Yishi demo: {compound.name} · {meeting.title}"))
        out(f"  Staff log in:   {base}{reverse('login')}")
        for username, password in passwords.items():
            out(f"                  {username} / {password}")
        out(f"  Console:        {base}{reverse('console', kwargs={'meeting_id': meeting.pk})}")
        projector = reverse("projector", kwargs={"code": meeting.code})
        out(f"  Projector:      {base}{projector}?key={meeting.projector_key}")
        out(f"  Join (phones):  {base}{reverse('join', kwargs={'code': meeting.code})}")
        out(f"  Owners' meeting (notice, service, vote by the book): {base}{reverse('console', args=[owners.pk])}")
        out(f"  Participatory budget (equal shares): {base}{reverse('console', args=[budget.pk])}")
        for household in households:
            credential = credentials.active_credential(household)
            link = reverse("household_link", kwargs={"code": credential.code})
            out(f"  Resident {household.label}: {base}{link}  (code {credential.display_code})")
        out("")

    def _agenda(self, meeting):
        """Three items, the draft convention on notice and debated on the
        last, the sample micro-projects, and a council vote ready to open,
        as a facilitator would prepare them."""
        from meetings import actions
        from proposals import actions as proposal_actions
        from voting.models import Poll

        actions.add_item(meeting, "加装电梯意见征集", 20, "3幢2单元居民提出加装电梯，请大家发表意见。")
        bikes = actions.add_item(meeting, "自行车棚改造", 15, "在3幢北侧建设非机动车棚，预算4万元。")
        Poll.objects.create(
            meeting=meeting,
            item=bikes,
            title="同意建设自行车棚",
            text="在3幢北侧建设非机动车棚，预算4万元，由街道微项目资金支持。",
            rule="simple-majority",
            scope=Poll.Scope.COMPOUND,
        )
        convention = next(path for path in CONVENTION_FILES if path.exists()).read_text(encoding="utf-8")
        # The file is headed as a draft; whether the convention is a draft is
        # the proposal's state, and its title stays once it is adopted.
        heading, newline, rest = convention.partition("\n")
        heading = heading.removesuffix("（草案）")
        convention = heading + newline + rest
        title = heading.lstrip("# ").strip()
        item = actions.add_item(meeting, "居民公约（草案）讨论", 40, "逐条讨论公约草案，可在手机上提出修正案。")
        proposal = proposal_actions.create_proposal(meeting.compound, "convention", title, convention)
        proposal_actions.put_on_notice(proposal, meeting.compound.notice_days)
        proposal_actions.place_on_item(proposal, item)
        self._projects(meeting.compound)

    def _owners_meeting(self, compound):
        """An owners' meeting in preparation: its agenda, no notice yet (publishing
        it is the first step, at least 15 days before it opens in Hangzhou)."""
        from meetings import actions

        owners, created = Meeting.objects.get_or_create(
            compound=compound,
            title=DEMO_OWNERS_MEETING,
            defaults={"place": "社区议事厅", "kind": Meeting.Kind.OWNERS},
        )
        if created:
            actions.add_item(owners, "续聘物业服务企业", 30, "物业服务合同将于2027年3月到期，是否续聘现物业服务企业。")
            actions.add_item(owners, "使用公共收益更换单元门禁", 20, "使用公共收益约6万元更换全部单元门禁。")
        return owners

    def _budget_meeting(self, compound):
        """A meeting that shares the district's micro-governance fund among
        five of the sample micro-projects by the Method of Equal Shares: their
        costs (100,900 yuan) exceed the fund (60,000)."""
        from decimal import Decimal

        from meetings import actions
        from proposals.models import Proposal
        from voting.models import Poll, PollOption

        meeting, created = Meeting.objects.get_or_create(
            compound=compound, title=DEMO_BUDGET_MEETING, defaults={"place": "社区议事厅"}
        )
        if created:
            item = actions.add_item(
                meeting, "微项目资金分配", 30, "五个微项目共需10.09万元，引导资金6万元：每户一份，按平等份额法分配。"
            )
            poll = Poll.objects.create(
                meeting=meeting,
                item=item,
                title="2027年微项目资金分配",
                text="勾选您支持的所有项目。",
                kind=Poll.Kind.BUDGET,
                rule="equal-shares",
                scope=Poll.Scope.ATTENDEES,
                fund="区级微治理引导资金",
                budget=Decimal("60000"),
            )
            projects = Proposal.objects.filter(compound=compound, kind=Proposal.Kind.MICRO_PROJECT).order_by("pk")[:5]
            PollOption.objects.bulk_create(
                PollOption(poll=poll, label=p.title, proposal=p, cost=p.budget, position=n)
                for n, p in enumerate(projects)
            )
        return meeting

    def _projects(self, compound):
        """The sample micro-projects, as drafts the council can put on notice or to a vote."""
        import csv
        from decimal import Decimal

        from proposals import actions as proposal_actions

        path = next(path for path in PROJECT_FILES if path.exists())
        with path.open(encoding="utf-8-sig", newline="") as rows:
            for row in csv.DictReader(rows):
                proposal_actions.create_proposal(
                    compound,
                    "micro_project",
                    row["项目名称"],
                    row["简介"],
                    sponsor_name=row["申报人"],
                    budget=Decimal(row["预算（元）"]),
                    funding=FUNDING.get(row["资金来源"], "other"),
                    location=row["地点"],
                    timeline=row["周期"],
                )

    def _staff(self, compound):
        """Demo staff with a fresh password each run; an admin superuser too."""
        User = get_user_model()
        passwords = {}
        for username, role in [("admin", None), *STAFF]:
            user, _ = User.objects.get_or_create(username=username)
            password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))
            user.set_password(password)
            user.is_staff = user.is_superuser = role is None
            user.first_name = STAFF_NAMES.get(username, user.first_name)
            user.save()
            if role is not None:
                StaffRole.objects.get_or_create(user=user, compound=compound, role=role)
            passwords[username] = password
        from minutes.actions import parties

        for username, party in zip(SIGNERS, parties(compound), strict=False):
            user, _ = User.objects.get_or_create(username=username, defaults={"first_name": party.name})
            password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))
            user.set_password(password)
            user.save()
            party.members.add(user)
            passwords[username] = password
        return passwords
