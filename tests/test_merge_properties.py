"""Property tests of the three-way merge on real connectors: fork upgrades that never lose anything.

Each example takes one real version from ``../shared/corpus/history`` as BASE, draws random
edits for the fork and for upstream, and merges them with :func:`connver.upgrade.merge_upgrade`:

* edits to different elements (an operation's summary, a parameter's description, a new
  operation, a connection parameter's display name, a policy template instance added, a
  schema property added) all end up in the result, and nothing else changes;
* edits to the same element with different values are conflicts that record both values;
* one side removing a whole container (``policyTemplateInstances``, ``connectionParameters``,
  a schema's ``properties``) removes exactly the elements it had, and what the other side
  added to it survives;
* script.csx edits on lines apart from each other are all kept; the same line changed on
  both sides is a conflict with both line ranges.

After every merge, the result passes the consistency check when the three inputs did, and
the upgrade check of the result (as the new fork, same BASE and UPSTREAM) finds nothing left
to apply and merges to the same files again. Examples are derandomized so CI is deterministic.
"""

from __future__ import annotations

import copy
import functools
import json
from dataclasses import dataclass
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, corpus_available
from connver.consistency import check_source
from connver.jsontext import load_json
from connver.merge import ConflictKind, Prefer, json_equal
from connver.model import HTTP_METHODS
from connver.sourcefiles import SourceFiles
from connver.upgrade import check_upgrade, merge_upgrade

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not corpus_available(), reason="../shared/corpus is not present"),
]

SWAGGER, PROPERTIES, SCRIPT = "apiDefinition.swagger.json", "apiProperties.json", "script.csx"

#: Versions with policies, connection parameters (or parameter sets), definitions and script.csx.
JSON_VERSIONS = ("airmeet/08_c4a5d191", "3e-events/06_f181422b", "business-assist/12_61ffefce")
SCRIPT_VERSIONS = ("airmeet/08_c4a5d191", "business-assist/12_61ffefce", "snowflake/10_b3000380")

PROPERTY_SETTINGS = settings(max_examples=30, deadline=None, derandomize=True, database=None,
                             suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                                    HealthCheck.function_scoped_fixture])

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12)


# --------------------------------------------------------------------------- the corpus versions


@functools.lru_cache(maxsize=None)
def version(name: str) -> dict[str, Any]:
    """One corpus version parsed: ``swagger``, ``props`` (apiProperties.json) and ``script`` (text or None)."""
    folder = CORPUS / "history" / name
    swagger, _ = load_json((folder / SWAGGER).read_bytes(), SWAGGER)
    props, _ = load_json((folder / PROPERTIES).read_bytes(), PROPERTIES)
    script = folder / SCRIPT
    return {"swagger": swagger, "props": props,
            "script": script.read_bytes().decode("utf-8") if script.exists() else None}


