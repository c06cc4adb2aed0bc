"""Screenshot pages of a running site with Debian's Chromium.

`python scripts/screenshot.py URL OUT.png [WIDTH HEIGHT] [--language ar]`: one page, in the given
language (the browser's language and the site's language cookie), e.g. the README's picture of
the home page (docs/screenshot-home.png), or in Arabic, right to left:
`python scripts/screenshot.py http://127.0.0.1:8000/ docs/screenshot-home-ar.png --language ar`.

`python scripts/screenshot.py --from-tests`: the README's Arabic pictures of the search, a
provider's page, a booking and its payment page (and the English search beside them) are taken
by tests/test_browser_rtl.py, which signs a patient in on a fresh database; run it, then this
copies var/browser/rtl-*.png and ltr-search.png to docs/screenshot-*-ar.png and
docs/screenshot-search-en.png.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
FROM_TESTS = {
    "rtl-search.png": "screenshot-search-ar.png",
    "rtl-provider.png": "screenshot-provider-ar.png",
    "rtl-booking.png": "screenshot-booking-ar.png",
    "rtl-payment.png": "screenshot-payment-ar.png",
    "ltr-search.png": "screenshot-search-en.png",
}


def main(url: str, out: str, width: int = 1280, height: int = 900, language: str = "") -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        context = browser.new_context(viewport={"width": width, "height": height}, locale=language or None)
        if language:
            context.add_cookies([{"name": "django_language", "value": language, "url": url}])
        page = context.new_page()
        page.goto(url)
        page.screenshot(path=out, full_page=False)
        browser.close()


def from_tests() -> None:
    source = ROOT / "var" / "browser"
    missing = [name for name in FROM_TESTS if not (source / name).exists()]
    if missing:
        sys.exit(f"Run `pytest tests/test_browser_rtl.py` first: {', '.join(missing)} not in {source}")
    for name, target in FROM_TESTS.items():
        shutil.copyfile(source / name, ROOT / "docs" / target)
        print(f"docs/{target}")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if arguments == ["--from-tests"]:
        from_tests()
    else:
        chosen = ""
        if "--language" in arguments:
            at = arguments.index("--language")
            chosen = arguments[at + 1] if at + 1 < len(arguments) else sys.exit("--language needs a code, e.g. ar")
            del arguments[at : at + 2]
        if len(arguments) < 2:
            sys.exit(__doc__)
        main(arguments[0], arguments[1], *(int(x) for x in arguments[2:4]), language=chosen)
