"""Lower layers never import higher ones (docs: the package table in README.md):
decks and aggregates know nothing of live sessions or the web, the live layer
and the reports know nothing of the web (reports are made by the web app, a
script or the benchmark alike), and the shared pieces (errors, text checks)
import nothing of the application."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "strategyroom"

FORBIDDEN = {
    "decks": ("strategyroom.live", "strategyroom.web", "strategyroom.aggregate"),
    "aggregate": ("strategyroom.live", "strategyroom.web", "strategyroom.reports"),
    "live": ("strategyroom.web", "strategyroom.reports"),
    "reports": ("strategyroom.web",),
    "templating.py": ("strategyroom.web", "strategyroom.live"),
    "errors.py": ("strategyroom.live", "strategyroom.web", "strategyroom.decks"),
    "text.py": ("strategyroom.live", "strategyroom.web", "strategyroom.decks"),
}


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_lower_layer_imports_no_higher_one(layer: str) -> None:
    target = PACKAGE / layer
    files = sorted(target.glob("*.py")) if target.is_dir() else [target]
    assert files, layer
    wrong = [
        f"{path.relative_to(PACKAGE)} imports {module}"
        for path in files
        for module in sorted(imports_of(path))
        if module.startswith(FORBIDDEN[layer])
    ]
    assert wrong == []


def test_only_the_live_layer_reaches_into_the_hubs_rooms() -> None:
    """The web layer asks the hub (a socket's state, a device's sockets, closing
    sockets): the rooms, their clients and tasks are the live layer's own."""
    live = PACKAGE / "live"
    wrong = [
        f"{path.relative_to(PACKAGE.parent)}:{node.lineno} uses .{node.attr}"
        for root in (PACKAGE, PACKAGE.parent / "bench", PACKAGE.parent / "rehearsal")
        for path in sorted(root.rglob("*.py"))
        if live not in path.parents
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr in ("rooms", "_rooms")
    ]
    assert wrong == []
