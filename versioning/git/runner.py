"""The one way connver runs git: one executable, one environment, one policy.

Every git command connver runs (``subprocess`` here, GitPython through :func:`gitpython`)
gets the same treatment:

* the executable is ``GIT_PYTHON_GIT_EXECUTABLE`` when set, else ``git`` on ``PATH``;
* the environment drops the caller's ``GIT_*`` variables (a hook's ``GIT_DIR`` or
  ``GIT_INDEX_FILE`` must not redirect us), never prompts, and speaks ``C``;
* the repository's programs are disabled through ``GIT_CONFIG_COUNT`` (so that GitPython's
  own commands get it too): ``core.fsmonitor``, hooks (``core.hooksPath``), ``gpg.program``
  and ``log.showSignature``, ``diff.external``, textconv, ``core.pager`` and
  ``core.sshCommand``: reading a repository never runs a program it names;
* a repository another user owns ("dubious ownership") is one clear line.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Mapping, Sequence

from ..errors import InputError

#: Configuration that keeps a repository's own programs from running.
POLICY: tuple[tuple[str, str], ...] = (
    ("core.fsmonitor", "false"),
    ("core.hooksPath", os.devnull),
    ("core.pager", "cat"),
    ("core.sshCommand", "false"),
    ("gpg.program", "false"),
    ("gpg.ssh.program", "false"),
    ("gpg.x509.program", "false"),
    ("log.showSignature", "false"),
    ("diff.external", ""),
    ("diff.noprefix", "false"),
    ("core.untrackedCache", "false"),
    ("protocol.ext.allow", "never"),
)
#: Passed as ``-c`` too (for attribute-driven drivers, which config variables name).
_NO_TEXTCONV = ("--no-pager",)


def executable() -> str:
    """The git program: ``GIT_PYTHON_GIT_EXECUTABLE`` when set (as for GitPython), else ``git``."""
    return os.environ.get("GIT_PYTHON_GIT_EXECUTABLE") or "git"


def environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment every git command runs in (see the module's policy)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k == "GIT_PYTHON_GIT_EXECUTABLE"}
    env.update(policy_environment())
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["GIT_PAGER"] = "cat"
    env["LC_ALL"] = "C"
    if extra:
        env.update(extra)
    return env


def policy_environment() -> dict[str, str]:
    """:data:`POLICY` as ``GIT_CONFIG_COUNT`` variables (git 2.31+; older gits ignore them,
    and :func:`command` also passes them as ``-c``)."""
    env = {"GIT_CONFIG_COUNT": str(len(POLICY))}
    for i, (key, value) in enumerate(POLICY):
        env[f"GIT_CONFIG_KEY_{i}"] = key
        env[f"GIT_CONFIG_VALUE_{i}"] = value
    return env


def command(args: Sequence[str], *, repo: str | Path | None = None, git_dir: str | Path | None = None) -> list[str]:
    """The argument list for ``git ARGS`` in ``repo`` (a work tree or any folder inside one)
    or in ``git_dir`` (a repository's git folder, bare or not)."""
    out = [executable(), *_NO_TEXTCONV]
    for key, value in POLICY:
        out += ["-c", f"{key}={value}"]
    if git_dir is not None:
        out.append(f"--git-dir={git_dir}")
    elif repo is not None:
        out += ["-C", str(repo)]
        if is_git_dir(Path(repo)):
            out.append(f"--git-dir={repo}")
    return out + list(args)


def is_git_dir(path: Path) -> bool:
    """Is ``path`` itself a repository's git folder (a bare repository, config or not)?"""
    try:
        return (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()
    except OSError:
        return False


def _not_found(exc: OSError) -> InputError:
    return InputError(f"cannot run {executable()}: {exc.strerror or exc}",
                      hint="install git, or point GIT_PYTHON_GIT_EXECUTABLE at it")


def run(args: Sequence[str], *, repo: str | Path | None = None, git_dir: str | Path | None = None,
        input: bytes | None = None, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run git once; the completed process (its exit status is the caller's to judge)."""
    try:
        return subprocess.run(command(args, repo=repo, git_dir=git_dir), input=input, capture_output=True,
                              env=environment(env))
    except OSError as exc:
        raise _not_found(exc) from None


def output(args: Sequence[str], *, repo: str | Path | None = None, git_dir: str | Path | None = None,
           input: bytes | None = None, what: str | None = None) -> bytes:
    """Run git and return its output; a failure is one :class:`InputError` line."""
    done = run(args, repo=repo, git_dir=git_dir, input=input)
    if done.returncode != 0:
        stderr = done.stderr.decode("utf-8", "replace")
        where = repo if repo is not None else git_dir
        dubious = ownership_error(where, stderr) if where is not None else None
        if dubious is not None:
            raise dubious
        lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
        raise GitFailed(what or f"git {args[0]}", lines[-1] if lines else f"exit status {done.returncode}")
    return done.stdout


class GitFailed(InputError):
    def __init__(self, what: str, message: str) -> None:
        super().__init__(f"{what} failed: {message}")


def popen(args: Sequence[str], *, repo: str | Path | None = None, git_dir: str | Path | None = None
          ) -> subprocess.Popen:
    """A long-running git process (``cat-file --batch``) with pipes on all three streams."""
    try:
        return subprocess.Popen(command(args, repo=repo, git_dir=git_dir), stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment())
    except OSError as exc:
        raise _not_found(exc) from None


class BatchReader:
    """One ``git cat-file --batch`` process kept for a repository, answering many requests.

    Starting git costs more than reading a connector folder through it, so each process
    keeps one reader per repository (:func:`batch_reader`) instead of one git per read.
    Each blob's size is checked against the connector file limit before its bytes are read.
    """

    def __init__(self, repo: str | Path) -> None:
        import threading

        self.repo = repo
        self.proc = popen(["cat-file", "--batch"], repo=repo)
        self.lock = threading.Lock()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def request(self, specs: Sequence[str], *, limit: int, labels: Sequence[str]) -> list[tuple[bytes, bytes] | None]:
        """(type, contents) per spec, None when git says it is missing. A blob above
        ``limit`` bytes raises the limit's one-line error (the process is dropped)."""
        from ..limits import too_large

        with self.lock:
            assert self.proc.stdin is not None and self.proc.stdout is not None
            try:
                self.proc.stdin.write("".join(spec + "\n" for spec in specs).encode())
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError):
                self.close()
                raise GitFailed("git cat-file", "the process ended") from None
            out: list[tuple[bytes, bytes] | None] = []
            readline, read = self.proc.stdout.readline, self.proc.stdout.read
            for index, _ in enumerate(specs):
                header = readline().split()
                if not header:
                    self.close()
                    raise GitFailed("git cat-file", "the process ended")
                if header[-1] in (b"missing", b"ambiguous") or len(header) != 3:  # "<spec> missing"
                    out.append(None)
                    continue
                kind, size = header[1], int(header[2])
                if kind == b"blob" and size > limit:
                    self.close()  # its bytes are not read: this process is out of step now
                    raise too_large(labels[index], size, limit)
                data = read(size)
                read(1)
                out.append((kind, data))
            return out

    def close(self) -> None:
        _READERS.pop((os.getpid(), str(self.repo)), None)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                if stream:
                    stream.close()
            except OSError:
                pass
        try:
            self.proc.kill()
            self.proc.wait()
        except OSError:
            pass


_READERS: dict[tuple[int, str], BatchReader] = {}


def batch_reader(repo: str | Path) -> BatchReader:
    """This process's :class:`BatchReader` for ``repo`` (started on first use)."""
    key = (os.getpid(), str(Path(repo).resolve()))
    reader = _READERS.get(key)
    if reader is None or not reader.alive():
        reader = BatchReader(key[1])
        _READERS[key] = reader
        if len(_READERS) == 1:
            import atexit

            atexit.register(close_readers)
    return reader


def close_readers() -> None:
    """Stop every :class:`BatchReader` this process started."""
    for (pid, _), reader in list(_READERS.items()):
        if pid == os.getpid():
            reader.close()


def merge_file(current: bytes, base: bytes, other: bytes, *, labels: tuple[str, str, str] = ("yours", "base", "upstream"),
               favor: str | None = None) -> tuple[bytes, int]:
    """``git merge-file -p`` of three texts: the merged bytes and the number of conflicts
    (0 when it merged cleanly). ``favor`` (``ours`` or ``theirs``) resolves each overlapping
    hunk with that side's lines instead of writing conflict markers (git then reports 0).
    Runs outside any repository, with the same policy."""
    if favor not in (None, "ours", "theirs"):
        raise ValueError(f"favor must be ours or theirs, not {favor!r}")
    import tempfile

    with tempfile.TemporaryDirectory(prefix="connver-merge-") as tmp:
        names = []
        for name, data in (("current", current), ("base", base), ("other", other)):
            path = Path(tmp) / name
            path.write_bytes(data)
            names.append(str(path))
        args = ["merge-file", "-p", *([f"--{favor}"] if favor else []),
                "-L", labels[0], "-L", labels[1], "-L", labels[2], *names]
        done = run(args, repo=tmp)
    if done.returncode < 0 or done.returncode > 127:
        raise GitFailed("git merge-file", done.stderr.decode("utf-8", "replace").strip() or f"exit {done.returncode}")
    return done.stdout, done.returncode


def gitpython():
    """The GitPython module, its git executable set as :func:`executable` says."""
    import git

    wanted = executable()
    if getattr(git.Git, "GIT_PYTHON_GIT_EXECUTABLE", None) != wanted:
        try:
            git.refresh(wanted)
        except Exception:  # a missing git: GitPython says so when a command runs
            pass
    return git


def apply_policy(repo, git_dir: str | Path | None = None) -> None:
    """Give a GitPython ``Repo`` the policy's environment (and its git folder, for a bare
    repository GitPython cannot tell from a work tree because it has no config file)."""
    env = policy_environment()
    env.update(GIT_TERMINAL_PROMPT="0", GIT_PAGER="cat")
    if git_dir is not None:
        env["GIT_DIR"] = str(git_dir)
    repo.git.update_environment(**env)


def ownership_error(repo_dir: str | Path, stderr: str = "") -> InputError | None:
    """The error to show when git refuses ``repo_dir`` because another user owns it (its
    "dubious ownership" check, common in CI containers), or None when that is not the problem.

    ``stderr`` is what a failed git command printed; without it, git is asked.
    """
    text = stderr
    if not text:
        try:
            done = run(["rev-parse", "--git-dir"], repo=repo_dir)
        except InputError:
            return None
        text = done.stderr.decode("utf-8", "replace")
    if "dubious ownership" not in text:
        return None
    try:
        where = str(Path(repo_dir).resolve())
    except OSError:  # pragma: no cover - the folder vanished meanwhile
        where = str(repo_dir)
    for line in text.splitlines():  # git names the folder it checked: use that one
        if "dubious ownership in repository at '" in line:
            where = line.split("at '", 1)[1].rstrip("'\" ")
            break
    return InputError(
        f"{where}: git refuses to read this repository because another user owns it (\"dubious ownership\")",
        hint=f"if you trust it, run: git config --global --add safe.directory {where}",
    )


def object_errors() -> tuple[type[Exception], ...]:
    """The exceptions GitPython's object database raises for a missing or bad object."""
    from gitdb.exc import BadName, BadObject

    return BadName, BadObject
