"""The audit chain (issue 15, "Proof"): every append-only record of a
compound is hash-chained as it is written, a command verifies the chain and
names the first broken entry, and the chain head is printed on the result
certificate and in the minutes. A decision can be challenged in court within
a year (DOMAIN.md, "Publication"): the record must show it was not changed
afterwards."""

import ast
import hashlib
import json
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse
from django.utils import timezone

from compounds import actions as compound_actions
from compounds import canonical, ledger
from compounds.models import GENESIS, Compound, LedgerEntry, StaffRole
from compounds.models.ledger import ledger_path, row_payload
from meetings import actions as meeting_actions
from meetings.models import AttendanceLog
from minutes import actions as minutes_actions
from minutes import export, printing
from minutes.views_public import check_copy
from proposals import actions as proposal_actions
from proposals.models import Decision, ProposalVersion
from tests.conftest import make_staff
from voting import actions as voting_actions
from voting.models import BallotAudit, Poll

pytestmark = pytest.mark.usefixtures("english")


def chain(compound):
    return list(LedgerEntry.objects.filter(compound=compound).order_by("seq"))


def verify(compound):
    return ledger.verify(Compound.objects.get(pk=compound.pk))


def entry_of(row):
    return LedgerEntry.objects.get(source_model=row._meta.label_lower, source_pk=row.pk)


@pytest.fixture
def secretary(compound):
    return make_staff(compound, "sec", StaffRole.Role.SECRETARY)


@pytest.fixture
def flow(meeting, households, facilitator, secretary):
    """A meeting as it really runs: two phones join, two households signed in
    at the desk, a proposal debated and put to the vote, one phone vote and
    a paper batch for the two signed in, the poll closed, the minutes
    published."""
    meeting_actions.open_meeting(meeting)
    for household in households[:2]:
        meeting_actions.join_meeting(meeting, household)
    for household in households[2:4]:
        meeting_actions.sign_in(meeting, household, facilitator)
    item = meeting_actions.add_item(meeting, "居民公约", 30)
    meeting_actions.start_item(meeting, item.pk)
    proposal = proposal_actions.create_proposal(
        meeting.compound, "convention", "公约", "## 第一条\n\n束犬绳。\n", user=facilitator
    )
    proposal_actions.place_on_item(proposal, item)
    poll = Poll.objects.create(meeting=meeting, item=item, title="通过公约", proposal=proposal)
    voting_actions.open_poll(poll)
    voting_actions.cast(poll, households[0], "for")
    voting_actions.enter_batch(poll, [(1, households[2], "for"), (2, households[3], "against")], facilitator)
    voting_actions.close_poll(poll)
    meeting_actions.close_meeting(meeting)
    meeting.refresh_from_db()
    minutes = minutes_actions.minutes_of(meeting)
    minutes_actions.ask_to_sign(minutes, secretary)
    version = None
    for n, party in enumerate(minutes_actions.parties(meeting.compound)):
        user = make_staff(meeting.compound, f"party{n}", None)
        party.members.add(user)
        version = minutes_actions.sign(minutes, party, user)
    poll.refresh_from_db()
    return {"poll": poll, "proposal": proposal, "version": version, "minutes": minutes}


# --- Writing ------------------------------------------------------------------


def test_every_append_only_model_names_the_way_to_its_compound(compound):
    """Each AppendOnly subclass says which chain its rows go to, by a path a query can follow."""
    models = ledger.append_only_models()
    assert {m._meta.label_lower for m in models} >= {
        "meetings.attendancelog",
        "proposals.proposalversion",
        "proposals.decision",
        "minutes.annotation",
        "minutes.signoff",
        "minutes.minutesversion",
        "voting.ballotaudit",
    }
    for model in models:
        assert model._base_manager.filter(**{ledger_path(model): compound}).count() == 0


