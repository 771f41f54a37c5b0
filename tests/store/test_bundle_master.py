"""Every connector of the public repository's master, imported and given back: no false
redaction, and every file byte for byte except the one real secret. About 25 s."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from connver.secrets import MARKER
from connver.sourcefiles import connector_file_names


def _git(*args: str) -> bytes:
    return subprocess.run(["git", *args], check=True, capture_output=True).stdout


def _tree(git_dir, rev: str, prefix: str = "") -> dict[str, str]:
    out = {}
    for line in _git("--git-dir", str(git_dir), "ls-tree", "-r", "-z", rev, *([prefix] if prefix else [])).split(b"\0"):
        if line:
            meta, path = line.split(b"\t", 1)
            out[path.decode()] = meta.split()[2].decode()
    return out


@pytest.fixture(scope="module")
def master_store(corpus, tmp_path_factory):
    bundle = corpus / "PowerPlatformConnectors.bundle"
    if not bundle.exists():
        pytest.skip("the bundle is not in ../shared/corpus")
    root = tmp_path_factory.mktemp("bundle")
    repo = root / "ppc.git"
    _git("clone", "-q", "--bare", str(bundle), str(repo))
    store = root / "store"
    result = subprocess.run([sys.executable, "-m", "connver", "import", str(repo), "--ref", "master",
                             "--store", str(store)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return repo, store, result


def test_master_imports_with_only_real_secrets_redacted(master_store):
    repo, store, result = master_store
    redacted = [line for line in result.stderr.splitlines() if "redacted a secret" in line]
    # the one literal credential on master: TxtSync's x-api-key policy value; names such as
    # keyName, retainKey or keyWithinCollectionPath, and placeholders, are not secrets
    assert len(redacted) == 1 and "TxtSync" in redacted[0] and "'x-api-key'" in redacted[0], redacted


def test_every_stored_file_is_the_source_byte_for_byte(master_store):
    repo, store, _ = master_store
    source = _tree(repo, "master")
    stored = _tree(store, "main")
    snapshots = json.loads(subprocess.run([sys.executable, "-m", "connver", "list", "--store", str(store), "-f", "json"],
                                          capture_output=True, text=True, check=True).stdout)
    assert len(snapshots) > 700
    compared = differ = 0
    for entry in snapshots:
        snap = entry["latest"]["deployed"]
        folder = snap["source"].split(" at master in ")[0]
        ours = {p.rsplit("/", 1)[1]: sha for p, sha in stored.items()
                if p.startswith(f"connectors/{entry['connector']}/deployed/")}
        present = {p.rsplit("/", 1)[1]: sha for p, sha in source.items()
                   if p.startswith(folder + "/") and p.count("/") == folder.count("/") + 1}
        found, _ = connector_file_names(present)  # stored under the standard name: Script.csx as script.csx
        theirs = {name: present[actual] for name, actual in found.items() if name in ours}
        assert set(ours) == set(theirs), folder
        for name, sha in ours.items():
            compared += 1
            if sha != theirs[name]:
                differ += 1
                assert snap["redacted"], (folder, name)
                mine = _git("--git-dir", str(store), "cat-file", "blob", sha)
                original = _git("--git-dir", str(repo), "cat-file", "blob", theirs[name])
                head, _, tail = mine.partition(MARKER.encode())
                assert original.startswith(head) and original.endswith(tail) and MARKER.encode() not in tail
    assert compared > 1500 and differ == 1



#: Restored through the public API: every connector costs a store lookup (about 0.4 s), so a
#: spread of them; test_every_stored_file_is_the_source_byte_for_byte covers every blob.
RESTORE_EVERY = 25


def test_restores_give_back_the_source_bytes_but_the_redacted_value(master_store, tmp_path):
    """Restore a spread of connectors (every 25th, and the one with a secret) and compare each
    file with master's blob: equal byte for byte, except the redacted value, now the marker."""
    from connver.git.range import read_blobs
    from connver.store.snapshots import restore_snapshot

    repo, store, _ = master_store
    source = _tree(repo, "master")
    snapshots = json.loads(subprocess.run([sys.executable, "-m", "connver", "list", "--store", str(store), "-f", "json"],
                                          capture_output=True, text=True, check=True).stdout)
    chosen = [entry for index, entry in enumerate(snapshots)
              if index % RESTORE_EVERY == 0 or entry["latest"]["deployed"]["redacted"]]
    written_by: list[tuple[dict, list]] = []
    for index, entry in enumerate(chosen):
        _, written = restore_snapshot(f"{entry['connector']}@deployed", tmp_path / str(index), store)
        assert written, entry["connector"]
        written_by.append((entry, written))
    folders = {id(entry): entry["latest"]["deployed"]["source"].split(" at master in ")[0] for entry, _ in written_by}
    originals = read_blobs(repo, [source[f"{folders[id(entry)]}/{path.name}"] for entry, written in written_by
                                  for path in written])
    restored = marked = 0
    for entry, written in written_by:
        for path in written:
            data, original = path.read_bytes(), originals[source[f"{folders[id(entry)]}/{path.name}"]]
            restored += 1
            if data != original:
                marked += 1
                head, _, tail = data.partition(MARKER.encode())
                assert entry["latest"]["deployed"]["redacted"] and original.startswith(head) \
                    and original.endswith(tail), (folders[id(entry)], path.name)
    assert len(chosen) > 25 and restored > 60 and marked == 1
