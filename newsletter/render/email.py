"""The render stage as a whole: a Plan -> MJML, HTML and text (placeholders still in).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from newsletter.config.schema import Config
from newsletter.errors import Problem
from newsletter.issue.plan import Plan
from newsletter.render.compiled import compiled_html
from newsletter.render.context import email_context
from newsletter.render.html import (
    MAIN_TEMPLATE,
    TEXT_TEMPLATE,
    cache_notices,
    render_template,
    template_env,
)
from newsletter.render.text import tidy_text


@dataclass
class RenderedEmail:
    mjml: str
    html: str
    text: str
    timings: dict[str, float] = field(default_factory=dict)
    html_cached: bool = False
    notices: list[Problem] = field(default_factory=list)  # cache entries discarded on the way


def render_email(config: Config, plan: Plan, workspace_templates: Path | None,
                 cache_dir: Path | None = None) -> RenderedEmail:
    """Render the plan; times each step (the benchmark and the preview report them)."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        clock = now

    env = template_env(workspace_templates, cache_dir / "jinja" if cache_dir else None)
    context = email_context(config, plan)
    mjml_source = render_template(env, MAIN_TEMPLATE, context)
    lap("render_mjml")
    notices: list[Problem] = []
    inlined, cached = compiled_html(mjml_source, cache_dir, notices)
    lap("compile_inline")
    text = tidy_text(render_template(env, TEXT_TEMPLATE, context))
    lap("text")
    return RenderedEmail(mjml_source, inlined, text, timings, html_cached=cached,
                         notices=cache_notices(env) + notices)
