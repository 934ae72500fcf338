"""apps/core is the foundation: it imports no domain app and not the project's config. Apps
register what core needs (deletion rules, webhook payload serializers) in core's registries."""

import ast
from pathlib import Path

import apps.core

CORE = Path(apps.core.__file__).parent


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def _forbidden(module: str) -> bool:
    parts = module.split(".")
    if parts[0] == "config":
        return True
    return parts[0] == "apps" and len(parts) > 1 and parts[1] != "core"


def test_apps_core_imports_no_domain_app_and_not_config():
    # given: every module of apps/core, management commands and migrations included
    sources = sorted(CORE.rglob("*.py"))
    assert len(sources) > 20

    # when
    offending = [
        f"{path.relative_to(CORE.parent.parent)}:{line} imports {module}"
        for path in sources
        for line, module in _imported_modules(path)
        if _forbidden(module)
    ]

    # then
    assert offending == []


def test_the_check_catches_a_domain_import(tmp_path):
    # given: a module like the ones core must not contain
    module = tmp_path / "bad.py"
    module.write_text(
        "def f():\n    from apps.bookings.models import Booking\n    import config.urls\n"
    )

    # then
    assert [m for _, m in _imported_modules(module) if _forbidden(m)] == [
        "apps.bookings.models",
        "config.urls",
    ]
