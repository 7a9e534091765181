"""The import graph of the tfjs package: one direction of imports, and the FFI only in tfjs.platform.

Every ``import`` statement of every module is read (at module level and inside functions: a lazy import
is a dependency too; those under ``if TYPE_CHECKING:`` are not run and are left out). ``from P import n``
depends on the module P.n when that is a module, else on P. A package's ``__init__`` counts as a module.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "py"
PACKAGE = "tfjs"
FFI = {"js", "pyodide", "pyodide_js"}


@functools.lru_cache(maxsize=None)
def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


@functools.lru_cache(maxsize=None)
def _tree(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or \
        (isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING")


def _absolute(mod: str, is_pkg: bool, name: str | None, level: int) -> str:
    """The absolute name of an import in module ``mod`` (``level`` dots for a relative one)."""
    if not level:
        return name
    base = mod.split(".") if is_pkg else mod.split(".")[:-1]
    base = base[:len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def _imports(tree: ast.AST):
    """(node, absolute-or-relative name, level, imported names) for every import run by the module."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name, 0, []
        elif isinstance(node, ast.ImportFrom):
            yield node, node.module or "", node.level, [a.name for a in node.names]
        stack.extend(ast.iter_child_nodes(node))


def import_graph() -> tuple[dict[str, set[str]], list[str]]:
    """(module -> the tfjs modules it imports, FFI imports outside tfjs.platform as 'module:line name')."""
    modules = _modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    ffi = []
    for mod, path in modules.items():
        is_pkg = path.name == "__init__.py"
        tree = _tree(path)
        for node, name, level, names in _imports(tree):
            target = _absolute(mod, is_pkg, name, level)
            top = target.split(".")[0]
            if top in FFI and not (mod == f"{PACKAGE}.platform" or mod.startswith(f"{PACKAGE}.platform.")):
                ffi.append(f"{mod}:{node.lineno} imports {target}")
            if top != PACKAGE:
                continue
            hits = [f"{target}.{n}" for n in names if f"{target}.{n}" in modules]
            if len(hits) < len(names) or not names:
                if target in modules:
                    hits.append(target)
            graph[mod].update(h for h in hits if h != mod)
    return graph, ffi


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _describe(graph, comp) -> str:
    members = set(comp)
    edges = [f"{a} -> {b}" for a in comp for b in sorted(graph[a]) if b in members]
    return "cycle of " + ", ".join(comp) + ":\n    " + "\n    ".join(edges)


def test_the_reader_finds_the_package_and_its_edges():
    graph, _ = import_graph()
    assert len(graph) > 100
    # a module-level and a function-level import, both seen
    assert "tfjs.backends.registry" in graph["tfjs.backends.base"]
    assert "tfjs.errors" in graph["tfjs.ops.dispatch"]


def test_the_cycle_finder_names_every_module_of_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e2"}, "e2": set()}
    assert find_cycles(graph) == [["a", "b", "c"]]


def test_tfjs_imports_have_no_cycle():
    graph, _ = import_graph()
    cycles = find_cycles(graph)
    assert not cycles, "\n".join(_describe(graph, c) for c in cycles)


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The same imports between the parts of tfjs: a subpackage (tfjs.layers, ...) or a top-level module
    (tfjs.models, tfjs.errors, ...). The package's own ``__init__`` (tfjs: the public face that gathers
    every part) is left out. Importing any module of a subpackage runs its ``__init__``, so parts in a
    cycle cannot be imported in either order."""
    def part(mod: str) -> str:
        return ".".join(mod.split(".")[:2])
    out: dict[str, set[str]] = {}
    for a, targets in graph.items():
        if a == PACKAGE:
            continue
        out.setdefault(part(a), set()).update(part(b) for b in targets if b != PACKAGE and part(b) != part(a))
    return out


def test_the_parts_of_tfjs_have_no_cycle():
    graph, _ = import_graph()
    parts = package_graph(graph)
    assert "tfjs.ops" in parts["tfjs.layers"] and "tfjs.backends" in parts["tfjs.ops"]
    cycles = find_cycles(parts)
    detail = []
    for comp in cycles:
        for a in comp:
            for b in comp:
                if b in parts[a]:
                    via = sorted(f"{m} -> {t}" for m, ts in graph.items() if m != PACKAGE and
                                 ".".join(m.split(".")[:2]) == a for t in ts if ".".join(t.split(".")[:2]) == b)
                    detail.append(f"{a} -> {b}: " + "; ".join(via))
    assert not cycles, "cycles between parts:\n" + "\n".join(detail)


def private_reaches() -> list[str]:
    """Private names (``_x``, not dunders) one part of tfjs takes from another: ``from p import _x`` and
    ``m._x`` where ``m`` names a module of another part. Each backend (tfjs.backends.cpu, ...) is a part of
    its own here: no backend reads another's insides."""
    modules = _modules()
    found = []

    def part(mod: str) -> str:
        parts = mod.split(".")
        return ".".join(parts[:3] if parts[:2] == [PACKAGE, "backends"] and len(parts) > 2 and
                        f"{PACKAGE}.backends.{parts[2]}" in modules and
                        modules[f"{PACKAGE}.backends.{parts[2]}"].name == "__init__.py" else parts[:2])

    for mod, path in modules.items():
        is_pkg = path.name == "__init__.py"
        tree = _tree(path)
        aliases: dict[str, str] = {}  # local name -> tfjs module it names
        for node, name, level, names in _imports(tree):
            target = _absolute(mod, is_pkg, name, level)
            if target.split(".")[0] != PACKAGE:
                continue
            if isinstance(node, ast.ImportFrom):
                for a in node.names:
                    sub = f"{target}.{a.name}"
                    if sub in modules:
                        aliases[a.asname or a.name] = sub
                    elif a.name.startswith("_") and not a.name.startswith("__") and part(target) != part(mod):
                        found.append(f"{mod}:{node.lineno} takes {a.name} from {target}")
            else:
                for a in node.names:
                    if a.asname:
                        aliases[a.asname] = a.name
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
                    node.attr.startswith("_") and not node.attr.startswith("__"):
                target = aliases.get(node.value.id)
                if target is not None and part(target) != part(mod):
                    found.append(f"{mod}:{node.lineno} reads {node.value.id}.{node.attr} ({target})")
    return found


def test_no_part_reaches_into_another_parts_private_names():
    found = private_reaches()
    assert not found, "private names taken across parts of tfjs:\n" + "\n".join(found)


def test_only_platform_imports_the_ffi():
    _, ffi = import_graph()
    assert not ffi, "js/pyodide imported outside tfjs.platform:\n" + "\n".join(ffi)