def test_the_chain_grows_with_each_write_and_links_each_entry_to_the_one_before(meeting, households, facilitator, poll):
    before = len(chain(meeting.compound))
    meeting_actions.sign_in(meeting, households[4], facilitator)
    log = AttendanceLog.objects.get(household=households[4])
    entries = chain(meeting.compound)
    assert len(entries) == before + 1
    last = entries[-1]
    assert (last.kind, last.source) == ("meetings.attendancelog", f"meetings.attendancelog#{log.pk}")
    assert json.loads(last.payload)["household_id"] == households[4].pk
    assert last.payload == row_payload(log)
    assert last.hash == last.computed_hash()
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert entries[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(entries, entries[1:], strict=False))


def test_a_staff_batch_written_with_bulk_create_is_chained_in_order(poll, households, facilitator):
    """voting.actions.Recorder.write bulk-creates the audit rows, which skips
    AppendOnly.save(): it appends them itself."""
    compound = poll.meeting.compound
    before = len(chain(compound))
    entries = [(1, households[0], "for"), (2, households[1], "against"), (3, households[2], "abstain")]
    voting_actions.enter_batch(poll, entries, facilitator)
    audits = list(BallotAudit.objects.filter(poll=poll).order_by("pk"))
    added = chain(compound)[before:]
    assert [e.source for e in added] == [f"voting.ballotaudit#{a.pk}" for a in audits]
    assert [json.loads(e.payload)["choice"] for e in added] == ["for", "against", "abstain"]
    assert verify(compound).ok


def test_a_phone_vote_writes_nothing_to_the_chain(poll, households):
    """The phone path stays as fast as bench/ measured it: no audit row, no entry."""
    before = len(chain(poll.meeting.compound))
    for household in households[:4]:
        voting_actions.cast(poll, household, "for")
    voting_actions.cast(poll, households[0], "against")  # a changed vote: still no audit row
    assert len(chain(poll.meeting.compound)) == before
    assert not BallotAudit.objects.filter(poll=poll).exists()


def test_a_phone_vote_replacing_a_staff_entry_is_chained(poll, households, facilitator):
    """The one phone vote with an audit row (it replaced a paper ballot) is in the chain too."""
    voting_actions.cast(poll, households[0], "for", channel="paper", user=facilitator)
    voting_actions.cast(poll, households[0], "against")
    replaced = BallotAudit.objects.get(poll=poll, event=BallotAudit.Event.REPLACED_STAFF)
    assert entry_of(replaced).seq == chain(poll.meeting.compound)[-1].seq
    assert verify(poll.meeting.compound).ok


def test_a_roster_applied_is_an_event_with_the_files_hash_and_counts(compound, facilitator):
    data = (
        "楼栋,单元,室号,类型,专有面积,面积来源,业主姓名,证件号后六位\n"
        "1幢,1单元,101,住宅,80.50,登记,张三,861168\n"
        "1幢,1单元,102,住宅,90.00,登记,李四,252353\n"
    ).encode()
    compound_actions.import_roster("新苑", data, "roster.csv", dry_run=True)
    assert not LedgerEntry.objects.filter(kind=compound_actions.ROSTER_APPLIED).exists()  # a preview records nothing
    report = compound_actions.import_roster("新苑", data, "roster.csv", user=facilitator)
    entry = LedgerEntry.objects.get(compound=report.compound, kind=compound_actions.ROSTER_APPLIED)
    payload = json.loads(entry.payload)
    assert payload["file_sha256"] == hashlib.sha256(data).hexdigest()
    assert (payload["households"], payload["created"], payload["retired"]) == (2, 2, 0)
    assert "张三" not in entry.payload
    assert (entry.seq, entry.source_model, entry.source_pk) == (1, "", None)


