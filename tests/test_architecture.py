"""Structural rules that keep the code base honest."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

LOGIC = Path(__file__).parent.parent / "cds_service" / "logic"
BANNED = {"flask", "requests", "os", "sqlalchemy", "socket", "urllib", "http", "subprocess"}


@pytest.mark.parametrize("path", sorted(LOGIC.rglob("*.py")), ids=lambda p: p.name)
def test_logic_is_sans_io(path: Path) -> None:
    tree = ast.parse(path.read_text())
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert not imported & BANNED, f"{path.name} imports {imported & BANNED}"
