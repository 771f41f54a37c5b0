"""What flows actually use of a connector: usage extracted from exported flow definitions.

Power Automate flows bind each connector step to an ``operationId`` (``OpenApiConnection``,
``OpenApiConnectionWebhook``), send a flat map of parameter keys (a parameter's ``name``, or
``<bodyParam>/<property path>`` for body fields) and read outputs through expressions such as
``body('Step')?['a']`` or ``outputs('Step')?['body/a']``. Logic Apps ``ApiConnection`` steps
bind to HTTP method + path instead.

:func:`read_flows` accepts exported flow JSON files, folders of them, solution ``.zip`` files
(``Workflows/*.json``) and legacy flow package ``.zip`` files
(``Microsoft.Flow/flows/<id>/definition.json`` + ``manifest.json``). It returns a
:class:`FlowSet`: per flow, per connector step, a frozen :class:`StepUsage`. Nothing here
needs the connector; :mod:`versioning.impact` binds steps to a connector's operations.

Output reads are field paths in the checker's form (``value/items/name``): array elements
add the segment ``items``, whether they are reached through ``?[0]``, ``first(...)``, a
``Foreach`` loop (``items('Loop')``, ``item()``), a Select/Filter ``from`` or a trigger's
``splitOn``.

The package has three parts: :mod:`.model` (the frozen usage records), :mod:`.reading`
(files, folders, zips, and the size budgets that bound them) and :mod:`.extract` (a parsed
flow document to its steps, parameters and output reads).
"""

from __future__ import annotations

from .extract import extract_flows
from .model import FlowSet, FlowUsage, OutputRead, ReadKind, StepType, StepUsage, api_matches
from .reading import MAX_FILE_BYTES, MAX_RATIO, MAX_ZIP_BYTES, read_flows

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_RATIO",
    "MAX_ZIP_BYTES",
    "FlowSet",
    "FlowUsage",
    "OutputRead",
    "ReadKind",
    "StepType",
    "StepUsage",
    "api_matches",
    "extract_flows",
    "read_flows",
]
