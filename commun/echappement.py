"""HTML escaping for the rows and options written in Python (a page of a hundred rows): Django's
``conditional_escape`` without the lazy-string wrapper it pays at every call. The same text:
what is already safe is kept, the rest escaped as Django escapes it (``& < > " '``)."""

from html import escape

from django.utils.safestring import SafeData


def echapper(valeur) -> str:
    """``conditional_escape(valeur)``, as a plain ``str``."""
    if isinstance(valeur, SafeData):
        return str(valeur)
    return escape(str(valeur))
