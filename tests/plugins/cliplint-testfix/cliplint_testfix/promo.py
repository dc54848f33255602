"""A ``<div class="promo">`` block must go (a correct block removal).

Fix (safe): the whole element is deleted, and with it its own text.
"""
from cliplint import Edit, Fix, Violation

ID = "testfix/promo"
SEVERITY = "warning"
FIX = "safe"


def check(document, options):
    for element in document.body.elements("div"):
        if element.get("class") != "promo":
            continue
        span = document.body.element_span(element)
        if span:
            yield Violation(span[0], span[1], "promo block",
                            Fix((Edit(span[0], span[1], ""),), "safe", "remove the promo block"))
