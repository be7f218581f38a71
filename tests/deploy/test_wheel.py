"""The built wheel works on its own: installed into a fresh venv, run from an empty directory.

The wheel is built the normal way (the setuptools backend from pyproject.toml, offline, no
build isolation) from a copy of the sources, and installed into a new virtualenv without
extras. The new venv does not see the checkout: `bot` must come from the wheel.

Its third-party dependencies are the ones this test environment already has, at the locked
versions: a path entry to them is added to the new venv (their `.pth` hooks, including the
checkout's editable install, are not run). So that this cannot hide an undeclared
dependency, `test_every_import_is_a_declared_dependency` checks that each module the
package imports belongs to a distribution the wheel requires, without extras. Set
MINERWATCH_WHEEL_FROM_INDEX=1 to install the dependencies from the package index instead
(minutes, needs the registry).
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from email.parser import Parser
from importlib.metadata import distribution, packages_distributions
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "bot" / "data"
SCRIPT = "/price CIFR\n/quit\n"


@dataclass(frozen=True)
class Installed:
    wheel: Path
    python: Path
    bin: Path


def _run(*argv: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and the wheel's script
        [str(a) for a in argv], capture_output=True, text=True, check=False, **kwargs
    )


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel once per session from a copy of what the project ships."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    for package in ("bot", "cogs", "discord_emulator"):
        shutil.copytree(
            REPO / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    out = tmp_path_factory.mktemp("dist")
    built = _run(
        sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
        "--no-index", "-w", out, source,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (found,) = out.glob("minerwatch-*.whl")
    return found


@pytest.fixture(scope="session")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """A fresh venv with the wheel (and no extras) installed."""
    home = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=False).create(home)
    python = home / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", python, "install", "--quiet"]
    if os.environ.get("MINERWATCH_WHEEL_FROM_INDEX") == "1":
        result = _run(*pip, "-c", REPO / "requirements.lock", wheel)
    else:
        purelib = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
        shared = Path(sysconfig.get_paths()["purelib"])
        Path(purelib.stdout.strip(), "locked-dependencies.pth").write_text(f"{shared}\n")
        result = _run(*pip, "--no-deps", "--no-index", wheel)
    assert result.returncode == 0, result.stderr
    return Installed(wheel, python, home / "bin")


@pytest.fixture
def empty_dir(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A clean environment: no checkout, no .env, demo prices (no network)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MINERWATCH_", "DISCORD_", "PYTHON", "VIRTUAL_ENV"))
    }
    env["MINERWATCH_PRICE_SOURCE"] = "demo"
    yield env


def _ledger_counts() -> tuple[int, int]:
    ledger = yaml.safe_load((SHIPPED / "ledger.yaml").read_text(encoding="utf-8"))
    return len(ledger["companies"]), len(ledger["contracts"])


def test_the_wheel_carries_the_shipped_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    migrations = sorted(p.name for p in (SHIPPED / "migrations").glob("*.sql"))
    assert migrations and {f"bot/data/migrations/{m}" for m in migrations} <= names
    # PostgreSQL's texts of the migrations whose SQL is not portable.
    dialect = sorted(p.name for p in (SHIPPED / "migrations" / "postgresql").glob("*.sql"))
    assert dialect and {f"bot/data/migrations/postgresql/{m}" for m in dialect} <= names
    assert "bot/data/ledger.yaml" in names
    assert not any(n.startswith("tests/") for n in names)


def test_every_cli_command_from_an_empty_directory(
    installed: Installed, empty_dir: dict[str, str], tmp_path: Path
) -> None:
    def minerwatch(*argv: str) -> subprocess.CompletedProcess[str]:
        return _run(installed.bin / "minerwatch", *argv, cwd=tmp_path, env=empty_dir, timeout=120)

    where = _run(installed.python, "-c", "import bot; print(bot.__file__)", cwd=tmp_path)
    assert where.stdout.startswith(str(installed.python.parent.parent)), where
    assert not where.stdout.startswith(str(REPO))

    version = minerwatch("--version")
    assert version.stdout.strip() == f"minerwatch {distribution('minerwatch').version}"

    migrations = len(list((SHIPPED / "migrations").glob("*.sql")))
    migrated = minerwatch("db", "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert f"schema at version {migrations} ({migrations} migration(s) applied)" in migrated.stdout

    companies, contracts = _ledger_counts()
    seeded = minerwatch("db", "seed")
    assert seeded.returncode == 0, seeded.stderr
    assert (
        f"ledger applied: {companies} companies; contracts {contracts} created, 0 updated, "
        "0 removed"
    ) in seeded.stdout

    checked = minerwatch("check")
    assert checked.returncode == 0, checked.stderr
    assert f"ledger ok: {companies} companies, {contracts} contracts" in checked.stdout

    (tmp_path / "short.txt").write_text(SCRIPT)
    sandbox = minerwatch("sandbox", "--script", "short.txt")
    assert sandbox.returncode == 0, sandbox.stdout + sandbox.stderr
    assert "CIFR" in sandbox.stdout and "DEMO" in sandbox.stdout
    assert "Traceback" not in sandbox.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["short.txt", "var"]


def _runtime_requirements(wheel: Path) -> set[str]:
    """The distributions the wheel requires without extras, and theirs, transitively."""
    with zipfile.ZipFile(wheel) as archive:
        (meta,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        headers = Parser().parsestr(archive.read(meta).decode())
    pending = [Requirement(r) for r in headers.get_all("Requires-Dist") or []]
    seen: set[str] = set()
    while pending:
        req = pending.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        name = req.name.lower().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        for extra in req.extras:  # e.g. jsonschema[format-nongpl]
            pending.extend(_requires(req.name, extra))
        pending.extend(_requires(req.name, ""))
    return seen


def _requires(name: str, extra: str) -> list[Requirement]:
    found = []
    for text in distribution(name).requires or []:
        req = Requirement(text)
        if req.marker is None or req.marker.evaluate({"extra": extra}):
            if extra and (req.marker is None or "extra" not in str(req.marker)):
                continue  # only what the extra adds
            found.append(req)
    return found


def _optional_imports(tree: ast.AST) -> set[ast.AST]:
    """Imports inside `try: … except ImportError:` (the code works without them)."""
    optional: set[ast.AST] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Try):
            continue
        caught = {ast.unparse(h.type) for h in node.handlers if h.type is not None}
        if caught & {"ImportError", "ModuleNotFoundError"}:
            for statement in node.body:
                optional.update(ast.walk(statement))
    return optional


def test_every_import_is_a_declared_dependency(wheel: Path) -> None:
    """No module of the package imports something only the test extra would install."""
    declared = _runtime_requirements(wheel)
    owners = packages_distributions()
    undeclared: dict[str, str] = {}
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if not name.endswith(".py"):
                continue
            tree = ast.parse(archive.read(name))
            optional = _optional_imports(tree)
            for node in ast.walk(tree):
                if node in optional:
                    continue
                if isinstance(node, ast.Import):
                    tops = [alias.name.split(".")[0] for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    tops = [node.module.split(".")[0]]
                else:
                    continue
                for top in tops:
                    if top in sys.stdlib_module_names or top in ("bot", "cogs", "discord_emulator"):
                        continue
                    dists = {d.lower().replace("_", "-") for d in owners.get(top, [top])}
                    if not dists & declared:
                        undeclared[top] = name
    assert undeclared == {}
