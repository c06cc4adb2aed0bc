"""Screenshot pages of a running site with Debian's Chromium: `python scripts/screenshot.py URL OUT.png`.

Used for the README's picture of the home page (docs/screenshot-home.png).
"""

from __future__ import annotations

import sys

from playwright.sync_api import sync_playwright

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def main(url: str, out: str, width: int = 1280, height: int = 900) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        page.goto(url)
        page.screenshot(path=out, full_page=False)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], *(int(x) for x in sys.argv[3:5]))
