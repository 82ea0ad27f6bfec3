"""The house's arrows point one way (README, Development): adapters (bot/) → domain
(complaints/, rewards/) → notifications/ → the kernel in jubao/; the composition root (the app
factory, the runtime, the CLI, the demo, the models' gathering) imports anything, and nothing
imports it back. Read from the source, imports inside functions included."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("jubao", "bot", "console", "complaints", "rewards", "notifications")
COMPOSITION_ROOT = ("jubao.app", "jubao.runtime", "jubao.cli", "jubao.demo", "jubao.models")
# A module may import its own package, or a package of lower rank.
RANK = {  # bot/ and console/ are adapters side by side: neither imports the other
    "kernel": 0, "notifications": 1, "complaints": 2, "rewards": 3, "bot": 4, "console": 4,
    "root": 5,
}  # fmt: skip


def layer(module: str) -> str:
    if any(module == root or module.startswith(f"{root}.") for root in COMPOSITION_ROOT):
        return "root"
    if module.startswith("jubao.migrations"):
        return "root"  # alembic's env gathers every model
    package = module.split(".")[0]
    return "kernel" if package == "jubao" else package


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imports(path: Path) -> list[tuple[str, bool]]:
    """(module imported, whether the import is inside a function) for our packages."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            inside.update(ast.walk(node))
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        found += [(name, node in inside) for name in names if name.split(".")[0] in PACKAGES]
    return found


def test_every_import_points_down_and_nothing_imports_the_root() -> None:
    wrong = []
    for module, path in modules().items():
        for imported, _ in imports(path):
            mine, theirs = layer(module), layer(imported)
            same_package = mine == theirs and mine != "root"
            if mine == "root" or same_package:
                continue
            if RANK[theirs] >= RANK[mine]:
                wrong.append(f"{module} ({mine}) imports {imported} ({theirs})")
    assert wrong == []


def test_no_import_hides_inside_a_function() -> None:
    """Function-local imports hid cycles; the CLI loads its command modules by name instead."""
    hidden = [
        f"{module} imports {imported}"
        for module, path in modules().items()
        for imported, in_function in imports(path)
        if in_function
    ]
    assert hidden == []


def test_the_kernel_is_kernel() -> None:
    """A sanity check of the test itself: the layers it assigns are the ones meant."""
    assert layer("jubao.db") == layer("jubao.auth") == layer("jubao.sqlite.driver") == "kernel"
    assert layer("jubao.cli.jobs") == layer("jubao.app") == "root"
    assert layer("notifications.message_log") == "notifications"


PURE = (  # the rules of the domain, data in and data out: tested without a database
    "complaints.lifecycle",
    "complaints.routing",
    "complaints.deadlines",
    "complaints.reminders",
    "complaints.vocabulary",
    "complaints.new_report",
    "complaints.answer_rules",
    "complaints.intake_rules",
    "complaints.enterprises",
    "complaints.feedback_rules",
    "complaints.thread_rules",
    "bot.dialogue",
    "bot.report_steps",
    "bot.conversation",
    "bot.commands",
    "bot.answers",
    "bot.texts",
    "bot.supplement",
    "bot.claim",
    "bot.claim_texts",
    "jubao.roles",
    "jubao.inputs",
    "rewards.resident_id",
    "rewards.rules",
    "rewards.eligibility",
    "rewards.flow",
)
IO_LIBRARIES = ("sqlalchemy", "aiohttp", "asyncpg", "aiosqlite", "wechatpy", "jinja2")


def test_pure_modules_import_only_pure_modules_and_no_io_library() -> None:
    everything = modules()
    wrong = []
    for module in PURE:
        tree = ast.parse(everything[module].read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module in PACKAGES:
                names = [f"{node.module}.{alias.name}" for alias in node.names]  # submodules
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                if name.split(".")[0] in IO_LIBRARIES:
                    wrong.append(f"{module} imports {name}")
                elif name.split(".")[0] in PACKAGES and name not in PURE:
                    wrong.append(f"{module} imports {name}, which is not pure")
    assert wrong == []
