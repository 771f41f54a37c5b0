"""The package's import graph has no cycle, and the core never imports click.

Every ``import`` statement counts, at module level or inside a function (a function-level
import that closes a cycle is still a cycle, only a hidden one); imports under
``if TYPE_CHECKING:`` do not run and do not count. A sub-module importing its own parent
package (``from . import x`` inside ``connver.rules.y``) is the normal way a package's
parts share its namespace, so an edge to an ancestor package is not followed.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = (("versioning", "connver"), ("cli", "connver.cli"))


def _modules() -> dict[str, tuple[Path, bool]]:
    found = {}
    for folder, prefix in FOLDERS:
        for path in (ROOT / folder).rglob("*.py"):
            parts = list(path.relative_to(ROOT / folder).with_suffix("").parts)
            package = parts[-1] == "__init__"
            if package:
                parts = parts[:-1]
            found[".".join([prefix, *parts])] = (path, package)
    return found


def _is_type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _imports(tree: ast.AST):
    stack = [tree]
    while stack:
        node = stack.pop()
        if _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, (path, package) in modules.items():
        edges = set()
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = name if package else name.rpartition(".")[0]
                for _ in range(node.level - 1 if node.level else 0):
                    base = base.rpartition(".")[0]
                module = (f"{base}.{node.module}" if node.module else base) if node.level else node.module
                targets = [module] + [f"{module}.{alias.name}" for alias in node.names]
            for target in targets:
                if target in modules and target != name and not name.startswith(target + "."):
                    edges.add(target)
        graph[name] = edges
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt, path + [nxt])
                if found:
                    return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start, [start])
            if found:
                return found
    return None


def test_the_walk_sees_the_package():
    graph = _graph()
    assert "connver.engine" in graph and "connver.cli.main" in graph
    assert "connver.changes" in graph["connver.engine"]


def test_no_import_cycle():
    cycle = _cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_a_cycle_would_be_found():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_the_core_imports_click_nowhere():
    for name, (path, _) in _modules().items():
        if name.startswith("connver.cli") or name == "connver.__main__":
            continue
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            assert not any(n == "click" or n.startswith("click.") for n in names), f"{path} imports click"


def test_a_diff_of_two_folders_imports_only_what_it_uses():
    """Start-up: zip, XML, the JSON writer, the solution reader, the text scanner behind
    locations and duplicate keys, the tolerant JSON parser, the operation-family analysis and
    hashing are imported where they are needed (solutions, upgrade, bump --write, a located
    finding, a repeated key, a file json.loads refuses, ``connver bump``, a script or icon to
    compare), not by every diff."""
    import subprocess
    import sys

    demo = ROOT / "fixtures" / "demo"
    code = ("import sys\nfrom connver.cli.main import main\nsys.argv = ['connver', 'diff', sys.argv[1], sys.argv[2]]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('zipfile', 'xml.etree.ElementTree', 'connver.jsontext.write', 'connver.solution',"
            " 'connver.jsontext.scan', 'connver.jsontext.tolerant', 'unicodedata', 'connver.opversions', 'hashlib')"
            " if m in sys.modules), file=sys.stderr)")
    result = subprocess.run([sys.executable, "-c", code, str(demo / "old"), str(demo / "new")],
                            capture_output=True, text=True, check=True)
    assert result.stderr.strip().splitlines()[-1] == "[]", result.stderr


def test_the_json_text_names_read_lazily_are_the_functions():
    import importlib

    import connver.jsontext as jsontext

    importlib.import_module("connver.jsontext.write")
    importlib.import_module("connver.jsontext.locate")
    from connver.jsontext import dump_like, locate, set_info_version

    assert callable(dump_like) and callable(locate) and callable(set_info_version)
    assert set(jsontext.__all__) <= set(dir(jsontext))
