"""The residual rule: every difference between the raw documents that no typed rule
reported, so nothing is silent (the walk is :mod:`versioning.residual`)."""

from __future__ import annotations

from ..changes import Level, pointer_text
from ..residual import documents, pointers_by_file, residue
from ..secrets import marker_for_secret, report_secrets
from . import FlowImpact, Hit, Kind, Section, rule

UNCLASSIFIED = "unclassified-change"


@rule(UNCLASSIFIED, Level.COSMETIC, Kind.DOCUMENT,
      impact=FlowImpact.NONE, section=Section.CHANGED, noun="unclassified changes",
      description="A difference between the two documents (swagger or apiProperties.json) that no typed rule reports.",
      why="connver has no typed rule for this difference yet; it is reported so nothing is silent",
      message="unclassified change at {path} in {file}: {old} -> {new}",
      example=('"x-contoso-tier": "standard"', '"x-contoso-tier": "premium"'))
def unclassified_change(ctx, old, new):
    pointers = pointers_by_file(ctx.findings)
    secrets = report_secrets(old, new)
    for file, a, b, always in documents(old, new):
        for leaf in residue(a, b, pointers.get(file, ()), always=always).uncovered:
            if marker_for_secret(leaf.old, leaf.new, secrets):
                continue  # the store's marker against the secret it stands for: no change to report
            path = pointer_text(leaf.pointer)
            yield Hit(old=leaf.old, new=leaf.new, location=f"{file}{path}", operation=None,
                      pointer=leaf.pointer, side=leaf.side, file=file,
                      details=(("file", file), ("path", path)))
