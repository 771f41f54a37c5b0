"""Everything that talks to git lives in this package (GitPython is imported nowhere else)."""
