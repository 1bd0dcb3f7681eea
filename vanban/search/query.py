"""The search box's little language, turned into PostgreSQL tsquery and SQLite FTS5 MATCH.

- Words typed next to each other form one group matched as a unit (adjacent, in order):
  Vietnamese words have several syllables ("ngân sách", "sạt lở"), so OR-ing or AND-ing
  syllables anywhere in the text would match documents that never contain the word.
- Commas or semicolons separate independent groups, all of which must match.
- "Quoted text" is a group of its own.
- A number/symbol ("123/QĐ-BCT", "QĐ-BCT") is a group of its own tokens.
- A trailing * makes the last syllable a prefix (dien* → điện, điều, ...).
- A syllable typed with diacritics matches exactly that form; without, every form.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from vanban.search.folding import TOKEN_RE, fold, has_marks, nfc_lower

MAX_GROUPS = 12
MAX_TERMS = 24


@dataclass(frozen=True)
class Group:
    terms: tuple[str, ...]
    prefix: bool = False

    def index_terms(self) -> list[tuple[str, bool]]:
        """(term, prefix) that must all be in a matching entry, in the index's vocabulary
        (`indexing.fts5_terms`, PostgreSQL's bigrams): a single syllable itself; adjacent
        syllables as pairs, exact when every syllable was typed with marks, else folded
        plus each marked syllable exactly."""
        if len(self.terms) == 1:
            return [(self.terms[0], self.prefix)]
        marked = [_marked(t) for t in self.terms]
        terms = self.terms if all(marked) else tuple(fold(t) for t in self.terms)
        last = len(terms) - 2
        parts = [(f"{a}_{b}", self.prefix and i == last) for i, (a, b) in enumerate(itertools.pairwise(terms))]
        if not all(marked):
            parts += [(t, False) for t, m in zip(self.terms, marked, strict=True) if m]
        return parts

    def tsquery(self) -> str:
        """PostgreSQL: adjacent syllables are looked up as indexed bigrams ("ngân_sách"),
        so a phrase is a plain GIN lookup with no position check on the rows."""
        parts = [f"'{t}'" + (":*" if prefix else "") for t, prefix in self.index_terms()]
        return parts[0] if len(parts) == 1 else "(" + " & ".join(parts) + ")"

    def fts5(self, expand: Callable[[str], list[str] | None] | None = None) -> str:
        """SQLite: the same terms in the `search_terms` table, pairs behind a "_" (tokens
        never hold quotes). `expand` may list the terms a prefix stands for (None: leave it
        a prefix query)."""
        parts = []
        for word, prefix in self.index_terms():
            term = f"_{word}" if "_" in word else word
            found = expand(term) if prefix and expand is not None else None
            if found:
                parts.append("(" + " OR ".join(f'"{t}"' for t in found) + ")")
            else:
                parts.append(f'"{term}"' + (" *" if prefix else ""))
        return " AND ".join(parts)

    def matches(self, token: str) -> bool:
        """Whether one text token is one of this group's terms (for highlighting)."""
        low = token.lower()
        folded = fold(low)
        for i, term in enumerate(self.terms):
            target = low if _marked(term) else folded
            if target == term or (self.prefix and i == len(self.terms) - 1 and target.startswith(term)):
                return True
        return False


@dataclass(frozen=True)
class ParsedQuery:
    groups: tuple[Group, ...] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return bool(self.groups)

    def tsquery(self) -> str:
        return " & ".join(g.tsquery() for g in self.groups)

    def fts5(self, expand: Callable[[str], list[str] | None] | None = None) -> str:
        return " AND ".join(f"({g.fts5(expand)})" for g in self.groups)

    def matches(self, token: str) -> bool:
        return any(g.matches(token) for g in self.groups)


@lru_cache(maxsize=1024)
def _marked(term: str) -> bool:
    return has_marks(term)


_PIECE_RE = re.compile(r'"([^"]*)"?|([,;])|([^\s,;"]+)')
_SEPARATOR_RE = re.compile(r"[/\-.]")


def parse(text: str) -> ParsedQuery:
    groups: list[Group] = []
    run: list[str] = []
    total = 0

    def add(terms: list[str], prefix: bool = False) -> None:
        nonlocal total
        terms = terms[: max(0, MAX_TERMS - total)]
        if terms and len(groups) < MAX_GROUPS:
            groups.append(Group(tuple(terms), prefix))
            total += len(terms)

    def flush(prefix: bool = False) -> None:
        add(run[:], prefix)
        run.clear()

    for quoted, separator, word in _PIECE_RE.findall(nfc_lower(text or "")):
        if separator:
            flush()
        elif quoted or (quoted == "" and not word and not separator):
            flush()
            add(TOKEN_RE.findall(quoted))
        elif word:
            prefix = word.endswith("*")
            toks = TOKEN_RE.findall(word)
            if not toks:
                continue
            if _SEPARATOR_RE.search(word.strip("*")) and len(toks) > 1:
                # A number/symbol: its own group so it never glues onto neighbouring words.
                flush()
                add(toks, prefix)
            else:
                run.extend(toks)
                if prefix:
                    flush(prefix=True)
    flush()
    return ParsedQuery(tuple(groups))
