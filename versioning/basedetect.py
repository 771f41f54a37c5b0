"""Which upstream version a fork most likely came from.

A connector is reduced to a set of semantic fingerprints: every member and value of its
swagger and apiProperties, addressed by semantic keys (operations by operationId, parameters
by ``in`` + ``name``, array elements by name or value, never by position). Two connectors
are as similar as the weighted Jaccard index of their sets: shared weight over total weight.
Structure (which operations, parameters, fields and connection parameters exist) weighs
:data:`STRUCTURE_WEIGHT`; values weigh 1; display text (summaries, descriptions) weighs
:data:`TEXT_WEIGHT`, since forks rarely edit it but upstream often does.

A fork's own edits (another host, a removed ``stackOwner``, an extra action) lower its
similarity to every upstream version alike, so the version it was copied from still scores
highest. :func:`detect_base` scores every candidate and returns them best first; ties go to
the more recent version.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from .errors import InputError
from .model import HTTP_METHODS, Connector
from .sourcefiles import SourceFiles

__all__ = ["Candidate", "Fingerprint", "Match", "detect_base", "fingerprint", "similarity", "git_candidates"]

STRUCTURE_WEIGHT = 3.0
#: Below this similarity the best candidate is not taken as the base: it is more likely an
#: unrelated connector (or a rewrite) than the version the fork was copied from. On the
#: corpus (22 connectors, 167 versions), a copy of a version with typical fork edits scores
#: at least 0.89 against that version, while the best match in another connector's history
#: scores at most 0.13: 0.5 sits well between the two, and means that at least half of what
#: the two connectors hold (by weight) is the same.
MIN_SIMILARITY = 0.5
TEXT_WEIGHT = 0.25
_TEXT_KEYS = frozenset({"description", "summary", "x-ms-summary", "title", "tooltip", "displayName"})


@dataclass(frozen=True)
class Fingerprint:
    """Weighted semantic fingerprints of one connector (fingerprint -> weight)."""

    weights: dict[str, float]

    @property
    def total(self) -> float:
        return sum(self.weights.values())


def fingerprint(connector: Connector) -> Fingerprint:
    """The fingerprints of a loaded connector (its swagger and apiProperties)."""
    weights: dict[str, float] = {}
    swagger = dict(connector.swagger)
    paths = swagger.pop("paths", None)
    _walk(swagger, "s", weights)
    if isinstance(paths, dict):
        for path, item in paths.items():
            if not isinstance(item, dict):
                continue
            for key, value in item.items():
                if key in HTTP_METHODS and isinstance(value, dict):
                    op_id = value.get("operationId")
                    op = f"op:{op_id}" if isinstance(op_id, str) and op_id else f"op:{key} {path}"
                    weights[op] = STRUCTURE_WEIGHT * 2
                    weights[f"{op}=route:{key} {path}"] = 1.0
                    _walk({k: v for k, v in value.items() if k != "operationId"}, op, weights)
                else:
                    _walk(value, f"path:{path}/{key}", weights)
    _walk(connector.properties, "p", weights)
    return Fingerprint(weights)


def _walk(node: Any, prefix: str, weights: dict[str, float]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{prefix}/{key}"
            if isinstance(value, (dict, list)):
                weights[here] = STRUCTURE_WEIGHT
                _walk(value, here, weights)
            else:
                weight = TEXT_WEIGHT if key in _TEXT_KEYS else 1.0
                weights[f"{here}={_show(value)}"] = weight
                weights.setdefault(here, STRUCTURE_WEIGHT if key not in _TEXT_KEYS else TEXT_WEIGHT)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            key = _element_key(value)
            if key is None:
                key = f"#{index}"
            if isinstance(value, (dict, list)):
                here = f"{prefix}[{key}]"
                weights[here] = STRUCTURE_WEIGHT
                _walk(value, here, weights)
            else:
                weights[f"{prefix}[]={_show(value)}"] = 1.0


def _element_key(value: Any) -> str | None:
    if isinstance(value, dict):
        if isinstance(value.get("$ref"), str):
            return value["$ref"]
        if isinstance(value.get("name"), str):
            return f"{value.get('in', '')}:{value['name']}"
        for key in ("templateId", "id"):
            if isinstance(value.get(key), str):
                return value[key]
    return None


def _show(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= 80 else hashlib.sha1(text.encode("utf-8")).hexdigest()


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """Weighted Jaccard index in [0, 1]: 1.0 for semantically identical connectors.

    >>> similarity(Fingerprint({"x": 1.0, "y": 1.0}), Fingerprint({"x": 1.0}))
    0.5
    """
    small, large = (a.weights, b.weights) if len(a.weights) <= len(b.weights) else (b.weights, a.weights)
    shared = sum(min(w, large[k]) for k, w in small.items() if k in large)
    union = a.total + b.total - shared
    return shared / union if union else 1.0


@dataclass(frozen=True)
class Candidate:
    """One upstream version that may be the base: how to show it and how to read it."""

    label: str            # a source spec connver can read again (REV:PATH, CONNECTOR@SPEC)
    commit: str | None = None
    date: str | None = None
    subject: str = ""
    load: Callable[[], SourceFiles] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Match:
    """A candidate and its similarity to the fork (0..1)."""

    candidate: Candidate
    score: float
    version: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.candidate.label,
            "commit": self.candidate.commit,
            "date": self.candidate.date,
            "subject": self.candidate.subject,
            "version": self.version,
            "similarity": round(self.score, 4),
        }


def detect_base(fork: Connector, candidates: Iterable[Candidate], *,
                threshold: float = MIN_SIMILARITY) -> list[Match]:
    """Every candidate scored against ``fork``, best first (ties: the later candidate first).

    Candidates whose files are byte-identical to an earlier one are skipped (the earliest
    commit with that content is kept). Raises :class:`InputError` when there is none, or
    when even the best one is less than ``threshold`` similar (:data:`MIN_SIMILARITY`;
    pass 0 to rank candidates whatever their similarity).
    """
    target = fingerprint(fork)
    scored: list[tuple[float, int, Match]] = []
    seen: set[str] = set()
    for order, candidate in enumerate(candidates):
        files = candidate.load() if candidate.load else None
        if files is None or files.swagger_name is None:
            continue
        digest = _digest(files)
        if digest in seen:
            continue
        seen.add(digest)
        try:
            version, prints = _candidate_prints(digest, files)
        except InputError:
            continue  # a version that does not load cannot be the base
        score = similarity(target, prints)
        scored.append((score, order, Match(candidate, score, version)))
    if not scored:
        raise InputError("no upstream version to compare the fork with", hint="pass --base, or a history with readable versions")
    scored.sort(key=lambda item: (-item[0], -item[1]))
    best = scored[0][2]
    if best.score < threshold:
        version = f" (version {best.version})" if best.version else ""
        raise InputError(
            f"no upstream version looks like the fork: the closest, {best.candidate.label}{version}, "
            f"is only {_percent(best.score)} similar, below the {_percent(threshold)} a base needs",
            hint="check that the history is the connector's own, or pass --base with the version your copy came from",
        )
    return [match for _, _, match in scored]


def _percent(score: float) -> str:
    """A similarity as a percentage, never rounded up to the threshold it missed.

    >>> _percent(0.0), _percent(0.4999), _percent(0.5)
    ('0.0%', '49.9%', '50%')
    """
    tenths = int(score * 1000) / 10
    return f"{tenths:.0f}%" if tenths == int(tenths) and tenths >= 1 else f"{tenths:.1f}%"


_CACHE: dict[str, tuple[str | None, Fingerprint]] = {}


def _candidate_prints(digest: str, files: SourceFiles) -> tuple[str | None, Fingerprint]:
    """Fingerprints of one candidate, remembered by content (histories are scanned often)."""
    if digest not in _CACHE:
        if len(_CACHE) >= 256:
            _CACHE.clear()
        connector = Connector.from_files(files)
        _CACHE[digest] = (connector.version, fingerprint(connector))
    return _CACHE[digest]


def _digest(files: SourceFiles) -> str:
    sha = hashlib.sha256()
    for name in sorted(files.files):
        if name == "settings.json":
            continue
        sha.update(name.encode() + b"\0" + files.files[name] + b"\0")
    return sha.hexdigest()


def git_candidates(repo_dir: str, path: str, *, rev: str = "HEAD") -> list[Candidate]:
    """Every commit that changed ``path`` in the repository at ``repo_dir``, oldest first."""
    from .git.repo import path_history, read_folder

    out = []
    for commit, date, subject in path_history(repo_dir, path, rev=rev):
        def load(commit: str = commit) -> SourceFiles:
            files = read_folder(repo_dir, commit, path)
            return SourceFiles(label=f"{commit[:10]}:{path}", files=files, kind="git",
                               meta={"rev": commit, "path": path})
        out.append(Candidate(f"{commit[:10]}:{path}", commit, date, subject, load))
    return out
