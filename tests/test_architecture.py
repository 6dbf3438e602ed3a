"""Structural rules that keep the code base honest: the boundaries the README describes."""

from __future__ import annotations

import ast
import re
from importlib import import_module
from pathlib import Path

import pytest

from cds_service.logic import catalog
from cds_service.logic.catalog import RULES
from cds_service.logic.catalog import Rule

PACKAGE = Path(__file__).parent.parent / "cds_service"
LOGIC = PACKAGE / "logic"
CLI = PACKAGE / "cli"
#: The decision logic is sans-IO: no web framework, HTTP, database, process or model library.
BANNED_IN_LOGIC = {
    "flask",
    "werkzeug",
    "requests",
    "sqlalchemy",
    "sys",
    "importlib",
    "fhir.resources",
    "pydantic",
    "os",
    "socket",
    "urllib",
    "http",
    "subprocess",
}


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, absolute names; relative ones resolved in the package."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = parts[:-1]  # the package a relative import starts from (also for __init__)
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.add(module)
            names |= {f"{module}.{a.name}" for a in node.names}
    return names


def _banned(name: str, banned: set[str]) -> bool:
    return any(name == b or name.startswith(b + ".") for b in banned)


@pytest.mark.parametrize("path", sorted(LOGIC.rglob("*.py")), ids=lambda p: p.stem)
def test_logic_is_sans_io(path: Path) -> None:
    found = {name for name in _imports(path) if _banned(name, BANNED_IN_LOGIC)}
    assert not found, f"{path.relative_to(PACKAGE)} imports {sorted(found)}"


@pytest.mark.parametrize("path", sorted(LOGIC.rglob("*.py")), ids=lambda p: p.stem)
def test_logic_imports_nothing_of_the_service_around_it(path: Path) -> None:
    outside = {
        name
        for name in _imports(path)
        if name.startswith("cds_service.") and not name.startswith("cds_service.logic")
    }
    assert not outside, f"{path.relative_to(PACKAGE)} imports {sorted(outside)}"


def test_only_the_cli_package_imports_command_line_code() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if CLI not in path.parents and _banned_any(_imports(path), {"cds_service.cli", "click"})
    ]
    assert not offenders


@pytest.mark.parametrize("path", sorted(CLI.glob("*.py")), ids=lambda p: p.stem)
def test_a_command_module_never_imports_the_cli_package_back(path: Path) -> None:
    """``cli/__init__`` gathers the commands; a command importing it back is a cycle."""
    if path.name in ("__init__.py", "__main__.py"):  # the package itself, and ``python -m``
        return
    assert "cds_service.cli" not in _imports(path)


def test_the_entry_point_lists_every_command() -> None:
    from cds_service.cli import main

    assert set(main.commands) == {
        "serve",
        "settings",
        "evaluate",
        "dev-token",
        "report",
        "population",
        "synth",
    }


def _banned_any(names: set[str], banned: set[str]) -> bool:
    return any(_banned(name, banned) for name in names)


TESTS = Path(__file__).parent
#: The tests' helper modules: imported as ``tests.…`` only. A bare ``import trust_helpers``
#: works only because pytest puts the importing test's folder on ``sys.path``, and it loads
#: the file a second time, as another module, beside ``tests.trust.trust_helpers``.
HELPERS = {p.stem for p in TESTS.rglob("*.py") if p.stem != "conftest" and "test_" not in p.stem}


@pytest.mark.parametrize("path", sorted(TESTS.rglob("*.py")), ids=lambda p: p.stem)
def test_tests_share_helpers_not_test_modules_or_fixtures(path: Path) -> None:
    """Fixtures come from conftest.py by name; importing one (or a test module) is hidden coupling."""
    imported = {name for name in _imports_in(path) if name.startswith("tests.")}
    leaking = {n for n in imported if ".test_" in n or n.startswith("tests.conftest")}
    assert not leaking, f"{path.relative_to(TESTS)} imports {sorted(leaking)}"


@pytest.mark.parametrize("path", sorted(TESTS.rglob("*.py")), ids=lambda p: p.stem)
def test_tests_use_no_path_tricks_or_machine_paths(path: Path) -> None:
    if path == Path(__file__):
        return  # the patterns below appear here as text
    text = path.read_text()
    assert "sys.path" not in text
    assert '"/work/' not in text and "'/work/" not in text
    bare = {name.partition(".")[0] for name in _imports_in(path)} & HELPERS
    assert not bare, f"{path.relative_to(TESTS)} imports {sorted(bare)} without 'tests.'"


def _imports_in(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


#: The catalog's shared helpers: what a plan is, which orders the rules read, rendering,
#: start-up validation. Everything else in the catalog is a rule module.
CATALOG_SHARED = {"base", "plan", "orders", "render", "validate"}


def test_the_engine_imports_no_rule_module_by_name() -> None:
    """A new rule is one module and one catalog line: the engine must not need editing."""
    modules = {p.stem for p in (LOGIC / "catalog").glob("*.py")} - {"__init__"}
    assert CATALOG_SHARED <= modules
    rule_modules = {
        name
        for name in _imports(LOGIC / "engine.py") | _imports(LOGIC / "passes.py")
        if name.startswith("cds_service.logic.catalog.")
        and name.split(".")[3] in modules - CATALOG_SHARED
    }
    assert not rule_modules, f"the engine imports rule modules {sorted(rule_modules)}"


@pytest.mark.parametrize("name", ["engine.py", "passes.py"])
def test_the_engine_and_its_passes_import_only_what_the_catalog_exports(name: str) -> None:
    """Only ``catalog.__all__``: not its shared helpers' modules either, so what the engine
    may rely on is one visible list."""
    taken: set[str] = set()
    for node in ast.walk(ast.parse((LOGIC / name).read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("catalog"):
            assert node.level == 1 and node.module == "catalog", f"{name}: from {node.module}"
            taken |= {a.name for a in node.names}
    assert taken, f"{name} imports nothing from the catalog"
    assert taken <= set(catalog.__all__), sorted(taken - set(catalog.__all__))


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_a_rule_plans_its_card_in_the_module_that_decides_it(rule: Rule) -> None:
    """Predicate and plan side by side in the rule's own module, never a shared helper."""
    module = rule.predicate.__module__
    assert rule.plan.__module__ == module, f"{rule.id}: plan in {rule.plan.__module__}"
    assert module.rsplit(".", 1)[1] not in CATALOG_SHARED | {"__init__"}


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_the_rules_document_shows_the_functions_that_run(rule: Rule) -> None:
    """The predicate and plan docs/rules.md names are the very objects the catalog calls."""
    rules_md = (PACKAGE.parent / "docs" / "rules.md").read_text()
    section = rules_md.split(f"## `{rule.id}` — ", 1)[1].split("\n## ", 1)[0]
    for label, fn in (("Predicate", rule.predicate), ("Plan", rule.plan)):
        shown = re.search(rf"- \*\*{label}\*\*: `([\w.]+)`", section)
        assert shown, f"docs/rules.md shows no {label.lower()} for {rule.id}"
        module, _, name = shown[1].rpartition(".")
        assert getattr(import_module(module), name) is fn, f"{rule.id}: {label} {shown[1]}"
