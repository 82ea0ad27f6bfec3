"""Security headers on every response (SPEC §11 "Console"): the console, the landing page,
the simulator, the API and the callbacks alike — set in `on_response_prepare`, so static
files, redirects and error pages get them too.

The Content-Security-Policy allows scripts, styles, images and media from this origin only:
no inline `<script>`, no `style=""` attributes, no `<style>` blocks, no `eval` (the templates
have none; the simulator sets its one computed colour through the CSSOM, which CSP allows).
`data:` images are allowed for the simulator's empty favicon only in effect (`<link rel=icon
href="data:,">`). No page may be framed (`frame-ancestors 'none'`, and X-Frame-Options for
old browsers); forms post to this origin only."""

from __future__ import annotations

from aiohttp import web

from jubao.keys import SETTINGS

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self'",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# A year; no includeSubDomains: the bureau's other hosts are not ours to pin.
HSTS = "max-age=31536000"


def security_headers(public_url: str) -> dict[str, str]:
    """Pure: the headers every response carries; HSTS only when the service is public over
    https (JUBAO_PUBLIC_URL), since a browser would otherwise refuse plain-http set-ups."""
    headers = {
        "Content-Security-Policy": CSP,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if public_url.lower().startswith("https://"):
        headers["Strict-Transport-Security"] = HSTS
    return headers


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: the headers, unless a handler set one of them itself."""
    settings = request.config_dict.get(SETTINGS)  # a sub-app (the demo's fake WeChat) has none
    public_url = settings.public_url if settings is not None else ""
    for name, value in security_headers(public_url).items():
        response.headers.setdefault(name, value)
