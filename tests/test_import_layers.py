"""The layers of the code, read from its imports: gateway -> auth -> protocols -> storage, with
services above auth and reaching the authorizer only through its interface.

Every import counts, at module level, under ``TYPE_CHECKING`` or inside a function: a lazy
import is still a dependency. The cloud and the registry are the composition root: nothing
below them imports them, and no two modules import each other in a circle.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

SRC = pathlib.Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "overcast"

# layer -> what it must never import (prefixes of module names)
FORBIDDEN = {
    "overcast.storage": ("overcast.services", "overcast.cloud", "overcast.gateway", "overcast.auth",
                         "overcast.protocols", "overcast.imds", "overcast.runtime"),
    "overcast.protocols": ("overcast.services", "overcast.cloud", "overcast.gateway", "overcast.auth",
                           "overcast.imds"),
    "overcast.runtime": ("overcast.services", "overcast.cloud", "overcast.gateway", "overcast.auth",
                         "overcast.imds"),
    "overcast.auth": ("overcast.services", "overcast.cloud", "overcast.gateway", "overcast.imds"),
    "overcast.context": ("overcast.services", "overcast.cloud", "overcast.gateway", "overcast.auth"),
    "overcast.errors": ("overcast.",),
    "overcast.services": ("overcast.cloud", "overcast.gateway", "overcast.cli"),
    # the gateway reaches services through the cloud's registry, never a service's module
    "overcast.gateway": tuple(f"overcast.services.{name}" for name in ("s3", "sqs", "iam", "sts", "ec2"))
    + ("overcast.services.registry", "overcast.services.base"),
}


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: pathlib.Path) -> tuple[set[str], set[str]]:
    """(every overcast module ``path`` imports, those imported at module level)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    every, top = set(), set()
    top_nodes = set()
    for node in tree.body:
        for inner in ast.walk(node):
            if not isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)):
                top_nodes.add(id(inner))
            else:
                break
    for node in ast.walk(tree):
        found = []
        if isinstance(node, ast.Import):
            found = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            found = [base]
        found = [f for f in found if f == "overcast" or f.startswith("overcast.")]
        every.update(found)
        if id(node) in top_nodes and _at_module_level(tree, node):
            top.update(found)
    return every, top


def _at_module_level(tree: ast.Module, target: ast.AST) -> bool:
    """Whether ``target`` runs when the module is imported (not inside a function)."""
    stack = [(child, False) for child in tree.body]
    while stack:
        node, in_function = stack.pop()
        if node is target:
            return not in_function
        inner = in_function or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        stack.extend((child, inner) for child in ast.iter_child_nodes(node))
    return False


MODULES = {_module_name(path): _imports(path) for path in sorted(PACKAGE.rglob("*.py"))}


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_nothing_above_it(layer):
    offending = sorted(
        f"{module} imports {imported}"
        for module, (every, _) in MODULES.items()
        if module == layer or module.startswith(layer + ".")
        for imported in every
        if any(imported == bad.rstrip(".") or imported.startswith(bad if bad.endswith(".") else bad + ".")
               or imported == bad for bad in FORBIDDEN[layer])
    )
    assert not offending, "\n".join(offending)


def test_no_circle_between_modules():
    """No two modules import each other, directly or around a circle, when loaded (module
    level, ``TYPE_CHECKING`` included)."""
    graph = {module: {i for i in top if i in MODULES and i != module} for module, (_, top) in MODULES.items()}
    # a package's __init__ importing its own submodules is how packages export: not a circle
    for module, targets in graph.items():
        graph[module] = {t for t in targets if not t.startswith(module + ".")}
    state: dict[str, int] = {}
    path: list[str] = []
    circles = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                circles.append(path[path.index(target):] + [target])
            elif target not in state:
                visit(target)
        path.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    assert not circles, "\n".join(" -> ".join(c) for c in circles[:10])
