"""Everything connver does with git, in one place (see :mod:`.runner` for the policy).

* :mod:`.runner`: the one runner (executable, environment, programs disabled, ownership);
* :mod:`.repo`: reading connector folders and histories from a repository (GitPython);
* :mod:`.range`: what changed between two commits, read in one ``cat-file --batch``.

Nothing outside this package runs git (a test checks it).
"""

from .runner import (POLICY, GitFailed, apply_policy, command, environment, executable, gitpython, is_git_dir,
                     merge_file, object_errors, output, ownership_error, popen, run)

__all__ = ["POLICY", "GitFailed", "apply_policy", "command", "environment", "executable", "gitpython",
           "is_git_dir", "merge_file", "object_errors", "output", "ownership_error", "popen", "run"]
