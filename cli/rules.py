"""``connver rules`` and ``connver explain ID``: the rule catalogue."""

from __future__ import annotations

import click

from connver import all_rules, get_rule
from connver.errors import InputError

from .common import format_option, write


@click.command()
@format_option("rules")
def rules(fmt):
    """List every rule: id, default level, description."""
    from connver.render import render

    write(render(all_rules(), fmt, "rules"))


@click.command()
@click.argument("rule_id", metavar="ID")
def explain(rule_id):
    """Why a rule matters to users, with a minimal before/after example."""
    try:
        spec = get_rule(rule_id)
    except KeyError:
        from difflib import get_close_matches

        close = get_close_matches(rule_id, [r.id for r in all_rules()], n=1)
        hint = f"did you mean {close[0]}?" if close else "run `connver rules` for the list"
        raise InputError(f"unknown rule {rule_id!r}", hint=hint) from None
    before, after = spec.example
    write(
        f"{spec.id}  ({spec.level.value}, on {spec.kind.value})\n\n"
        f"{spec.description}\n\nWhy it matters: {spec.why}\n\n"
        f"Before:\n    {before}\nAfter:\n    {after}\n"
    )
