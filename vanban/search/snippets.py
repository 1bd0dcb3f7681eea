"""Snippets with the matched words highlighted, cut from the entry's stored text.

Done in Python on the page's rows only (20 by default), identically on both engines; the
text is escaped first and only the <mark> tags are ours."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from vanban.search.folding import TOKEN_RE
from vanban.search.query import ParsedQuery

WINDOW = 240


def snippet(text: str, parsed: ParsedQuery, width: int = WINDOW) -> SafeString:
    if not text:
        return mark_safe("")
    spans = [(m.start(), m.end()) for m in TOKEN_RE.finditer(text[:200_000]) if parsed and parsed.matches(m.group())]
    if not spans:
        cut = text[:width]
        return mark_safe(escape(cut) + ("…" if len(text) > width else ""))
    # The window holding the most matches, starting a little before the first of them.
    best, best_count = spans[0][0], 0
    j = 0
    for i, (start, _) in enumerate(spans):
        while j < len(spans) and spans[j][1] <= start + width:
            j += 1
        if j - i > best_count:
            best, best_count = start, j - i
    begin = max(0, best - 40)
    while begin > 0 and not text[begin - 1].isspace() and best - begin < 60:
        begin -= 1
    end = min(len(text), begin + width)
    out: list[str] = ["…"] if begin > 0 else []
    pos = begin
    for s, e in spans:
        if s < begin or e > end:
            continue
        out.append(escape(text[pos:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    out.append(escape(text[pos:end]))
    if end < len(text):
        out.append("…")
    return mark_safe("".join(out).replace("\n", " "))
