"""Rules of the code's shape that a linter does not check.

Every write others must see is an action: only an app's actions.py calls the
realtime write API (bump, broadcast_on_commit, ...), so a write cannot skip
the revision or the push, and a reader of actions.py sees every one of them.
(The one-way imports are import-linter's contracts, run by `make lint`.)
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["compounds", "meetings", "proposals", "voting", "minutes", "demo", "deliberation"]
WRITE_API = {"bump", "broadcast_on_commit", "touch_on_commit", "tell_sockets_on_commit", "mark_dirty", "push"}


def write_api_uses(source):
    """Names of the realtime write API a module's source imports or reaches
    through the realtime module (`realtime.bump(...)`)."""
    tree = ast.parse(source)
    used, aliases = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith("deliberation.realtime"):
                used |= {alias.name for alias in node.names} & WRITE_API
            if node.module == "deliberation":
                aliases |= {alias.asname or alias.name for alias in node.names if alias.name == "realtime"}
        elif isinstance(node, ast.Import):
            aliases |= {alias.asname for alias in node.names if alias.name.startswith("deliberation.realtime")}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in WRITE_API:
            base = node.value
            if isinstance(base, ast.Name) and base.id in aliases:
                used.add(node.attr)
            elif ast.unparse(base).startswith("deliberation.realtime"):
                used.add(node.attr)
    return used


def modules():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts or relative.parts[:2] == ("deliberation", "realtime"):
                continue
            yield relative, path.read_text(encoding="utf-8")


def test_only_actions_call_the_realtime_write_api():
    offenders = {
        str(path): sorted(used)
        for path, source in modules()
        if path.name != "actions.py" and (used := write_api_uses(source))
    }
    assert offenders == {}


def test_the_apps_write_through_their_actions():
    """The rule above holds because actions do the writing, not because the
    scan finds nothing: each app with live writes has them in actions.py."""
    found = {str(path) for path, source in modules() if path.name == "actions.py" and write_api_uses(source)}
    assert found == {"meetings/actions.py", "proposals/actions.py", "voting/actions.py"}


def test_the_scan_sees_every_way_of_reaching_the_write_api():
    assert write_api_uses("from deliberation.realtime import bump, render_panels") == {"bump"}
    assert write_api_uses("from deliberation.realtime.writes import push") == {"push"}
    assert write_api_uses("from deliberation import realtime\nrealtime.mark_dirty(1, ())") == {"mark_dirty"}
    assert write_api_uses("from deliberation import realtime as rt\nrt.broadcast_on_commit(1)") == {
        "broadcast_on_commit"
    }
    assert write_api_uses("import deliberation.realtime\ndeliberation.realtime.touch_on_commit(1, ())") == {
        "touch_on_commit"
    }
    assert write_api_uses("from deliberation.realtime import AUDIENCES, get_hub") == set()
