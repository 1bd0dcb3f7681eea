"""Snippets with the matched words highlighted, cut from the entry's stored text.

Done in Python on the page's rows only (20 by default), identically on both engines; the
text is escaped first and only the <mark> tags are ours."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from vanban.search.folding import TOKEN_RE, fold, has_marks
from vanban.search.query import ParsedQuery

WINDOW = 240


def snippet(text: str, parsed: ParsedQuery, width: int = WINDOW) -> SafeString:
    if not text:
        return mark_safe("")
    spans = _spans(text[:200_000], parsed) if parsed else []
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


def _spans(text: str, parsed: ParsedQuery) -> list[tuple[int, int]]:
    """Where the query's terms occur. The text is folded once (same length for NFC
    Vietnamese: one base letter per precomposed letter) and each token is a set lookup;
    a text whose folding changes its length takes the per-token path."""
    low = text.lower()
    folded = fold(low)
    if len(folded) != len(text) or len(low) != len(text):
        return [(m.start(), m.end()) for m in TOKEN_RE.finditer(text) if parsed.matches(m.group())]
    exact: set[str] = set()
    loose: set[str] = set()
    prefixes: list[tuple[str, bool]] = []
    for group in parsed.groups:
        for i, term in enumerate(group.terms):
            marked = has_marks(term)
            if group.prefix and i == len(group.terms) - 1:
                prefixes.append((term if marked else fold(term), marked))
            else:
                (exact if marked else loose).add(term)
    words = sorted(loose | {fold(t) for t in exact}, key=len, reverse=True)
    alternatives = [re.escape(w) for w in words] + [re.escape(p if not m else fold(p)) + r"[^\W_]*" for p, m in prefixes]
    if not alternatives:
        return []
    # One C-speed scan of the folded text for every candidate; marked terms then checked exactly.
    pattern = re.compile(r"(?<![^\W_])(?:" + "|".join(alternatives) + r")(?![^\W_])")
    spans = []
    for m in pattern.finditer(folded):
        tok, original = m.group(), low[m.start() : m.end()]
        hit = tok in loose or original in exact
        if not hit and prefixes:
            hit = any(original.startswith(p) if marked else tok.startswith(p) for p, marked in prefixes)
        if hit:
            spans.append((m.start(), m.end()))
    return spans
