"""localstripe as `make run` starts it: its state in a file of the project, card numbers as typed.

localstripe keeps its objects in /tmp/localstripe.pickle, one file for every checkout on the
machine (one demo then sees another's charges in reconciliation). Started through this script, it
keeps them in `--state` (`make run`: var/localstripe.pickle), written whole and then renamed, so a
stop half-way never leaves a broken file. And like Stripe's own card field, it takes a card number
typed with spaces or dashes ("4242 4242 4242 4242"), which localstripe alone refuses ("Bad request"):
its API reads the digits, and its card field counts digits before moving on to the expiry month.

    python scripts/localstripe_server.py --state var/localstripe.pickle --port 8420 [--from-scratch]
"""

from __future__ import annotations

import argparse
import os
import pickle
import re
import sys
from pathlib import Path

SEPARATORS = re.compile(r"[\s-]")


def _digits(number: object) -> object:
    return SEPARATORS.sub("", number) if isinstance(number, str) else number


def patch(state: Path) -> None:
    """Point localstripe's store at `state` and let its card objects take numbers as typed."""
    from localstripe import resources

    def try_load_from_disk(self) -> None:
        try:
            with state.open("rb") as f:
                old = pickle.load(f)  # noqa: S301 -- our own emulator's file, in our own var/
        except FileNotFoundError:
            return
        self.clear()
        self.update(old)

    def dump_to_disk(self) -> None:
        partial = state.with_name(state.name + ".partial")
        with partial.open("wb") as f:
            pickle.dump(dict(self), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, state)

    resources.Store.try_load_from_disk = try_load_from_disk
    resources.Store.dump_to_disk = dump_to_disk

    payment_method_init = resources.PaymentMethod.__init__

    def payment_method(self, *args, card=None, **kwargs):
        if isinstance(card, dict) and "number" in card:
            card = {**card, "number": _digits(card["number"])}
        payment_method_init(self, *args, card=card, **kwargs)

    resources.PaymentMethod.__init__ = payment_method

    card_init = resources.Card.__init__

    def card(self, source=None, **kwargs):
        if isinstance(source, dict) and "number" in source:
            source = {**source, "number": _digits(source["number"])}
        card_init(self, source=source, **kwargs)

    resources.Card.__init__ = card


# The emulator's card field moves to the expiry month once the number has 16 characters: typed with
# spaces, "4242 4242 4242 4" moved on and the last digits went into the month. It counts digits here.
AUTO_ADVANCE = "this.value.card.number.length >= 16"
AUTO_ADVANCE_DIGITS = "this.value.card.number.replace(/[\\s-]/g, '').length >= 16"


def typed_numbers_in_the_card_field(app) -> None:
    """Serve the emulator's Stripe.js stand-in with a card field that counts digits, not characters."""
    from aiohttp import web

    @web.middleware
    async def count_digits(request, handler):
        response = await handler(request)
        if request.path == "/js.stripe.com/v3/" and isinstance(response, web.Response) and response.text:
            response.text = response.text.replace(AUTO_ADVANCE, AUTO_ADVANCE_DIGITS)
        return response

    app.middlewares.append(count_digits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--state", type=Path, required=True, help="the file that keeps the emulator's objects")
    args, rest = parser.parse_known_args()
    args.state.parent.mkdir(parents=True, exist_ok=True)
    patch(args.state.resolve())
    from localstripe import server

    typed_numbers_in_the_card_field(server.app)
    sys.argv = [sys.argv[0], *rest]  # --port, --from-scratch: localstripe's own options
    server.start()


if __name__ == "__main__":
    main()