def test_entries_are_append_only_and_the_chain_cannot_fork(poll, households, facilitator):
    meeting_actions.sign_in(poll.meeting, households[4], facilitator)
    entry = chain(poll.meeting.compound)[-1]
    with pytest.raises(ValidationError, match="cannot be changed"):
        entry.save()
    with pytest.raises(ValidationError, match="cannot be deleted"):
        entry.delete()
    twin = LedgerEntry(
        compound=entry.compound, seq=entry.seq, kind="x", payload="{}", prev_hash=entry.prev_hash, hash="0" * 64
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.bulk_create([twin])


# --- Verifying a real flow ----------------------------------------------------


def test_the_chain_of_a_real_meeting_verifies(flow, meeting):
    compound = meeting.compound
    verdict = verify(compound)
    assert verdict.ok, verdict.problem
    entries = chain(compound)
    assert verdict.entries == len(entries) and verdict.head == {"seq": entries[-1].seq, "hash": entries[-1].hash}
    kinds = [e.kind for e in entries]
    # Two sign-ins, the proposal's first version, the paper batch, the
    # decision and the close, three sign-offs, the published minutes.
    assert kinds == [
        "meetings.attendancelog",
        "meetings.attendancelog",
        "proposals.proposalversion",
        "voting.ballotaudit",
        "voting.ballotaudit",
        "proposals.decision",
        voting_actions.POLL_CLOSED,
        "minutes.signoff",
        "minutes.signoff",
        "minutes.signoff",
        "minutes.minutesversion",
    ]


def test_the_command_prints_ok_with_the_head(flow, meeting, capsys):
    head = chain(meeting.compound)[-1]
    call_command("verify_ledger")
    out = capsys.readouterr().out
    assert f"OK: {head.seq} entries, head {head.seq} {head.hash}" in out
    call_command("verify_ledger", "--compound", meeting.compound.name, "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is True
    assert data["compounds"][0]["head"] == {"seq": head.seq, "hash": head.hash}
    with pytest.raises(CommandError, match="No compound"):
        call_command("verify_ledger", "--compound", "没有这个小区")


# --- Tampering is caught and named --------------------------------------------


def broken(compound, capsys):
    """The command's verdict on a broken chain: its line, and the JSON problem."""
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_ledger", "--compound", str(compound.pk))
    line = capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("verify_ledger", "--compound", str(compound.pk), "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False
    return line, data["compounds"][0]["problem"]


def test_an_edited_payload_is_caught_at_its_entry(flow, meeting, capsys):
    audit = BallotAudit.objects.filter(poll=flow["poll"]).order_by("pk").last()
    entry = entry_of(audit)
    edited = entry.payload.replace('"against"', '"for"')
    LedgerEntry.objects.filter(pk=entry.pk).update(payload=edited)
    line, problem = broken(meeting.compound, capsys)
    assert problem["seq"] == entry.seq and problem["source"] == f"voting.ballotaudit#{audit.pk}"
    assert "hash does not match" in problem["problem"]
    assert f"BROKEN at entry {entry.seq} (voting.ballotaudit#{audit.pk})" in line


def test_an_audit_row_edited_behind_the_chain_is_caught(flow, meeting, capsys):
    audit = BallotAudit.objects.filter(poll=flow["poll"]).order_by("pk").last()
    BallotAudit.objects.filter(pk=audit.pk).update(choice="for")
    line, problem = broken(meeting.compound, capsys)
    assert problem["seq"] == entry_of(audit).seq
    assert "changed afterwards (choice)" in problem["problem"]


def test_a_deleted_entry_is_caught_where_the_gap_is(flow, meeting, capsys):
    victim = chain(meeting.compound)[3]
    LedgerEntry.objects.filter(pk=victim.pk).delete()
    _line, problem = broken(meeting.compound, capsys)
    assert problem["seq"] == victim.seq + 1
    assert problem["problem"] == f"entry {victim.seq} is missing (deleted)"


def test_an_edited_hash_is_caught_at_its_entry(flow, meeting, capsys):
    victim = chain(meeting.compound)[2]
    LedgerEntry.objects.filter(pk=victim.pk).update(hash="f" * 64)
    _line, problem = broken(meeting.compound, capsys)
    assert problem["seq"] == victim.seq and "hash does not match" in problem["problem"]


def test_an_entry_rewritten_with_a_fresh_hash_still_differs_from_its_row(flow, meeting, capsys):
    """Recomputing the edited entry's hash does not help: the row it records
    still reads as it was written."""
    victim = chain(meeting.compound)[4]
    victim.payload = victim.payload.replace('"against"', '"for"')
    LedgerEntry.objects.filter(pk=victim.pk).update(payload=victim.payload, hash=victim.computed_hash())
    _line, problem = broken(meeting.compound, capsys)
    assert problem["seq"] == victim.seq and "changed afterwards (choice)" in problem["problem"]


def test_an_event_rewritten_with_a_fresh_hash_breaks_the_next_link(flow, meeting, capsys):
    """An event has no row to compare with: the next entry still names the
    hash the event had, so the break shows right after it."""
    closed = LedgerEntry.objects.get(compound=meeting.compound, kind=voting_actions.POLL_CLOSED)
    closed.payload = closed.payload.replace("通过公约", "否决公约")
    LedgerEntry.objects.filter(pk=closed.pk).update(payload=closed.payload, hash=closed.computed_hash())
    _line, problem = broken(meeting.compound, capsys)
    assert problem["seq"] == closed.seq + 1 and "does not link to the entry before it" in problem["problem"]


def test_a_row_written_without_its_entry_is_caught(flow, meeting, households, facilitator, capsys):
    poll = flow["poll"]
    (sneaked,) = BallotAudit.objects.bulk_create(
        [BallotAudit(poll=poll, household=households[4], event="entered", channel="paper", choice="for")]
    )
    _line, problem = broken(meeting.compound, capsys)
    assert problem["seq"] is None and problem["source"] == f"voting.ballotaudit#{sneaked.pk}"
    assert "not in the chain" in problem["problem"]


def test_a_deleted_row_is_caught(flow, meeting, capsys):
    log = AttendanceLog.objects.filter(meeting=meeting).first()
    AttendanceLog.objects.filter(pk=log.pk).delete()
    _line, problem = broken(meeting.compound, capsys)
    assert problem["seq"] == entry_of_pk("meetings.attendancelog", log.pk).seq
    assert "no longer exists" in problem["problem"]


def entry_of_pk(label, pk):
    return LedgerEntry.objects.get(source_model=label, source_pk=pk)


def test_a_certificate_changed_after_the_close_is_caught(flow, meeting, capsys):
    poll = flow["poll"]
    certificate = dict(poll.certificate, written_at="2020-01-01T00:00:00+00:00")
    Poll.objects.filter(pk=poll.pk).update(certificate=certificate)
    _line, problem = broken(meeting.compound, capsys)
    assert problem["kind"] == voting_actions.POLL_CLOSED and "certificate was changed" in problem["problem"]


def test_a_long_chain_is_read_in_chunks_and_still_names_the_first_problem(flow, meeting, monkeypatch):
    monkeypatch.setattr(ledger, "CHUNK", 3)
    assert verify(meeting.compound).ok and verify(meeting.compound).entries == len(chain(meeting.compound))
    entries = chain(meeting.compound)
    LedgerEntry.objects.filter(pk=entries[6].pk).update(hash="d" * 64)  # the first of the third chunk
    assert verify(meeting.compound).problem.seq == entries[6].seq
    LedgerEntry.objects.filter(pk=entries[5].pk).update(seq=0)  # the last of the second
    problem = verify(meeting.compound).problem
    assert "out of sequence" in problem.message


def test_the_first_problem_is_the_one_named(flow, meeting, capsys):
    entries = chain(meeting.compound)
    LedgerEntry.objects.filter(pk=entries[7].pk).update(hash="e" * 64)
    LedgerEntry.objects.filter(pk=entries[2].pk).update(kind="changed")
    _line, problem = broken(meeting.compound, capsys)
    assert problem["seq"] == entries[2].seq


def test_a_staff_account_deleted_later_is_not_a_change_of_the_record(meeting, households):
    """AttendanceLog.by is SET_NULL: the database clears it, the name stays; not tampering."""
    meeting_actions.open_meeting(meeting)
    temp = make_staff(meeting.compound, "temp", StaffRole.Role.WORKER)
    meeting_actions.sign_in(meeting, households[0], temp)
    get_user_model().objects.filter(pk=temp.pk).delete()
    assert AttendanceLog.objects.get(household=households[0]).by_id is None
    assert verify(meeting.compound).ok


# --- The head on the certificate and in the minutes ----------------------------


def test_the_certificate_names_the_head_at_the_close_and_the_close_follows_it(flow, meeting, client, facilitator):
    poll = flow["poll"]
    head = poll.certificate["audit_chain"]
    at_head = LedgerEntry.objects.get(compound=meeting.compound, seq=head["seq"])
    decision = Decision.objects.get(proposal=flow["proposal"])
    # The decision the close made is in the chain the certificate names.
    assert at_head.hash == head["hash"] and at_head.source == f"proposals.decision#{decision.pk}"
    closed = LedgerEntry.objects.get(compound=meeting.compound, seq=head["seq"] + 1)
    assert closed.kind == voting_actions.POLL_CLOSED and closed.prev_hash == head["hash"]
    assert json.loads(closed.payload) == {
        "poll": poll.pk,
        "title": poll.title,
        "certificate_sha256": canonical.fingerprint(poll.certificate),
    }
    client.force_login(facilitator)
    page = client.get(reverse("certificate", kwargs={"poll_id": poll.pk})).content.decode()
    assert f"Audit chain at the close: entry {head['seq']}, hash" in page and head["hash"] in page


def test_the_minutes_carry_the_head_at_publication_in_every_form(flow, meeting, client):
    version = flow["version"]
    head = version.content["audit_chain"]
    entry = LedgerEntry.objects.get(compound=meeting.compound, seq=head["seq"])
    assert entry.hash == head["hash"] and entry.kind == "minutes.signoff"  # the last signature
    assert entry_of(version).seq == head["seq"] + 1
    assert version.fingerprint == canonical.fingerprint(version.content)  # the head is inside what is fingerprinted
    url = reverse("minutes_version", kwargs={"compound_id": meeting.compound_id, "meeting_id": meeting.pk, "number": 1})
    page = client.get(url).content.decode()
    assert f"Audit chain at publication: entry {head['seq']}, hash" in page and head["hash"] in page
    markdown = export.to_markdown(version, "en")
    assert head["hash"] in markdown
    # A copy that prints both hashes is still checked by its own fingerprint.
    assert check_copy(markdown)["state"] == "match"
    assert check_copy(markdown.replace("议事会", "议事会（改）"))["fingerprint"] == version.fingerprint
    pdf = printing.minutes_pdf(version, "en", missing_ok=True)
    if pdf is not None:
        from minutes.pdf import pdf_text

        assert head["hash"] in "".join(pdf_text(pdf).split())


# --- Secret polls ---------------------------------------------------------------


def test_a_secret_polls_chain_holds_no_choice(meeting, households, facilitator):
    """The chain stores a row as it is: a secret poll's audit rows have a blank
    choice, so its entries do too; the close records the certificate's hash."""
    meeting_actions.open_meeting(meeting)
    for household in households[:3]:
        meeting_actions.sign_in(meeting, household, facilitator)
    poll = Poll.objects.create(meeting=meeting, title="选举", secret=True)
    voting_actions.open_poll(poll)
    voting_actions.enter_batch(poll, [(1, households[0], "for"), (2, households[1], "against")], facilitator)
    voting_actions.cast(poll, households[2], "abstain", channel="proxy", user=facilitator, proxy_holder="王五")
    voting_actions.cast(poll, households[0], "against", channel="paper", user=facilitator, replace_reason="填错了")
    voting_actions.close_poll(poll)
    entries = chain(meeting.compound)
    audits = [json.loads(e.payload) for e in entries if e.kind == "voting.ballotaudit"]
    assert len(audits) == 4
    assert all(a["choice"] == "" and a["replaced_choice"] == "" for a in audits)
    for entry in entries:
        for choice in ("for", "against", "abstain"):
            assert f'"{choice}"' not in entry.payload
    assert verify(meeting.compound).ok


# --- Concurrent writers ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_queue_on_the_compound_and_never_fork():
    """Writers of one compound wait for each other on the compound's row
    (PostgreSQL) or SQLite's write lock: each reads the head the one before
    it committed, so none fails on the unique seq and the chain is whole."""
    compound = Compound.objects.create(name="并发苑")
    start = threading.Barrier(4)
    errors = []

    def write(worker):
        try:
            start.wait()
            for n in range(5):
                with transaction.atomic():
                    ledger.record(compound.pk, "test.event", {"worker": worker, "n": n})
        except Exception as error:  # noqa: BLE001 - any failure fails the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [entry.seq for entry in chain(compound)] == list(range(1, 21))
    assert ledger.verify(compound).ok


# --- Chaining a database that predates the chain ---------------------------------


def migrate_to(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    loader = MigrationLoader(connection)
    return loader.project_state(list(loader.applied_migrations)).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_chains_rows_written_before_the_chain_existed():
    old = migrate_to([("compounds", "0002_compound_notice_days")])
    get = old.get_model
    staff = get("auth", "User").objects.create(username="worker")
    compound = get("compounds", "Compound").objects.create(name="老小区")
    unit = get("compounds", "BuildingUnit").objects.create(
        building=get("compounds", "Building").objects.create(compound=compound, name="1幢"), name="1单元"
    )
    home = get("compounds", "Household").objects.create(compound=compound, unit=unit, room="101", area="80.50")
    meeting = get("meetings", "Meeting").objects.create(compound=compound, title="议事会", code="OLD01")
    now = timezone.now()
    later = get("meetings", "AttendanceLog").objects.create(
        meeting=meeting, household=home, action="sign_in", by=staff, by_name="worker", at=now
    )
    earlier = get("meetings", "AttendanceLog").objects.create(
        meeting=meeting, household=home, action="undo", by=staff, by_name="worker", at=now - timedelta(days=1)
    )
    poll = get("voting", "Poll").objects.create(meeting=meeting, title="x", certificate={"result": {}})
    audit = get("voting", "BallotAudit").objects.create(
        poll=poll, household=home, event="entered", channel="paper", choice="for", entered_by=staff, at=now
    )
    get("compounds", "Compound").objects.create(name="空小区")  # nothing to chain

    migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes())

    compound = Compound.objects.get(name="老小区")
    entries = chain(compound)
    assert [e.kind for e in entries] == [
        "ledger.backfilled",
        "meetings.attendancelog",
        "meetings.attendancelog",
        "voting.ballotaudit",
    ]
    assert json.loads(entries[0].payload)["rows"] == 3
    # In the order of their own time, then id.
    assert [e.source_pk for e in entries[1:]] == [earlier.pk, later.pk, audit.pk]
    assert ledger.verify(compound).ok
    assert not LedgerEntry.objects.filter(compound__name="空小区").exists()
    # New writes continue the chain.
    live = AttendanceLog.objects.create(meeting_id=meeting.pk, household_id=home.pk, action="sign_in", by_name="worker")
    assert entry_of(live).seq == 5 and ledger.verify(compound).ok
    assert ProposalVersion.objects.count() == 0


# --- Who appends ----------------------------------------------------------------


def test_only_actions_and_the_models_append_to_the_chain():
    """Appends happen inside the write they record: in an app's actions.py or
    an AppendOnly model's save(), nowhere else (compounds/ledger.py)."""
    root = Path(__file__).resolve().parent.parent
    appends = {"record", "append_rows", "append"}
    allowed = {"compounds/ledger.py", "compounds/models/ledger.py"}
    offenders = []
    for app in ["compounds", "meetings", "proposals", "voting", "minutes", "demo", "deliberation"]:
        for path in (root / app).rglob("*.py"):
            relative = str(path.relative_to(root))
            if "migrations" in relative or path.name == "actions.py" or relative in allowed:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Attribute)
                    and node.attr in appends
                    and ast.unparse(node.value) in {"ledger", "LedgerEntry"}
                ):
                    offenders.append(f"{relative}: {ast.unparse(node)}")
    assert offenders == []


def test_the_chain_reads_in_the_admin(client, flow):
    root = get_user_model().objects.create_superuser("root", password="pw")
    client.force_login(root)
    assert client.get(reverse("admin:compounds_ledgerentry_changelist")).status_code == 200
