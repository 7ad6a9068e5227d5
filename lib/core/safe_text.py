"""Text from data, files or links made inert before Markdown or Plotly sees it.

Streamlit renders Markdown (links, images that the browser fetches, KaTeX between ``$``, bare
URLs as links) in alerts, captions, headers and widget labels; Plotly renders a subset of HTML
(``<a href>``, ``<b>``, ``<br>``) in legends, axis labels, hovers and titles. A value that came
from outside (a link's parameter, a file or zip member name, a cell, a tag, a subscription name)
is passed through ``markdown`` or ``plotly`` first, so it shows as the characters it holds and
nothing more. Bidirectional control characters are dropped everywhere: one right-to-left
override in a name would reverse the text shown after it.
"""

from __future__ import annotations

import re

# Unicode's explicit directional formatting characters (embeddings, overrides, isolates and marks).
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# CommonMark lets ASCII punctuation be escaped by a backslash; the escaped character is then only text. Escaped
# always: what opens a link, an image or a Streamlit directive (``[``), an HTML tag or autolink (``<``), emphasis,
# code, strikethrough, math (``$``) and the backslash itself. ``_`` only outside a word (inside one it cannot
# emphasise, and ``utm_source`` stays readable in the source); a block marker only at the start. ``:`` is left as it
# is (``name.csv: …`` stays readable): an emoji or icon shortcode in a name only shows an icon.
_ALWAYS = re.compile(r"([\\`*~\[\]<>$|{}#])")
_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
_BLOCK_START = re.compile(r"^(\s*)([-+=]|\d+[.)])")
# GitHub-flavoured Markdown turns ``https://…``, ``www.…`` and ``name@host.tld`` in the parsed text into links, after
# escapes are gone; an invisible word joiner inside each marker keeps it from matching.
_WORD_JOINER = "\u2060"
_AUTOLINKS = re.compile(r"(?i)(:)(?=//)|(\bwww)(?=\.)|(@)")
_LINE_BREAKS = re.compile(r"[\r\n\u0085\u2028\u2029]+")


def plain(text: str) -> str:
    """``text`` without bidirectional control characters (for every place a data name is shown)."""
    return _BIDI_CONTROLS.sub("", text)


def markdown(text: object) -> str:
    """``text`` escaped so Streamlit's Markdown shows it literally, on one line."""
    flat = _LINE_BREAKS.sub(" ", plain(str(text)))
    escaped = _UNDERSCORE.sub(r"\\_", _ALWAYS.sub(r"\\\1", flat))
    escaped = _AUTOLINKS.sub(lambda m: m.group(0) + _WORD_JOINER, escaped)
    return _BLOCK_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], escaped)


def plotly(text: object) -> str:
    """``text`` escaped so Plotly shows it literally: its HTML subset never sees a tag, only entities."""
    return plain(str(text)).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
