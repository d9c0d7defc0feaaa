"""prorata-emulators: stateful local emulators of the Stripe and Dodo Payments APIs for tests.

``prorata_emulators.stripe`` and ``prorata_emulators.dodo`` each serve one provider's API on
loopback HTTP; ``prorata_emulators.kit`` holds what they share. ``prorata emulate NAME`` finds
them through the ``prorata`` entry point of this distribution.
"""
