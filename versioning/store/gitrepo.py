"""Moved to :mod:`versioning.git.repo` (the git layer); kept for old imports."""

from ..git.repo import *  # noqa: F401,F403
from ..git import repo as _moved

globals().update({k: v for k, v in vars(_moved).items() if not k.startswith("__")})
