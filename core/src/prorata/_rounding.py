"""prorata's one rounding rule for the proration lines of a change (docs/proration.md)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from prorata._money import round_half_away_from_zero

__all__ = ["settle_rounding"]


def settle_rounding(lines: Sequence[tuple[int, Fraction | None]]) -> list[int]:
    """Round a change's lines so its proration lines add up to their exact net rounded once.

    ``lines`` are ``(rounded, exact)`` pairs in minor units; ``exact`` is None for lines
    that are not prorations (they stay as they are). Each proration line is already
    rounded half away from zero; when that leaves them a unit away from their exact net,
    the largest line that the difference shrinks absorbs it (a charge when the lines ask
    a unit too much, a credit when they give a unit too much). With no such line every
    line stays rounded on its own, so no line exceeds its exact amount by more than half
    a unit. Providers and emulators that follow the reference semantics call this.
    """
    amounts = [rounded for rounded, _ in lines]
    prorated = [index for index, (_, exact) in enumerate(lines) if exact is not None]
    if not prorated:
        return amounts
    exact_net = sum((exact for _, exact in lines if exact is not None), Fraction(0))
    difference = round_half_away_from_zero(exact_net) - sum(amounts[index] for index in prorated)
    if difference:
        shrinkable = [index for index in prorated if (amounts[index] > 0) == (difference < 0)]
        if shrinkable:
            chosen = max(shrinkable, key=lambda index: abs(amounts[index]))
            amounts[chosen] += difference
    return amounts
