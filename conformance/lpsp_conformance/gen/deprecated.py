"""Retired vector ids.

A published id is never removed or reused. To retire a vector, keep the case
that generates it and add its id here with the reason; the generator then
writes it with "deprecated": true and marks it in ids.txt. Runners skip
deprecated vectors.
"""

DEPRECATED = {
    # "s2b-example-id": "reason, and the suite version that retired it",
}
