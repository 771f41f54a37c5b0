"""The real malformed files through `connver diff`: a warning with file:line:column and a
result, or one error line with file:line:column and exit 2. Never a traceback."""

from __future__ import annotations

import re
import shutil

import pytest
from click.testing import CliRunner

from connver.cli.main import cli
from conftest import CORPUS, FIXTURES, corpus_available

MALFORMED = sorted((CORPUS / "malformed").glob("*__*")) if corpus_available() else []
POSITION = re.compile(r":(\d+):(\d+): ")


@pytest.mark.corpus
@pytest.mark.parametrize("path", MALFORMED, ids=lambda p: p.name)
def test_malformed_file_gets_a_warning_or_one_error_line(corpus, tmp_path, path):
    target = path.name.split("__", 1)[1]
    folder = tmp_path / "connector"
    shutil.copytree(FIXTURES / "demo" / "old", folder)
    shutil.copyfile(path, folder / target)
    result = CliRunner().invoke(cli, ["diff", str(folder), str(folder), "--format", "text"])
    assert "Traceback" not in result.output + result.stderr
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert lines, "expected a warning or an error on stderr"
    if result.exit_code == 2:
        assert target == "apiDefinition.swagger.json", "only an unreadable swagger stops the diff"
        assert len(lines) == 1 and lines[0].startswith("connver: error: ")
    else:
        assert result.exit_code == 0
        assert all(line.startswith("connver: warning: ") for line in lines)
        assert "No changes." in result.stdout
    assert f"{folder / target}:" in lines[0]
    assert POSITION.search(lines[0]), lines[0]


@pytest.mark.corpus
def test_each_malformed_kind_is_handled_as_documented(corpus, tmp_path):
    """Recoverable defects load; a missing comma, a truncated file, extra data and an
    unclosed array do not."""
    outcomes = {}
    for path in MALFORMED:
        target = path.name.split("__", 1)[1]
        folder = tmp_path / path.stem
        shutil.copytree(FIXTURES / "demo" / "old", folder)
        shutil.copyfile(path, folder / target)
        outcomes[path.name[:2]] = CliRunner().invoke(cli, ["diff", str(folder), str(folder), "--strict"]).exit_code
    # --strict turns every tolerated defect into exit 2 as well: all nine are reported.
    assert set(outcomes.values()) == {2}
    assert len(outcomes) == 9
