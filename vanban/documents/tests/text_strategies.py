"""Hypothesis strategies for the text guard: Vietnamese syllables built from the
spelling rules (onset + rhyme + tone), and ordinary texts in other languages.

They are written from the orthography, not from the converter's tables, so they can
disagree with it."""

from __future__ import annotations

import unicodedata

from hypothesis import strategies as st

ONSETS = [
    "",
    "b",
    "c",
    "ch",
    "d",
    "đ",
    "g",
    "gh",
    "gi",
    "h",
    "k",
    "kh",
    "l",
    "m",
    "n",
    "ng",
    "ngh",
    "nh",
    "ph",
    "qu",
    "r",
    "s",
    "t",
    "th",
    "tr",
    "v",
    "x",
]
_RHYME_TABLE = """a ac ach ai am an ang anh ao ap at au ay ăc ăm ăn ăng ăp ăt âc âm ân âng âp ât âu ây
e ec em en eng eo ep et ê êch êm ên ênh êp êt êu i ich im in inh ip it iu iêc iêm iên iêng iêp iêt iêu
o oc oi om on ong op ot oa oac oach oai oan oang oanh oat oay oăc oăn oăng oăt oe oen oeo oet
ô ôc ôi ôm ôn ông ôp ôt ơ ơi ơm ơn ơp ơt u ua uc ui um un ung up ut uôc uôi uôm uôn uông uôt
uân uât uây uê uy uya uyên uyêt uynh uyt ư ưa ưc ưi ưng ưt ưu ươc ươi ươm ươn ương ươp ươt ươu"""
RHYMES = _RHYME_TABLE.split()
# ngang, huyền, hỏi, ngã, sắc, nặng as combining marks
TONES = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]
SHAPED = "ăâêôơư"
VOWEL_LETTERS = "aăâeêioôơuưy"


def _tone_position(rhyme: str) -> int:
    """Where the tone goes (old and new placement both being valid, pick one)."""
    shaped = [i for i, c in enumerate(rhyme) if c in SHAPED]
    if shaped:
        return shaped[-1]
    vowels = [i for i, c in enumerate(rhyme) if c in VOWEL_LETTERS]
    if rhyme[-1] not in VOWEL_LETTERS or len(vowels) == 1:
        return vowels[-1]
    return vowels[-2]


@st.composite
def syllables(draw, case: str = "lower") -> str:
    onset = draw(st.sampled_from(ONSETS))
    rhyme = draw(st.sampled_from(RHYMES))
    if onset == "qu" and rhyme.startswith("u"):
        # "quy", "quân": the u belongs to qu; "qu" + "ung" is no syllable.
        if rhyme[1:2] and rhyme[1] in VOWEL_LETTERS:
            rhyme = rhyme[1:]
        else:
            onset = ""
    if onset == "gi" and rhyme.startswith("i"):
        onset = "g"
    stop = rhyme.endswith(("c", "ch", "p", "t"))
    tone = draw(st.sampled_from([4, 5] if stop else range(6)))
    at = _tone_position(rhyme)
    word = unicodedata.normalize("NFC", onset + rhyme[: at + 1] + TONES[tone] + rhyme[at + 1 :])
    if case == "upper":
        return word.upper()
    if case == "title":
        return word[:1].upper() + word[1:]
    return word


ASCII_WORDS = ["UBND", "BCT", "email", "online", "Internet", "2024", "15", "123/2024", "A4", "(1)", "PDF"]
SEPARATORS = [" ", " ", " ", ", ", ". ", ": ", " - ", "; ", "\n", " (", ") ", "? ", "! "]


