"""Import connectors from a clone of the public connectors repository.

:func:`plan_import` reads the clone (no store needed) and lists the steps: one per
connector at ``ref``, or with ``history`` one per commit that changed a connector's files,
oldest first (``git log --reverse --topo-order``, merges compared with their first parent).
:func:`run_import` turns the steps into snapshots, moving the store's branch every couple
of seconds so that a long import can be interrupted without losing what it has done.
Re-running a history import adds only the commits not imported yet.

The connector id of an imported folder is its folder name (made safe): in that
repository the folder is the connector's identity.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import InputError, SourceNotFoundError
from ..limits import max_file_size, too_large
from ..sourcefiles import connector_file_names, is_connector_file_name
from .records import ImportResult
from ..secrets import redact_files
from .refs import check_channel, safe_connector_id
from ..git import runner as gitrunner
from ..git.repo import open_repo
from ..git.runner import is_git_dir

#: Top-level folders of the public repository that hold one connector per subfolder.
ROOTS = ("certified-connectors", "independent-publisher-connectors", "custom-connectors")
_FLUSH_SECONDS = 2.0
_FLUSH_COUNT = 200


@dataclass(frozen=True)
class ImportStep:
    """One connector folder at one commit, with the ids of its connector files."""

    connector: str
    path: str
    commit: str
    blobs: tuple[tuple[str, str], ...]  # (file name, blob id)
    author: tuple[str, str, str] | None = None  # name, email, ISO date
    subject: str | None = None


@dataclass
class ImportPlan:
    repo_dir: Path
    ref: str
    ref_commit: str
    history: bool
    steps: list[ImportStep] = field(default_factory=list)
    connectors: dict[str, str] = field(default_factory=dict)  # path -> connector id
    warnings: list[str] = field(default_factory=list)


#: Branch names whose channel is clear: what is deployed, and what is being developed.
_REF_CHANNELS = {"master": "deployed", "main": "deployed", "dev": "dev", "develop": "dev"}


def channel_for_ref(ref: str) -> str:
    """The channel a ref's snapshots go to when the user did not say: ``master``/``main``
    (also ``origin/master``, ``refs/heads/main``) are deployed, ``dev`` is dev; any other
    ref is asked for.

    >>> channel_for_ref("master"), channel_for_ref("origin/dev"), channel_for_ref("refs/heads/main")
    ('deployed', 'dev', 'deployed')
    """
    name = ref.rsplit("/", 1)[-1].lower()
    if name in _REF_CHANNELS:
        return _REF_CHANNELS[name]
    raise InputError(f"--ref {ref}: cannot tell whether it is deployed or in development",
                     hint="pass --channel deployed or --channel dev")


def _open_source(repo_dir: Path):
    if not Path(repo_dir).is_dir() or not (is_git_dir(Path(repo_dir)) or (Path(repo_dir) / ".git").exists()):
        raise SourceNotFoundError(f"{repo_dir} is not a git repository")
    return open_repo(repo_dir)


def _git(repo, *args: str) -> str:
    proc = gitrunner.run(list(args), git_dir=repo.git_dir)
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(f"git {args[0]} failed in {repo.git_dir}" + (f": {detail[-1]}" if detail else ""))
    return proc.stdout.decode("utf-8", "replace")


def _entries(repo, tree_sha: str) -> dict[str, tuple[str, str]]:
    from .repository import parse_tree

    return parse_tree(repo.odb.stream(bytes.fromhex(tree_sha)).read())


def _folder_tree(repo, root_tree: str, path: str) -> str | None:
    tree: str | None = root_tree
    for part in path.split("/"):
        entry = _entries(repo, tree).get(part) if tree else None
        tree = entry[1] if entry and entry[0] == "40000" else None
    return tree


def _connector_blobs(repo, tree: str) -> tuple[tuple[str, str], ...]:
    """``(standard name, blob)`` of the connector files in ``tree`` (``Script.csx`` as ``script.csx``)."""
    entries = {name: sha for name, (mode, sha) in _entries(repo, tree).items() if mode != "40000"}
    found, _ = connector_file_names(entries)
    return tuple(sorted((name, entries[actual]) for name, actual in found.items()))


def _commit_tree(repo, commit: str) -> str:
    raw = repo.odb.stream(bytes.fromhex(commit)).read()
    return raw[5:45].decode()


def plan_import(repo_dir, *, ref: str = "master", paths: tuple[str, ...] | list[str] = (), history: bool = False) -> ImportPlan:
    """List what an import of ``repo_dir`` would snapshot (see the module docstring)."""
    repo_dir = Path(repo_dir)
    repo = _open_source(repo_dir)
    try:
        ref_commit = _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip() if ref else ""
        if not ref_commit:
            raise SourceNotFoundError(f"{ref!r} is not a commit or branch in {repo_dir}")
    except InputError:
        repo.close()
        raise SourceNotFoundError(f"{ref!r} is not a commit or branch in {repo_dir}") from None
    try:
        plan = ImportPlan(repo_dir, ref, ref_commit, history)
        root_tree = _commit_tree(repo, ref_commit)
        folders = _folders(repo, root_tree, paths, repo_dir, ref)
        plan.connectors = _ids(folders, plan.warnings)
        if not history:
            for path in folders:
                tree = _folder_tree(repo, root_tree, path)
                blobs = _connector_blobs(repo, tree) if tree else ()
                if blobs:
                    plan.steps.append(ImportStep(plan.connectors[path], path, ref_commit, blobs))
                else:
                    plan.warnings.append(f"{path}: no connector files at {ref}; skipped")
            return plan
        _plan_history(repo, plan, folders, explicit=bool(paths))
        return plan
    finally:
        repo.close()


def _folders(repo, root_tree: str, paths, repo_dir: Path, ref: str) -> list[str]:
    if paths:
        folders = []
        for raw in paths:
            path = raw.replace("\\", "/").strip("/")
            if not path or _folder_tree(repo, root_tree, path) is None:
                raise SourceNotFoundError(f"{raw}: no such folder at {ref} in {repo_dir}")
            folders.append(path)
        return list(dict.fromkeys(folders))
    folders = []
    top = _entries(repo, root_tree)
    for root in ROOTS:
        entry = top.get(root)
        if entry and entry[0] == "40000":
            folders += [f"{root}/{name}" for name, (mode, _) in sorted(_entries(repo, entry[1]).items()) if mode == "40000"]
    if not folders:
        raise InputError(
            f"{repo_dir} has no {', '.join(r + '/' for r in ROOTS)} at {ref}",
            hint="give the connector folders with --path",
        )
    return folders


def _ids(folders: list[str], warnings: list[str]) -> dict[str, str]:
    """Folder path -> connector id: the folder's name, or its whole path when another folder
    has that name in any casing (``Snowflake`` and ``snowflake`` cannot share refs on a
    case-insensitive filesystem)."""
    ids: dict[str, str] = {}
    taken: dict[str, str] = {}  # casefolded id -> path
    for path in folders:
        name = safe_connector_id(path.rsplit("/", 1)[-1])
        if name.casefold() in taken:
            qualified = safe_connector_id(path.replace("/", "-"))
            if qualified.casefold() in taken:
                raise InputError(f"{path} and {taken[qualified.casefold()]} cannot be kept apart as connector ids",
                                 hint="give the connector folders with --path")
            warnings.append(
                f"{path}: {taken[name.casefold()]} already has the id {name} (in some casing); "
                f"this one is stored as {qualified}"
            )
            name = qualified
        taken[name.casefold()] = path
        ids[path] = name
    return ids


def _read_step(source, step: ImportStep, limit: int) -> dict[str, bytes]:
    """The step's files; a file above the size limit is refused before its bytes are read."""
    files = {}
    for name, sha in step.blobs:
        size = source.odb.info(bytes.fromhex(sha)).size
        if size > limit:
            raise too_large(f"{step.path}/{name} at {step.commit[:12]}", size, limit)
        files[name] = source.odb.stream(bytes.fromhex(sha)).read()
    return files


