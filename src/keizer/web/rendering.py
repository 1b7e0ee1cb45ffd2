"""Jinja2 templates rendered in the request's language, with keizer's number formats."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from keizer.web.i18n import LANGUAGE_COOKIE, N_, Formatter, pick_language
from keizer.web.kpis import KPIS


@cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("keizer.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def formatter(request: Request) -> Formatter:
    """The request's language: the language cookie, else the browser's, else Dutch."""
    cached = getattr(request.state, "formatter", None)
    if isinstance(cached, Formatter):
        return cached
    language = pick_language(
        request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language")
    )
    fmt = Formatter(language)
    request.state.formatter = fmt
    return fmt


def kpi_helpers(fmt: Formatter) -> dict[str, Any]:
    """``num(kpi, value)`` with the KPI's decimals and unit, ``label(kpi)``, ``tip(row)``."""

    def num(kpi: str, value: float | None, signed: bool = False) -> str:
        if value is None:
            return ""
        info = KPIS[kpi]
        text = fmt.number(value, info.decimals)
        if signed and value > 0:
            text = "+" + text
        if info.unit == "€":
            return "€ " + text
        return text + (" %" if info.unit == "%" and fmt.language == "nl" else info.unit)

    def hidden(row_or_reason: dict[str, Any] | str | None) -> str:
        reason = row_or_reason.get("reason") if isinstance(row_or_reason, dict) else row_or_reason
        return fmt.gettext(suppression_text(reason))

    def label(kpi: str) -> str:
        return fmt.gettext(KPIS[kpi].label)

    def tip(row: dict[str, Any]) -> str:
        if row.get("suppressed"):
            return str(row.get("reason") or fmt.gettext("too few responses"))
        parts = [f"n = {fmt.integer(row.get('n'))}"]
        if row.get("ci_low") is not None and row.get("ci_high") is not None:
            interval = fmt.gettext("95% interval")
            low, high = num(row["kpi"], row["ci_low"]), num(row["kpi"], row["ci_high"])
            parts.append(f"{interval}: {low} – {high}")
        if row.get("low_n"):
            parts.append(fmt.gettext("small sample: read with care"))
        return " · ".join(parts)

    return {"num": num, "label": label, "tip": tip, "hidden": hidden}


# Why an employee figure is hidden (the anonymity guard's reason codes) in a few words.
SUPPRESSION_TEXTS = {
    "min_group_size": N_("too few responses"),
    "complementary": N_("hidden: would reveal a smaller group"),
    "nested": N_("hidden: part of a hidden group"),
    "segment_too_fine": N_("hidden: shown per department and quarter or larger"),
}


def suppression_text(reason: str | None) -> str:
    """The message id for a suppressed cell (``too few responses`` unless the guard says
    otherwise)."""
    code = (reason or "").split(":", 1)[0].strip()
    return SUPPRESSION_TEXTS.get(code, SUPPRESSION_TEXTS["min_group_size"])


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    fmt = formatter(request)
    values = {**fmt.template_globals(), **kpi_helpers(fmt), "request": request, **context}
    html = environment().get_template(template).render(values)
    return HTMLResponse(html, status_code=status_code)
