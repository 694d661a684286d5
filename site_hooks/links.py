"""MkDocs hook: the language switcher links hold wherever the site is served.

mkdocs-static-i18n (1.3.1) points the switcher of every page at the same page in the other
language, relatively, except on the two home pages: there it keeps the absolute links it
builds from `site_url` (`/gpt2guide/`, `/gpt2guide/en/`), which 404 wherever the site is
served from another path (a local preview, a mirror). This hook makes those relative too,
so that every page's switcher works under any prefix. The 404 page keeps absolute links:
it is served for any missing address, so only absolute links hold there.

References: mkdocs-static-i18n `reconfigure_page_context`; MkDocs `normalize_url` (the
`url` template filter leaves a link that starts with "/" as it is and makes any other
link relative to the page).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from mkdocs.plugins import event_priority


def site_relative(link: str, site_url: str | None) -> str:
    """`link` relative to the site root when it is an absolute path under `site_url`'s path.

    >>> site_relative("/gpt2guide/en/", "https://example.org/gpt2guide/")
    'en/'
    >>> site_relative("/gpt2guide/", "https://example.org/gpt2guide/")
    ''
    >>> site_relative("../en/tokens/", "https://example.org/gpt2guide/")
    '../en/tokens/'
    """
    base = urlsplit(site_url).path if site_url else "/"
    base = base if base.endswith("/") else base + "/"
    if link.startswith(base):
        return link[len(base):]
    if link + "/" == base:
        return ""
    return link


@event_priority(-200)
def on_page_context(context, page, config, nav):
    # After the i18n plugin's on_page_context, which sets the links for each page.
    # The i18n plugin sets a fresh copy as an attribute (`config.extra.alternate = ...`),
    # which is what the template reads; the item `config.extra["alternate"]` is another
    # object (the one it builds at configuration time).
    alternates = getattr(config.extra, "alternate", None) or config.extra.get("alternate") or []
    for alternate in alternates:
        alternate["link"] = site_relative(alternate["link"], config.site_url)
    return context
