"""The layers of walletservice (README, "Architecture"): a module imports only its own
layer and the layers below it. Every import of every module under walletservice/ is
read with `ast`, including imports inside functions; only `if TYPE_CHECKING:` blocks
are skipped, since they never run.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "walletservice"

ENTRY, WORKERS, SERVICES, QUEUE, MODELS, ANYWHERE = 5, 4, 3, 2, 1, 0
LAYER_NAMES = {ENTRY: "entry points", WORKERS: "workers", SERVICES: "services", QUEUE: "queue floor",
               MODELS: "models/db", ANYWHERE: "pure (importable from anywhere)"}

# Module (or package: it covers its submodules) -> layer. The longest matching name wins.
LAYERS: dict[str, int] = {
    # Entry points: the app factory, HTTP blueprints, CLI, the embedded mode.
    "walletservice": ENTRY,
    "walletservice.api": ENTRY,
    "walletservice.web": ENTRY,
    "walletservice.dashboard": ENTRY,
    "walletservice.webservice": ENTRY,
    "walletservice.operations": ENTRY,
    "walletservice.cli": ENTRY,
    "walletservice.embedded": ENTRY,
    "walletservice.config": ENTRY,
    # Background loops and what they run; runtime holds the app's long-lived objects.
    "walletservice.workers": WORKERS,
    "walletservice.scheduling": WORKERS,
    "walletservice.runtime": WORKERS,
    # Business rules.
    "walletservice.services": SERVICES,
    # Durable work: rows and leases.
    "walletservice.queue": QUEUE,
    # Tables, sessions and the database helpers.
    "walletservice.models": MODELS,
    "walletservice.db": MODELS,
    "walletservice.extensions": MODELS,
    "walletservice.hot_reads": MODELS,
    "walletservice.migrations": MODELS,
    # Pure cores and small helpers without app state: import only each other.
    "walletservice.passkit": ANYWHERE,
    "walletservice.apns": ANYWHERE,
    "walletservice.apns_sim": ANYWHERE,
    "walletservice.google_wallet": ANYWHERE,
    "walletservice.google_sim": ANYWHERE,
    "walletservice.plumbing": ANYWHERE,
    "walletservice.errors": ANYWHERE,
    "walletservice.mail": ANYWHERE,
    "walletservice.sms": ANYWHERE,
    "walletservice.json_bodies": ANYWHERE,
    "walletservice.control_characters": ANYWHERE,
    "walletservice.client_address": ANYWHERE,
    "walletservice.url_rules": ANYWHERE,
    "walletservice.scheduling.recurrence": ANYWHERE,  # cron parsing, also used by services.schedules
}

# At most one import may go up a layer, each with its reason.
ALLOWED_UPWARD: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def known_modules() -> set[str]:
    return {module_name(path) for path in PACKAGE_DIR.rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _walk_skipping_type_checking(node: ast.AST):  # type: ignore[no-untyped-def]
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child):
            yield from (n for orelse in child.orelse for n in [orelse, *_walk_skipping_type_checking(orelse)])
            continue
        yield child
        yield from _walk_skipping_type_checking(child)


def imports_of(path: Path, modules: set[str], source: str | None = None) -> list[Import]:
    importer = module_name(path)
    package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
    found = []
    tree = ast.parse(path.read_text() if source is None else source, str(path))
    for node in _walk_skipping_type_checking(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from package import module` imports the module; `from module import name` the module.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        found += [Import(importer, target, node.lineno) for target in targets
                  if target == "walletservice" or target.startswith("walletservice.")]
    return found


def layer_of(module: str) -> int:
    candidates = [name for name in LAYERS if module == name or module.startswith(name + ".")]
    if not candidates:
        raise LookupError(f"{module} has no layer: add it to LAYERS in tests/test_layers.py")
    return LAYERS[max(candidates, key=len)]


def upward(found: Import) -> str | None:
    """What is wrong with this import, if it goes up (pure modules import only pure ones)."""
    if (found.importer, found.imported) in ALLOWED_UPWARD:
        return None
    mine, theirs = layer_of(found.importer), layer_of(found.imported)
    if theirs > mine or (mine == ANYWHERE and theirs != ANYWHERE):
        return (f"{found.importer}:{found.line} ({LAYER_NAMES[mine]}) imports "
                f"{found.imported} ({LAYER_NAMES[theirs]})")
    return None


def violations() -> list[str]:
    modules = known_modules()
    found = [i for path in sorted(PACKAGE_DIR.rglob("*.py")) for i in imports_of(path, modules)]
    return [problem for problem in map(upward, found) if problem is not None]


def test_every_module_imports_only_its_layer_and_the_layers_below() -> None:
    assert violations() == []


def test_at_most_one_documented_upward_edge() -> None:
    assert len(ALLOWED_UPWARD) <= 1
    assert all(reason.strip() for reason in ALLOWED_UPWARD.values())


def test_every_module_has_a_layer() -> None:
    for module in known_modules():
        layer_of(module)


def test_services_and_the_floor_never_touch_flask() -> None:
    offenders = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if layer_of(module_name(path)) not in (SERVICES, QUEUE):
            continue
        tree = ast.parse(path.read_text(), str(path))
        for node in _walk_skipping_type_checking(tree):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{module_name(path)}:{node.lineno}" for name in names  # type: ignore[attr-defined]
                          if name == "flask" or name.startswith("flask.")]
    assert offenders == []


@pytest.mark.parametrize("source, expected", [
    ("from walletservice.services import events", "walletservice.services.events"),
    ("from walletservice.services.events import record_event", "walletservice.services.events"),
    ("import walletservice.queue.pushes", "walletservice.queue.pushes"),
    ("from ..queue import leases", "walletservice.queue.leases"),
    ("if TYPE_CHECKING:\n    from walletservice.api import auth", None),
    ("def later():\n    from walletservice.api import auth", "walletservice.api.auth"),
])
def test_the_walker_reads_each_form_of_import(source: str, expected: str | None) -> None:
    module = PACKAGE_DIR / "workers" / "supervisor.py"  # a real module: its package anchors `..`
    found = [i.imported for i in imports_of(module, known_modules(), source)]
    assert found == ([expected] if expected else [])


@pytest.mark.parametrize("importer, imported, reported", [
    ("walletservice.queue.pushes", "walletservice.services.events", True),  # the floor under services
    ("walletservice.services.devices", "walletservice.workers.supervisor", True),
    ("walletservice.passkit.signing", "walletservice.models", True),  # pure imports only pure
    ("walletservice.services.schedules", "walletservice.scheduling.recurrence", False),
    ("walletservice.workers.push_sender", "walletservice.queue.pushes", False),
    ("walletservice.api.v2.pushes", "walletservice.apns", False),
])
def test_an_import_is_reported_exactly_when_it_goes_up(importer: str, imported: str, reported: bool) -> None:
    assert (upward(Import(importer, imported, 1)) is not None) is reported


def test_a_module_outside_the_table_has_no_layer() -> None:
    with pytest.raises(LookupError):
        layer_of("somewhere_else.module")
