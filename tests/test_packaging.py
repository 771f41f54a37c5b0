"""The built distribution: one import name, `connver`, that installs beside anything else.

These build real wheels with pip (no network: the build backend comes from the environment
running the tests) and install them into fresh virtual environments.
"""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*args, **kwargs):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    done = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", out, ROOT)
    if done.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{done.stdout}\n{done.stderr}")
    (built,) = out.glob("connver-*.whl")
    return built


def _top_level_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return {name.split("/")[0] for name in archive.namelist() if not name.split("/")[0].endswith(".dist-info")}


def test_the_wheel_has_exactly_one_import_name(wheel):
    assert _top_level_names(wheel) == {"connver"}


def test_every_source_module_is_in_the_wheel(wheel):
    """A new sub-package (a folder with __init__.py) that pyproject.toml forgets fails here."""
    with zipfile.ZipFile(wheel) as archive:
        shipped = set(archive.namelist())
    expected = set()
    for folder, prefix in (("versioning", "connver"), ("cli", "connver/cli")):
        for path in (ROOT / folder).rglob("*"):
            if "__pycache__" in path.parts or not path.is_file():
                continue
            if path.suffix in {".py", ".j2"} or path.name == "py.typed":
                expected.add(f"{prefix}/{path.relative_to(ROOT / folder).as_posix()}")
    assert expected - shipped == set()


def test_the_wheel_carries_licence_and_metadata(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert any(n.endswith("/LICENSE") for n in names)
    assert "License-Expression: MIT" in metadata
    assert "Classifier: Typing :: Typed" in metadata
    assert "Requires-Python: >=3.11" in metadata


def _make_cli_owner(tmp_path: Path) -> Path:
    """A distribution that owns the top-level import name ``cli`` (one such exists on PyPI)."""
    src = tmp_path / "other-cli"
    (src / "cli").mkdir(parents=True)
    (src / "cli" / "__init__.py").write_text("OWNER = 'other-cli'\n")
    (src / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "other-cli"\nversion = "1.0"\n[tool.setuptools]\npackages = ["cli"]\n')
    return src


@pytest.mark.e2e
def test_installs_beside_a_package_that_owns_cli(wheel, tmp_path):
    other = tmp_path / "other-wheel"
    done = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", other,
                _make_cli_owner(tmp_path))
    assert done.returncode == 0, done.stderr
    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    # connver's dependencies come from the index the project itself was installed from.
    done = _run(sys.executable, "-m", "pip", "--python", python, "install", "-q", *other.glob("*.whl"), wheel)
    assert done.returncode == 0, done.stderr
    probe = ("import cli, connver, connver.cli.main; from connver import diff, load_connector, Level;"
             "print(cli.OWNER, connver.__file__.startswith(__import__('sys').prefix))")
    done = _run(python, "-c", probe, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["other-cli", "True"]
    demo = ROOT / "fixtures" / "demo"
    shown = _run(python, "-m", "connver", "diff", demo / "old", demo / "new", "--fail-on", "breaking", cwd=tmp_path)
    assert shown.returncode == 1, shown.stderr
    assert "BREAKING" in shown.stdout


def test_python_dash_m_connver_is_the_command_line():
    done = _run(sys.executable, "-m", "connver", "--version", cwd=ROOT / "fixtures")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("connver, version ")


def test_the_sdist_carries_what_its_tests_need(tmp_path):
    """Every file git tracks under tests/ and fixtures/ is in the source distribution."""
    import tarfile

    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "tests", "fixtures"], capture_output=True)
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    tracked = {name for name in listed.stdout.decode().split("\0") if name}
    done = _run(sys.executable, "-c", "import setuptools.build_meta as b, sys; b.build_sdist(sys.argv[1])",
                tmp_path, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    (sdist,) = tmp_path.glob("connver-*.tar.gz")
    with tarfile.open(sdist) as archive:
        shipped = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert tracked - shipped == set()
