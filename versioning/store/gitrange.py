"""Moved to :mod:`versioning.git.range` (the git layer); kept for old imports."""

from ..git.range import *  # noqa: F401,F403
from ..git import range as _moved

globals().update({k: v for k, v in vars(_moved).items() if not k.startswith("__")})
