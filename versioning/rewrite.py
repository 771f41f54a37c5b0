"""Deprecated home of the ``info.version`` edit: kept for one release.

Import these names from :mod:`connver.jsontext` (or ``connver`` itself).
"""

from .jsontext.write import VersionSpan, find_info_version, set_info_version, write_info_version

__all__ = ["VersionSpan", "find_info_version", "set_info_version", "write_info_version"]
