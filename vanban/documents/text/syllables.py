"""A Vietnamese syllable validator.

Detection reads a text in each legacy encoding and keeps the reading in which the words
become real Vietnamese syllables (domain.md §8.3). Mojibake almost never forms a valid
syllable ("c¸c", "Toâi"), and English, French or German words rarely do once their
accents are re-read as Vietnamese ("ộcole"), so the share of valid syllables separates
the readings. The check is structural (onset + rhyme + one tone on a vowel, stop codas
only with sắc or nặng), not a dictionary: it accepts every real syllable and some
unused ones, which is what scoring needs.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from vanban.documents.text.letters import ACUTE, DOT, TONE_MARKS

# "q" alone lets "quy", "quýt", "quân" read as q + a rhyme starting with its glide u.
_ONSETS = "ngh ng nh ch gh gi kh ph qu th tr b c d đ g h k l m n p q r s t v x".split()  # noqa: SIM905

# Every rhyme (vần) of the modern language without its tone, grouped by the vowel it
# starts with. Rare rhymes (oong, ooc, uyu, uơ, ưi, ưn) are kept: official texts use
# names and loan words ("xoong", "thuở", "ngửi"). A table reads best as one line per vowel.
_RHYMES = """
    a ac ach ai am an ang anh ao ap at au ay
    ăc ăm ăn ăng ăp ăt
    âc âm ân âng âp ât âu ây
    e ec em en eng eo ep et
    ê êch êm ên ênh êp êt êu
    i ia ich im in inh ip it iu iêc iêm iên iêng iêp iêt iêu
    y yêm yên yêng yêt yêu
    o oc oi om on ong op ot oong ooc
    oa oac oach oai oam oan oang oanh oao oap oat oay oăc oăm oăn oăng oăt
    oe oen oeo oet
    ô ôc ôi ôm ôn ông ôp ôt
    ơ ơi ơm ơn ơp ơt
    u ua uc ui um un ung up ut uôc uôi uôm uôn uông uôt
    uân uâng uât uây uê uêch uênh uơ
    uy uya uych uyên uyêt uynh uyp uyt uyu
    ư ưa ưc ưi ưm ưn ưng ưt ưu ươc ươi ươm ươn ương ươp ươt ươu
""".split()  # noqa: SIM905

_SYLLABLE = re.compile(
    "(?:{})?(?:{})".format(
        "|".join(sorted(_ONSETS, key=len, reverse=True)),
        "|".join(sorted(_RHYMES, key=len, reverse=True)),
    )
)
# Syllables closed by a stop (p, t, c, ch) only carry sắc or nặng.
_STOP_CODA = re.compile("(?:p|t|c|ch)$")
_TONES = frozenset(TONE_MARKS[1:])
_MAX_LENGTH = 8  # "nghiêng" has 7 letters


@lru_cache(maxsize=65536)
def is_syllable(word: str) -> bool:
    """Whether `word` (NFC, one syllable, any of lower, Title or UPPER case) is a
    well-formed Vietnamese syllable."""
    if not word or len(word) > _MAX_LENGTH or not _consistent_case(word):
        return False
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = []
    previous_base = ""
    for char in decomposed:
        if char in _TONES:
            # A tone sits on a vowel; "ḿ" or a tone after a consonant is mojibake.
            if previous_base not in "aeiouy" or not previous_base:
                return False
            tones.append(char)
        elif not unicodedata.combining(char):
            previous_base = char
    if len(tones) > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    if not _SYLLABLE.fullmatch(base):
        return False
    return not (_STOP_CODA.search(base) and (not tones or tones[0] not in (ACUTE, DOT)))


def _consistent_case(word: str) -> bool:
    return word.islower() or word.isupper() or (word[0].isupper() and (len(word) == 1 or word[1:].islower()))
