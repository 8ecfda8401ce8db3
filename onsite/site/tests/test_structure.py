"""The shape of the code, checked like behaviour: page views and API operations are thin
adapters over the domains' checks and actions, and no import hides inside a function to dodge
the layer order (.importlinter)."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
APPS = sorted(path.name for path in (ROOT / "onsite").iterdir() if (path / "apps.py").exists())
MAX_HANDLER_LINES = 25


def _adapter_files(app: str) -> list[Path]:
    base = ROOT / "onsite" / app
    files = [base / "views.py", base / "api.py", base / "job_views.py"]
    files += sorted((base / "views").glob("*.py"))
    return [path for path in files if path.exists()]


def _body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of a function's body, without its decorators, signature and docstring."""
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    if not body:
        return 0
    return (node.end_lineno or body[-1].lineno) - body[0].lineno + 1


def _handlers(tree: ast.Module):
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node
        elif isinstance(node, ast.ClassDef):
            yield from (
                item
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
            )


@pytest.mark.parametrize("app", APPS)
def test_no_view_or_api_handler_is_longer_than_25_lines(app):
    long = []
    for path in _adapter_files(app):
        for node in _handlers(ast.parse(path.read_text())):
            if _body_lines(node) > MAX_HANDLER_LINES:
                long.append(
                    f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({_body_lines(node)})"
                )
    assert not long, "parse, call, render — move the rest into the domain:\n" + "\n".join(long)


def _says_why(lines: list[str], index: int) -> bool:
    """A comment on the import's line, or above the block of imports it belongs to."""
    if "#" in lines[index]:
        return True
    while index > 0:
        index -= 1
        above = lines[index].strip()
        if above.startswith("#"):
            return True
        if not above.startswith(("from ", "import ")) or "#" in above:
            return "#" in above and above.startswith(("from ", "import "))
    return False


def _hidden_imports(path: Path) -> list[str]:
    source = path.read_text()
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if inner is node or not isinstance(inner, ast.Import | ast.ImportFrom):
                continue
            if _says_why(lines, inner.lineno - 1):
                continue
            found.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    return found


@pytest.mark.parametrize("app", APPS)
def test_imports_inside_functions_say_why(app):
    hidden = []
    for path in sorted((ROOT / "onsite" / app).rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        hidden += _hidden_imports(path)
    assert not hidden, "import at the top of the module, or say why not:\n" + "\n".join(hidden)


def test_the_layer_contract_holds():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(  # noqa: S603 - our own tool from the virtual env
        [str(lint), "--config", str(ROOT / ".importlinter"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:]