@st.composite
def vietnamese_texts(draw, cases: tuple[str, ...] = ("lower", "title", "upper")) -> str:
    """Vietnamese syllables, with an ASCII word (number, abbreviation, loan word) for
    every four of them at most, separated by spaces and punctuation."""
    tokens = [draw(syllables(case=draw(st.sampled_from(cases)))) for _ in range(draw(st.integers(4, 30)))]
    for _ in range(draw(st.integers(0, len(tokens) // 4))):
        tokens.insert(draw(st.integers(0, len(tokens))), draw(st.sampled_from(ASCII_WORDS)))
    text = tokens[0]
    for token in tokens[1:]:
        text += draw(st.sampled_from(SEPARATORS)) + token
    return text


_ENGLISH = (
    "The minister signed the decision on Monday. Don't you think it's late? I'm here, "
    "we'll see. Please reply to the e-mail by 5 p.m. (or sooner). Is it ok? Yes. "
    "\"Quoted\" text, 'single quotes', a.m., e.g. and i.e. are common."
)
_FRENCH = "Élève à l'école, où est la gare? Déjà vu; garçon, naïve, Noël, maître, côte, hôtel, «guillemets» août."
_GERMAN = "Grüße, Straße; schön, Mädchen, Müller, Größe, Äpfel, Übung, Öl, weiß, heißen."
_SPANISH = "Año, niño, señor, España, canción, ¿Qué? ¡Olé! Perú."
ENGLISH, FRENCH, GERMAN, SPANISH = (t.split() for t in (_ENGLISH, _FRENCH, _GERMAN, _SPANISH))


@st.composite
def foreign_texts(draw) -> str:
    words = draw(st.lists(st.sampled_from(ENGLISH + FRENCH + GERMAN + SPANISH), min_size=1, max_size=25))
    return " ".join(words)


SHAPE_MARKS = {"CIRCUMFLEX": "^", "BREVE": "(", "HORN": "+"}
TONE_MARKS = {"GRAVE": "`", "HOOK ABOVE": "?", "TILDE": "~", "ACUTE": "'", "DOT BELOW": "."}
SHAPES_OF = {"A": {"CIRCUMFLEX", "BREVE"}, "E": {"CIRCUMFLEX"}, "O": {"CIRCUMFLEX", "HORN"}, "U": {"HORN"}}


def vietnamese_alphabet() -> dict[str, str]:
    """Letter → its VIQR spelling, for every Vietnamese letter outside ASCII in both
    cases, found by reading Unicode's names ("LATIN SMALL LETTER O WITH HORN AND DOT
    BELOW"): independent of the converter's tables."""
    letters = {}
    for code in range(0xC0, 0x1F00):
        char = chr(code)
        name = unicodedata.name(char, "")
        for case in ("SMALL", "CAPITAL"):
            prefix = f"LATIN {case} LETTER "
            if not name.startswith(prefix):
                continue
            base, _, marks = name[len(prefix) :].partition(" WITH ")
            if base == "D" and marks == "STROKE":
                letters[char] = "dd" if case == "SMALL" else "DD"
                continue
            if len(base) != 1 or base not in "AEIOUY" or not marks:
                continue
            parts = marks.split(" AND ")
            shapes = [p for p in parts if p in SHAPE_MARKS]
            tones = [p for p in parts if p in TONE_MARKS]
            if len(shapes) + len(tones) != len(parts) or len(shapes) > 1 or len(tones) > 1:
                continue
            if shapes and shapes[0] not in SHAPES_OF.get(base, set()):
                continue
            spelled = (base if case == "CAPITAL" else base.lower()) + "".join(SHAPE_MARKS[s] for s in shapes)
            letters[char] = spelled + "".join(TONE_MARKS[t] for t in tones)
    return letters


ALPHABET = vietnamese_alphabet()


def visibly_legacy(text: str, encoded: str) -> bool:
    """Whether the legacy form shows itself: three different consonant-initial words
    whose encoding holds a character that is neither ASCII nor a Vietnamese letter
    ("c¸c", "ñi", "Vie^.t" ...). Without that, the encoded text may read as ordinary
    Vietnamese ("BÒ GIÒM bép" is TCVN3 for "Bề GIỀM bộp"), and the guard rightly
    leaves it alone."""
    shown = set()
    for word, code in zip(text.split(), encoded.split(), strict=True):
        # A VIQR "." or "?" ending a word reads as punctuation ("ba?" for "bả"): it
        # shows nothing, and a text whose only marks are those is rightly left alone.
        core = code.rstrip(".?\\") if code.isascii() else code
        if word != code and _starts_with_consonant(word) and any(_shows(c) for c in core):
            shown.add(word.lower())
    return len(shown) >= 3


def _shows(char: str) -> bool:
    if char.isascii():
        return char in "^(+'`?~."
    return char not in ALPHABET


def _starts_with_consonant(word: str) -> bool:
    first = unicodedata.normalize("NFD", word.lstrip("(),.:;!?-")[:1])[:1]
    return first.isalpha() and first not in "aeiouyAEIOUY"


TCVN3_CAPITALS = "ĂÂÊÔƠƯĐ"
LINE_SEPARATORS = [s for s in SEPARATORS if "\n" not in s]


@st.composite
def tcvn3_recoverable_texts(draw) -> str:
    """Texts whose capitals TCVN3 can carry: lines in lowercase and Title case (a Title
    word starts with an ASCII letter or one of the seven VN3 capitals), and lines in
    capitals with at least one word long enough to show it (like headings)."""
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        words = []
        caps = draw(st.booleans())
        for _ in range(draw(st.integers(2, 10))):
            word = draw(syllables(case="upper" if caps else draw(st.sampled_from(["lower", "title"]))))
            if not caps and word[0].isupper() and not (word[0].isascii() or word[0] in TCVN3_CAPITALS):
                word = word.lower()
            words.append(word)
        if caps:
            words.insert(draw(st.integers(0, len(words))), "VIỆT")
        line = words[0]
        for word in words[1:]:
            line += draw(st.sampled_from(LINE_SEPARATORS)) + word
        lines.append(line)
    return "\n".join(lines)
