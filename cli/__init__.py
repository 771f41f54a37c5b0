"""connver's command-line front end (click). The core lives in ``versioning``."""
