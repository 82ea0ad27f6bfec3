"""Message texts from jinja2 templates in notifications/templates (SPEC §9: every word a person
reads is in a template). Plain text: nothing is HTML-escaped, and a missing variable is an error."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined


@cache
def environment() -> Environment:
    """Built on first use, never at import."""
    return Environment(
        loader=PackageLoader("notifications", "templates"),
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def render(name: str, **context: object) -> str:
    """The text of template `name` (e.g. "sample.txt.j2"), without surrounding blank lines."""
    return environment().get_template(name).render(**context).strip()