def _name(step: ImportStep) -> str:
    """What the step's connector id was made from: the folder name, or its path when qualified."""
    base = step.path.rsplit("/", 1)[-1]
    return base if safe_connector_id(base) == step.connector else step.path


def _plan_history(repo, plan: ImportPlan, folders: list[str], *, explicit: bool) -> None:
    wanted = set(folders)
    pathspecs = folders if explicit else [r for r in ROOTS if any(f.startswith(r + "/") for f in folders)]
    out = _git(
        repo,
        "log",
        "--reverse",
        "--topo-order",
        "--no-renames",
        "--diff-merges=first-parent",
        "--name-only",
        "--format=%x1e%H%x1f%an%x1f%ae%x1f%aI%x1f%s",
        plan.ref_commit,
        "--",
        *pathspecs,
    )
    last: dict[str, tuple] = {}
    by_depth = sorted(wanted, key=lambda p: -p.count("/"))
    for record in out.split("\x1e"):
        if not record.strip():
            continue
        header, _, names = record.partition("\n")
        commit, name, email, date, subject = (header.split("\x1f") + [""] * 5)[:5]
        touched = []
        for changed in names.splitlines():
            changed = changed.strip()
            if not changed or not is_connector_file_name(changed.rsplit("/", 1)[-1]):
                continue
            folder = next((f for f in by_depth if changed.startswith(f + "/")), None)
            if folder and is_connector_file_name(changed[len(folder) + 1 :]) and folder not in touched:
                touched.append(folder)
        if not touched:
            continue
        root_tree = _commit_tree(repo, commit)
        for folder in touched:
            tree = _folder_tree(repo, root_tree, folder)
            blobs = _connector_blobs(repo, tree) if tree else ()
            if not blobs or last.get(folder) == blobs:
                continue
            last[folder] = blobs
            plan.steps.append(
                ImportStep(plan.connectors[folder], folder, commit, blobs, (name, email, date), subject)
            )