def files_of(state: dict[str, Any], label: str) -> SourceFiles:
    files = {SWAGGER: (json.dumps(state["swagger"], indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
             PROPERTIES: (json.dumps(state["props"], indent=2, ensure_ascii=False) + "\n").encode("utf-8")}
    if state.get("script") is not None:
        files[SCRIPT] = state["script"].encode("utf-8")
    return SourceFiles(label, files)


def parsed(files: dict[str, bytes]) -> dict[str, Any]:
    out: dict[str, Any] = {"swagger": load_json(files[SWAGGER], SWAGGER)[0],
                           "props": load_json(files[PROPERTIES], PROPERTIES)[0]}
    out["script"] = files[SCRIPT].decode("utf-8") if SCRIPT in files else None
    return out


def operations(swagger: dict) -> dict[str, dict]:
    return {op["operationId"]: op for item in swagger["paths"].values() if isinstance(item, dict)
            for method, op in item.items()
            if method in HTTP_METHODS and isinstance(op, dict) and isinstance(op.get("operationId"), str)}


def props(state: dict) -> dict:
    return state["props"]["properties"]


# --------------------------------------------------------------------------- edits


@dataclass(frozen=True)
class Edit:
    """One edit of one element: ``element`` names it (two edits with the same element touch the
    same thing), ``value`` is the text it writes there, ``location`` is where a conflict on it
    is reported."""

    kind: str
    key: tuple
    value: str

    @property
    def element(self) -> tuple:
        return (self.kind, *self.key)

    def apply(self, state: dict) -> None:
        APPLY[self.kind](state, self.key, self.value)

    def location(self, fork: dict) -> str:
        k = self.key
        if self.kind == "summary":
            return f"operation/{k[0]}/summary"
        if self.kind == "param-description":
            return f"operation/{k[0]}/parameter/{k[2]}/description"
        if self.kind == "new-operation":
            return f"operation/{k[0]}/summary"
        if self.kind == "connection-display":
            return f"connection/{k[0]}/uiDefinition/displayName"
        if self.kind == "set-display":
            return f"connection/{k[0]}/{k[1]}/uiDefinition/displayName"
        if self.kind == "new-policy":
            titles = [p.get("title") for p in props(fork)["policyTemplateInstances"]]
            return f"policyTemplateInstances/{titles.index(k[0])}/parameters/x-ms-apimTemplateParameter.value"
        if self.kind == "new-schema-property":
            return f"definitions/{k[0]}/{k[1]}/description"
        if self.kind == "new-connection-parameter":
            return f"connection/{k[0]}/uiDefinition/displayName"
        raise AssertionError(self.kind)


def _summary(state, key):
    return operations(state["swagger"])[key[0]], "summary"


def _param_description(state, key):
    op_id, where, name = key
    [param] = [p for p in operations(state["swagger"])[op_id]["parameters"]
               if p.get("in") == where and p.get("name") == name]
    return param, "description"


def _connection_display(state, key):
    return props(state)["connectionParameters"][key[0]]["uiDefinition"], "displayName"


def _set_display(state, key):
    [entry] = [v for v in props(state)["connectionParameterSets"]["values"] if v.get("name") == key[0]]
    return entry["parameters"][key[1]]["uiDefinition"], "displayName"


#: Edits of an existing element: where the member they write is (its object and key).
LEAF: dict[str, Callable] = {"summary": _summary, "param-description": _param_description,
                             "connection-display": _connection_display, "set-display": _set_display}


def _set_leaf(kind):
    def apply(state, key, value):
        holder, member = LEAF[kind](state, key)
        holder[member] = value
    return apply


def _new_operation(state, key, value):
    state["swagger"]["paths"][f"/hypothesis/{key[0]}"] = {"get": {
        "operationId": key[0], "summary": value, "responses": {"200": {"description": "OK"}}}}


def _new_policy(state, key, value):
    props(state).setdefault("policyTemplateInstances", []).append({
        "templateId": "setheader", "title": key[0],
        "parameters": {"x-ms-apimTemplateParameter.name": f"X-{key[0]}", "x-ms-apimTemplateParameter.value": value,
                       "x-ms-apimTemplateParameter.existsAction": "override",
                       "x-ms-apimTemplate-policySection": "Request"}})


def _new_schema_property(state, key, value):
    schema = state["swagger"]["definitions"][key[0]]
    schema.setdefault("properties", {})[key[1]] = {"type": "string", "description": value}


def _new_connection_parameter(state, key, value):
    props(state).setdefault("connectionParameters", {})[key[0]] = {
        "type": "string", "uiDefinition": {"displayName": value, "constraints": {"required": "false"}}}


APPLY: dict[str, Callable] = {
    **{kind: _set_leaf(kind) for kind in LEAF}, "new-operation": _new_operation, "new-policy": _new_policy,
    "new-schema-property": _new_schema_property, "new-connection-parameter": _new_connection_parameter,
}


@functools.lru_cache(maxsize=None)
def existing_elements(name: str) -> tuple[tuple[str, tuple], ...]:
    """The elements of a version an edit can change: (kind, key)."""
    state = version(name)
    out: list[tuple[str, tuple]] = []
    for op_id, op in operations(state["swagger"]).items():
        out.append(("summary", (op_id,)))
        seen = set()
        for p in op.get("parameters", []):
            if isinstance(p.get("name"), str) and isinstance(p.get("in"), str) and (p["in"], p["name"]) not in seen:
                seen.add((p["in"], p["name"]))
                out.append(("param-description", (op_id, p["in"], p["name"])))
    for cp, value in (props(state).get("connectionParameters") or {}).items():
        if isinstance(value.get("uiDefinition"), dict):
            out.append(("connection-display", (cp,)))
    for entry in (props(state).get("connectionParameterSets") or {}).get("values", []):
        for cp, value in entry.get("parameters", {}).items():
            if isinstance(value.get("uiDefinition"), dict):
                out.append(("set-display", (entry["name"], cp)))
    return tuple(out)


def new_element_kinds(name: str) -> tuple[str, ...]:
    state = version(name)
    kinds = ["new-operation", "new-policy"]
    if any(isinstance(s, dict) for s in state["swagger"].get("definitions", {}).values()):
        kinds.append("new-schema-property")
    if "connectionParameters" in props(state):
        kinds.append("new-connection-parameter")
    return tuple(kinds)


def new_element_key(name: str, kind: str, tag: str) -> tuple:
    if kind == "new-schema-property":
        schema = next(k for k, s in version(name)["swagger"]["definitions"].items() if isinstance(s, dict))
        return (schema, f"hyp_{tag}")
    return (f"Hyp{tag}",)


@st.composite
def edit_sets(draw, name: str, *, conflicts: bool):
    """Fork and upstream edits of distinct elements; with ``conflicts``, also elements both edit
    with different values (returned as pairs)."""
    pool = existing_elements(name)
    indexes = draw(st.lists(st.integers(0, len(pool) - 1), unique=True, max_size=8))
    sides = draw(st.lists(st.sampled_from(["fork", "upstream", "both"] if conflicts else ["fork", "upstream"]),
                          min_size=len(indexes), max_size=len(indexes)))
    fork: list[Edit] = []
    upstream: list[Edit] = []
    both: list[tuple[Edit, Edit]] = []
    counter = iter(range(10_000))

    def text(side: str) -> str:
        return f"{draw(TEXT)} [{side} {next(counter)}]"

    for index, side in zip(indexes, sides):
        kind, key = pool[index]
        if side == "both":
            both.append((Edit(kind, key, text("fork")), Edit(kind, key, text("upstream"))))
        else:
            (fork if side == "fork" else upstream).append(Edit(kind, key, text(side)))
    for kind in new_element_kinds(name):
        for side, edits in (("fork", fork), ("upstream", upstream)):
            for n in range(draw(st.integers(0, 2))):
                edits.append(Edit(kind, new_element_key(name, kind, f"{side.capitalize()}{n}"), text(side)))
        if conflicts and draw(st.booleans()):  # the same new element on both sides, different values
            key = new_element_key(name, kind, "Both")
            both.append((Edit(kind, key, text("fork")), Edit(kind, key, text("upstream"))))
    return fork, upstream, both


def has_leaf(state: dict, edit: Edit) -> bool:
    """Whether ``state`` already has the member ``edit`` writes (so changing it, not adding it)."""
    if edit.kind not in LEAF:
        return False
    holder, member = LEAF[edit.kind](state, edit.key)
    return member in holder


def applied(base: dict, *edits: Edit) -> dict:
    state = copy.deepcopy(base)
    for edit in edits:
        edit.apply(state)
    return state


def normal(state: dict) -> dict:
    """Policy template instances in a fixed order: where each side's new ones go is the merge's
    choice (after the key preceding them upstream), not what these tests check."""
    state = copy.deepcopy(state)
    policies = props(state).get("policyTemplateInstances")
    if isinstance(policies, list):
        policies.sort(key=lambda p: json.dumps(p, sort_keys=True))
    return state


def assert_same(merged: dict, expected: dict) -> None:
    for part in ("swagger", "props"):
        got, want = normal(merged)[part], normal(expected)[part]
        assert json_equal(got, want), _first_difference(got, want)
    assert merged["script"] == expected["script"]


def _first_difference(a: Any, b: Any, path: str = "") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in dict.fromkeys([*a, *b]):
            if key not in a or key not in b or not json_equal(a[key], b[key]):
                return _first_difference(a.get(key, "<absent>"), b.get(key, "<absent>"), f"{path}/{key}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            if not json_equal(x, y):
                return _first_difference(x, y, f"{path}/{i}")
    return f"{path}: merged {json.dumps(a)[:300]} != expected {json.dumps(b)[:300]}"


# --------------------------------------------------------------------------- after every merge


def merge_and_recheck(base: dict, fork: dict, upstream: dict, prefer: Prefer = Prefer.FORK):
    """Merge, then check what must hold of every merge: a consistent result from consistent
    inputs, and an upgrade check of the result that has nothing left to apply."""
    sides = [files_of(state, label) for state, label in ((base, "base"), (fork, "fork"), (upstream, "upstream"))]
    outcome = merge_upgrade(*sides, prefer=prefer)
    merged_files = SourceFiles("merged", outcome.files)
    if all(check_source(side, lines=False).ok for side in sides):
        event("inputs consistent: the result is checked")
        result = check_source(merged_files, lines=False)
        assert result.ok, [d.message for d in result.dangling]
    again = check_upgrade(merged_files, sides[2], sides[0])
    assert again.incoming == [], [(c.rule, c.location) for c in again.incoming]
    assert json_equal(parsed(again.outcome.files), parsed(outcome.files))  # merging again changes nothing
    return parsed(outcome.files), outcome


# --------------------------------------------------------------------------- the properties


@PROPERTY_SETTINGS
@given(data=st.data())
def test_edits_to_different_elements_are_all_kept(data):
    name = data.draw(st.sampled_from(JSON_VERSIONS), label="version")
    fork_edits, upstream_edits, _ = data.draw(edit_sets(name, conflicts=False), label="edits")
    assume(fork_edits and upstream_edits)
    base = version(name)
    merged, outcome = merge_and_recheck(base, applied(base, *fork_edits), applied(base, *upstream_edits))
    assert outcome.conflicts == ()
    assert_same(merged, applied(base, *fork_edits, *upstream_edits))


@PROPERTY_SETTINGS
@given(data=st.data())
def test_same_element_changed_differently_is_a_conflict_with_both_values(data):
    name = data.draw(st.sampled_from(JSON_VERSIONS), label="version")
    fork_edits, upstream_edits, both = data.draw(edit_sets(name, conflicts=True), label="edits")
    assume(both)
    event(f"{len(both)} conflicting elements: " + ", ".join(sorted({f.kind for f, _ in both})))
    prefer = data.draw(st.sampled_from(list(Prefer)), label="prefer")
    base = version(name)
    fork = applied(base, *fork_edits, *(f for f, _ in both))
    upstream = applied(base, *upstream_edits, *(u for _, u in both))
    merged, outcome = merge_and_recheck(base, fork, upstream, prefer)

    found = {(c.fork, c.upstream): c for c in outcome.conflicts}
    assert len(found) == len(outcome.conflicts) == len(both), [c.to_dict() for c in outcome.conflicts]
    for f, u in both:
        conflict = found[(f.value, u.value)]
        assert conflict.location == f.location(fork)
        assert conflict.kind is (ConflictKind.BOTH_CHANGED if has_leaf(base, f) else ConflictKind.BOTH_ADDED)
        assert conflict.kept is prefer
    kept = [f if prefer is Prefer.FORK else u for f, u in both]
    assert_same(merged, applied(base, *fork_edits, *upstream_edits, *kept))


# -- removing a whole container


@dataclass(frozen=True)
class Container:
    """A keyed collection one side can remove as a whole: how to remove it, list its elements
    (key -> value) and the edit kinds that add to it or change one of its elements."""

    name: str
    remove: Callable[[dict], None]
    elements: Callable[[dict], dict]
    add_kind: str
    change_kind: str | None = None


def _definition(state: dict) -> dict:
    """The schema whose properties the tests remove: the first definition (in BASE) that has some."""
    return state["swagger"]["definitions"][SCHEMA_WITH_PROPERTIES]


SCHEMA_WITH_PROPERTIES = "tracked_attribute"  # 3e-events' first definition with properties


CONTAINERS = {
    "policyTemplateInstances": Container(
        "policyTemplateInstances", lambda s: props(s).pop("policyTemplateInstances"),
        lambda s: {p["title"]: p for p in props(s).get("policyTemplateInstances", [])}, "new-policy"),
    "connectionParameters": Container(
        "connectionParameters", lambda s: props(s).pop("connectionParameters"),
        lambda s: dict(props(s).get("connectionParameters", {})), "new-connection-parameter", "connection-display"),
    "schema properties": Container(
        "schema properties", lambda s: _definition(s).pop("properties"),
        lambda s: dict(_definition(s).get("properties", {})), "new-schema-property"),
}


def containers_of(name: str) -> list[str]:
    state = version(name)
    out = []
    if props(state).get("policyTemplateInstances"):
        out.append("policyTemplateInstances")
    if props(state).get("connectionParameters"):
        out.append("connectionParameters")
    if isinstance(state["swagger"].get("definitions", {}).get(SCHEMA_WITH_PROPERTIES), dict):
        out.append("schema properties")
    return out


@PROPERTY_SETTINGS
@given(data=st.data())
def test_removing_a_whole_container_removes_its_elements_and_keeps_the_other_sides_additions(data):
    name = data.draw(st.sampled_from(JSON_VERSIONS), label="version")
    container = CONTAINERS[data.draw(st.sampled_from(containers_of(name)), label="container")]
    remover = data.draw(st.sampled_from(["fork", "upstream"]), label="remover")
    prefer = data.draw(st.sampled_from(list(Prefer)), label="prefer")
    base = version(name)
    # the other side adds to the container, may change one of its elements, and edits elsewhere
    schema = container.add_kind == "new-schema-property"
    added = [Edit(container.add_kind, (SCHEMA_WITH_PROPERTIES, f"hyp_{n}") if schema else (f"HypOther{n}",),
                  f"{data.draw(TEXT)} [other {n}]")
             for n in range(data.draw(st.integers(0, 2), label="added"))]
    changed: list[Edit] = []
    if container.change_kind and data.draw(st.booleans(), label="change one"):
        keys = [key for kind, key in existing_elements(name) if kind == container.change_kind]
        changed = [Edit(container.change_kind, data.draw(st.sampled_from(keys)), f"{data.draw(TEXT)} [changed]")]
    elsewhere = [Edit(kind, key, f"{data.draw(TEXT)} [elsewhere {n}]") for n, (kind, key) in enumerate(
        data.draw(st.lists(st.sampled_from([e for e in existing_elements(name)
                                            if e[0] not in ("connection-display", container.change_kind)]),
                           unique=True, max_size=3), label="elsewhere"))]
    event(f"{name}: {container.name} removed by {remover}, {len(added)} added, {len(changed)} changed")
    removed = copy.deepcopy(base)
    container.remove(removed)
    other = applied(base, *added, *changed, *elsewhere)
    fork, upstream = (removed, other) if remover == "fork" else (other, removed)
    merged, outcome = merge_and_recheck(base, fork, upstream, prefer)

    # what is left of the container: the other side's additions, and its changed element
    # when the merge keeps the side that changed it (a conflict: changed here, removed there)
    keeps_changed = (prefer.value != remover)
    base_keys = set(container.elements(base))
    wanted = {k for k in container.elements(other) if k not in base_keys}
    if changed and keeps_changed:
        wanted.add(changed[0].key[0])
    assert set(container.elements(merged)) == wanted
    assert [(c.kind, c.location) for c in outcome.conflicts] == [
        (ConflictKind.FORK_REMOVED if remover == "fork" else ConflictKind.UPSTREAM_REMOVED, f"connection/{e.key[0]}")
        for e in changed]
    for conflict in outcome.conflicts:
        assert (conflict.fork if remover == "upstream" else conflict.upstream)["uiDefinition"]["displayName"] \
            == changed[0].value
    expected = copy.deepcopy(other)
    for key in base_keys - wanted:
        _drop(container, expected, key)
    if not container.elements(expected):
        container.remove(expected)
    assert_same(merged, expected)


def _drop(container: Container, state: dict, key: str) -> None:
    if container.name == "policyTemplateInstances":
        policies = props(state)["policyTemplateInstances"]
        props(state)["policyTemplateInstances"] = [p for p in policies if p["title"] != key]
    elif container.name == "connectionParameters":
        del props(state)["connectionParameters"][key]
    else:
        del _definition(state)["properties"][key]


# -- script.csx by lines


@dataclass(frozen=True)
class LineEdit:
    """``replace`` or ``delete`` base line ``line`` (0-based), or ``insert`` a line before it."""

    op: str
    line: int
    text: str = ""

    @property
    def span(self) -> tuple[int, int]:
        """The base lines it changes, as git counts them: an insertion is empty, at its place."""
        return (self.line, self.line) if self.op == "insert" else (self.line, self.line + 1)


def apart(a: LineEdit, b: LineEdit) -> bool:
    """Whether at least one unchanged base line separates the two (git merges them cleanly)."""
    (a1, a2), (b1, b2) = a.span, b.span
    return a2 < b1 or b2 < a1


def edited(lines: list[str], *edits: LineEdit) -> str:
    inserts: dict[int, list[str]] = {}
    changes: dict[int, LineEdit] = {}
    for e in edits:
        if e.op == "insert":
            inserts.setdefault(e.line, []).append(e.text)
        else:
            assert e.line not in changes
            changes[e.line] = e
    out = []
    for i, line in enumerate(lines + [""]):
        out += inserts.get(i, [])
        if i < len(lines):
            change = changes.get(i)
            out.append(line if change is None else change.text if change.op == "replace" else "")
    return "".join(out)


@st.composite
def line_edits(draw, lines: list[str], side: str, taken: list[LineEdit], *, max_size: int = 4):
    """Edits of one side, each at least one unchanged line apart from every edit in ``taken``
    (the other side's) and from each other; only lines that occur once are deleted (git
    could see another copy of a repeated line go)."""
    counts: dict[str, int] = {}
    for line in lines:
        counts[line] = counts.get(line, 0) + 1
    out: list[LineEdit] = []
    for n in range(draw(st.integers(1, max_size))):
        op = draw(st.sampled_from(["replace", "insert", "delete"]))
        line = draw(st.integers(0, len(lines) - (0 if op == "insert" else 1)))
        edit = LineEdit(op, line, f"// {side} {n}: {draw(TEXT)}\n" if op != "delete" else "")
        if op == "delete" and counts[lines[line]] > 1:
            continue
        if all(apart(edit, other) for other in (*taken, *out)):
            out.append(edit)
    return out


def script_lines(name: str) -> list[str]:
    """script.csx's lines as git counts them (ended by LF only)."""
    text = version(name)["script"]
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def script_states(name: str, fork_edits, upstream_edits) -> tuple[dict, dict, dict]:
    base = version(name)
    lines = script_lines(name)
    return (base, dict(base, script=edited(lines, *fork_edits)), dict(base, script=edited(lines, *upstream_edits)))


@PROPERTY_SETTINGS
@given(data=st.data())
def test_script_edits_on_different_lines_are_all_kept(data):
    name = data.draw(st.sampled_from(SCRIPT_VERSIONS), label="version")
    lines = script_lines(name)
    fork_edits = data.draw(line_edits(lines, "fork", []), label="fork")
    upstream_edits = data.draw(line_edits(lines, "upstream", fork_edits), label="upstream")
    assume(fork_edits and upstream_edits)
    base, fork, upstream = script_states(name, fork_edits, upstream_edits)
    merged, outcome = merge_and_recheck(base, fork, upstream)
    assert outcome.conflicts == () and outcome.marked == {}
    assert merged["script"] == edited(lines, *fork_edits, *upstream_edits)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_script_line_changed_on_both_sides_is_a_conflict_with_line_ranges(data):
    name = data.draw(st.sampled_from(SCRIPT_VERSIONS), label="version")
    lines = script_lines(name)
    prefer = data.draw(st.sampled_from(list(Prefer)), label="prefer")
    clashes: list[tuple[LineEdit, LineEdit]] = []
    for n in range(data.draw(st.integers(1, 3), label="clashes")):
        line = data.draw(st.integers(0, len(lines) - 1))
        pair = (LineEdit("replace", line, f"// fork clash {n}: {data.draw(TEXT)}\n"),
                LineEdit("replace", line, f"// upstream clash {n}: {data.draw(TEXT)}\n"))
        if all(apart(pair[0], other) for other, _ in clashes):
            clashes.append(pair)
    taken = [e for pair in clashes for e in pair]
    fork_edits = data.draw(line_edits(lines, "fork", taken, max_size=3), label="fork")
    upstream_edits = data.draw(line_edits(lines, "upstream", taken + fork_edits, max_size=3), label="upstream")
    base, fork, upstream = script_states(name, [*fork_edits, *(f for f, _ in clashes)],
                                         [*upstream_edits, *(u for _, u in clashes)])
    merged, outcome = merge_and_recheck(base, fork, upstream, prefer)

    def moved(line: int, edits: list[LineEdit]) -> int:
        """Base line ``line`` (0-based) as a 1-based line number on a side with ``edits``."""
        return line + 1 + sum(e.op == "insert" and e.line <= line for e in edits) \
            - sum(e.op == "delete" and e.line < line for e in edits)

    assert [(c.file, c.kind) for c in outcome.conflicts] == [(SCRIPT, ConflictKind.BOTH_CHANGED)] * len(clashes)
    for conflict, (f, u) in zip(outcome.conflicts, sorted(clashes, key=lambda pair: pair[0].line)):
        assert conflict.location == f"lines/{f.line + 1}"
        assert conflict.base == {"lines": [f.line + 1, f.line + 1], "text": lines[f.line]}
        at = moved(f.line, fork_edits)
        assert conflict.fork == {"lines": [at, at], "text": f.text}
        at = moved(u.line, upstream_edits)
        assert conflict.upstream == {"lines": [at, at], "text": u.text}
        assert conflict.kept is prefer
    kept = [f if prefer is Prefer.FORK else u for f, u in clashes]
    assert merged["script"] == edited(lines, *fork_edits, *upstream_edits, *kept)
    marked = outcome.marked[SCRIPT].decode("utf-8")
    assert marked.count("<<<<<<< yours") == len(clashes)
    assert all(f.text in marked and u.text in marked for f, u in clashes)
