"""Kept for old imports: secrets are decided in :mod:`versioning.secrets`."""

from ..secrets import MARKER, Redaction, is_literal_secret, redact_files  # noqa: F401