def run_import(
    plan: ImportPlan,
    *,
    channel: str = "deployed",
    store_dir=None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Snapshot every step of ``plan`` into the store; ``progress(n)`` after each n steps."""
    from .snapshots import connector_facts, open_store

    check_channel(channel)
    limit = max_file_size()
    source = _open_source(plan.repo_dir)
    created = unchanged = 0
    warnings = list(plan.warnings)
    seen: set[str] = set()
    try:
        with open_store(store_dir, create=True) as store, store.writer() as writer:
            writer.preload()
            flushed_at = time.monotonic()
            since_flush = 0
            try:
                for step in plan.steps:
                    seen.add(step.connector)
                    if plan.history and writer.has_original(step.connector, channel, step.commit):
                        unchanged += 1
                        if progress:
                            progress(1)
                        continue
                    files = _read_step(source, step, limit)
                    facts = connector_facts(files)
                    files, redactions = redact_files(files)
                    where = step.commit[:12] if plan.history else plan.ref
                    for w in facts.warnings:
                        warnings.append(f"{step.path} at {where}: {w}")
                    for r in redactions:
                        warnings.append(f"{step.path} at {where}: redacted a secret before storing it: {r}")
                    trailers = {
                        "Source": f"{step.path} at {where} in {plan.repo_dir}",
                        "Environment": facts.environment,
                        "Redacted": [str(r) for r in redactions],
                        "Original-Commit": step.commit,
                    }
                    if step.author:
                        trailers["Original-Author"] = f"{step.author[0]} <{step.author[1]}>"
                        trailers["Original-Date"] = step.author[2]
                        trailers["Original-Subject"] = step.subject
                    _, made, _ = writer.add(
                        step.connector,
                        channel,
                        files,
                        version=facts.version,
                        trailers=trailers,
                        author=step.author,
                        name=_name(step),
                    )
                    created += made
                    unchanged += not made
                    since_flush += made
                    if since_flush >= _FLUSH_COUNT or (since_flush and time.monotonic() - flushed_at > _FLUSH_SECONDS):
                        writer.flush()
                        flushed_at, since_flush = time.monotonic(), 0
                    if progress:
                        progress(1)
            finally:
                writer.flush()
    finally:
        source.close()
    return ImportResult(created, unchanged, len(seen), tuple(warnings))


__all__ = ["ImportPlan", "ImportStep", "ROOTS", "plan_import", "run_import"]
