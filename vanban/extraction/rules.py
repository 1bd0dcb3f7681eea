"""The ND30 Appendix I layout rules: where each element of an administrative document
sits on its first page, and how to read it back from positioned text.

    top left   organ_parent / organ (upper case), "Số: 12/QĐ-BCT", "V/v …" (công văn),
               secrecy stamp and urgency mark below the number
    top right  CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / Độc lập - Tự do - Hạnh phúc,
               then "Place, ngày dd tháng mm năm yyyy"
    centre     TYPE NAME (bold upper case) and the summary (trích yếu) under it
    bottom     "Nơi nhận:" on the left; on the right the signing authority (KT./TL./
               TM./Q./TUQ.), the signer's position (upper case) and name

OCR text is matched tolerantly: comparisons run on a diacritic-free, lower-case form
of the same length as the text (so a match maps back to the printed words), and
catalogue names are matched by similarity."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from vanban.extraction.layout import Page, Segment

FIELDS: tuple[str, ...] = (
    "organ_parent", "organ", "number", "symbol", "number_symbol", "place", "date", "doc_type",
    "summary", "signer_name", "signer_position", "signing_authority", "urgency", "secrecy",
)  # fmt: skip
URGENCY_MARKS = {"hoatoc": "HỎA TỐC", "thuongkhan": "THƯỢNG KHẨN", "khan": "KHẨN"}
SECRECY_MARKS = {"tuyetmat": "TUYỆT MẬT", "toimat": "TỐI MẬT", "mat": "MẬT"}
AUTHORITIES = ("TUQ.", "KT.", "TL.", "TM.", "Q.")
MOTTO = "conghoaxahoichunghiavietnam"
MOTTO_2 = "doclaptudohanhphuc"
# Letters OCR reads where a digit was printed (in dates and numbers).
DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "Q": "0", "D": "0", "l": "1", "I": "1", "|": "1", "i": "1",
                                  "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2", "g": "9"})  # fmt: skip


# Words that open an organ's name (ND30 App I: the parent organ on its own line, then
# the issuing organ): a line that opens with none of them continues the line above.
ORGAN_HEADS = (
    "BỘ", "CỤC", "VỤ", "SỞ", "ỦY BAN", "UBND", "TỔNG CỤC", "TỔNG CÔNG TY", "TẬP ĐOÀN", "VĂN PHÒNG",
    "TRƯỜNG", "PHÒNG", "BAN", "VIỆN", "TRUNG TÂM", "CÔNG TY", "HỘI ĐỒNG", "THANH TRA", "CHI CỤC",
    "KHO BẠC", "NGÂN HÀNG", "BẢO HIỂM", "HỌC VIỆN", "ĐẠI HỌC", "BỆNH VIỆN", "TÒA ÁN", "VIỆN KIỂM SÁT",
    "CÔNG AN", "BỘ CHỈ HUY", "CHÍNH PHỦ", "QUỐC HỘI", "THỦ TƯỚNG", "ĐẢNG ỦY", "HỘI", "LIÊN ĐOÀN",
    "TỈNH ỦY", "HUYỆN ỦY", "THÀNH ỦY", "ĐOÀN", "CỤC THUẾ", "HẢI QUAN",
)  # fmt: skip
# Positions of signers (Luật Tổ chức Chính phủ, ND30 App I): OCR of bold capitals drops
# or swaps tone marks ("TRƯƠNG" for "TRƯỞNG"), so a printed position is matched to
# this list by its letters without marks, longest first.
POSITIONS = (
    "BỘ TRƯỞNG", "THỨ TRƯỞNG", "THỦ TƯỚNG", "PHÓ THỦ TƯỚNG", "TỔNG CỤC TRƯỞNG", "PHÓ TỔNG CỤC TRƯỞNG",
    "CỤC TRƯỞNG", "PHÓ CỤC TRƯỞNG", "VỤ TRƯỞNG", "PHÓ VỤ TRƯỞNG", "CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG",
    "CHÁNH THANH TRA", "PHÓ CHÁNH THANH TRA", "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "TỔNG GIÁM ĐỐC",
    "PHÓ TỔNG GIÁM ĐỐC", "CHỦ TỊCH", "PHÓ CHỦ TỊCH", "TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "TRƯỞNG PHÒNG",
    "PHÓ TRƯỞNG PHÒNG", "HIỆU TRƯỞNG", "PHÓ HIỆU TRƯỞNG", "VIỆN TRƯỞNG", "PHÓ VIỆN TRƯỞNG", "CHI CỤC TRƯỞNG",
    "PHÓ CHI CỤC TRƯỞNG", "BÍ THƯ", "PHÓ BÍ THƯ", "TỔNG THƯ KÝ", "ỦY BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN",
    "CHÁNH ÁN", "VIỆN TRƯỞNG", "TRƯỞNG ĐOÀN", "GIÁM ĐỐC SỞ", "KẾ TOÁN TRƯỞNG",
)  # fmt: skip


# Words of organ names whose letters without marks name nothing else there: OCR's
# "TĨNH", "PHÔ", "TỐNG" are restored. ("QUAN" is not here: HẢI QUAN / QUẬN.)
# ("PHỦ" is not either: PHÚ THỌ, PHÚ YÊN.)
ORGAN_WORDS = ("TỈNH", "PHỐ", "TỔNG", "HUYỆN", "ỦY", "NHÂN", "DÂN", "CHÍNH", "BỘ", "SỞ", "VỤ")


def correct_organ_words(text: str) -> str:
    known = {squash(w): w for w in ORGAN_WORDS}
    return " ".join(known.get(squash(w), w) if w.isupper() else w for w in text.split())


def _fold_words(text: str) -> list[str]:
    return [squash(w) for w in text.split() if squash(w)]


def correct_prefix(text: str, phrases: Sequence[str]) -> str:
    """Replace the opening words of `text` by the longest phrase of `phrases` whose
    letters without marks they equal ("GIAM ĐỌC" → "GIÁM ĐỐC")."""
    words = text.split()
    folded = _fold_words(text)
    if len(folded) != len(words):
        return text
    best: list[str] | None = None
    for phrase in phrases:
        pf = _fold_words(phrase)
        if folded[: len(pf)] == pf and (best is None or len(pf) > len(best)):
            best = phrase.split()
    if best is None:
        # A letter misread as well ("GLAM ĐỌC"): the whole line close to one phrase.
        key = squash(text)
        scored = max(phrases, key=lambda p: similar(key, squash(p)))
        return scored if similar(key, squash(scored)) >= 0.85 else text
    return " ".join(best + words[len(best) :])


def starts_organ(text: str) -> bool:
    """A line opening a name: a head word and more ("TRƯỜNG" alone ends "… MÔI TRƯỜNG")."""
    folded = _fold_words(text)
    if len(folded) < 2:
        return False
    return any(folded[: len(_fold_words(h))] == _fold_words(h) for h in ORGAN_HEADS)


@dataclass(frozen=True)
class TypeEntry:
    name: str  # catalogue name, e.g. "Quyết định (cá biệt)"
    abbreviation: str
    is_legal: bool

    @property
    def printed(self) -> str:
        return re.sub(r"\s*\([^)]*\)\s*$", "", self.name)


def fold_char(c: str) -> str:
    if c in "đĐðÐ":
        return "d"
    base = unicodedata.normalize("NFD", c)[:1] or c
    return base.lower() if len(base.lower()) == 1 else base


def fold(text: str) -> str:
    """Diacritic-free lower case, one character per character of `text`."""
    return "".join(fold_char(c) for c in text)


def squash(text: str) -> str:
    """Folded letters and digits only: "T H Ư Ợ N G  K H Ẩ N" → "thuongkhan"."""
    return re.sub(r"[^a-z0-9]", "", fold(text))


def similar(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def tidy(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("Ð", "Đ")
    text = re.sub(r"\s+", " ", text).strip(" .;,|_-—–'\"`")
    return text


def letters(text: str) -> int:
    return sum(1 for c in text if c.isalpha())


def _meaningful(seg: Segment) -> bool:
    """Text, not a rule (-----), a stray speck or a scanner smudge."""
    text = seg.text
    return letters(text) >= 2 and letters(text) >= 0.5 * len(text.replace(" ", ""))


# --- Header -------------------------------------------------------------------------------

NUMBER_LINE = re.compile(r"^\s*s[^\w\s]{0,2}\s*[o0-9e6a]\s*[:;.,i]*\s*(?P<rest>.+)$")
# OCR may lose the slash ("216GM-VPCP"): then the symbol must start with a capital.
NUMBER_SYMBOL = re.compile(
    r"^(?P<number>[0-9OoIl|]{1,6})(?:\s*/\s*|(?=[A-ZĐÐ]))(?P<symbol>[^\s/]+(?:\s*[-/]\s*[^\s/-]+)*)"
)
DATE = re.compile(
    r"ngay\W*(?P<d>[0-9olisbzg|]{1,2})\W*th[a-z]ng\W*(?P<m>[0-9olisbzg|]{1,2})\W*n[a-z]m\W*(?P<y>[0-9olisbzg|]{4})"
)
VV = re.compile(r"^[\W_]*v\s*[/|\\l1iI]?\s*[vw]{1,2}\b\s*[.:]?\s*", re.IGNORECASE)
NOI_NHAN = "noinhan"


def _digits(text: str) -> str:
    return text.translate(DIGIT_LOOKALIKES)


def parse_date(folded: str) -> tuple[re.Match[str], dt.date] | None:
    match = DATE.search(folded)
    if not match:
        return None
    try:
        day, month, year = (int(_digits(match.group(k).upper() if k == "y" else match.group(k))) for k in "dmy")
    except ValueError:
        return None
    try:
        return match, dt.date(year, month, day)
    except ValueError:
        return None


def clean_symbol(symbol: str, types: Sequence[TypeEntry]) -> str:
    symbol = tidy(symbol).replace(" ", "").replace("–", "-").replace("—", "-")
    symbol = re.sub(r"Đ{2,}", "Đ", symbol.replace("Ð", "Đ"))
    symbol = symbol.strip(".,;:")
    # The type abbreviation is the part before the first dash (after a year for normative
    # documents): restore its printed spelling when OCR dropped a stroke ("QD" → "QĐ").
    m = re.match(r"^(?P<year>\d{4}/)?(?P<abbr>[^-/]+)(?P<rest>-.*)$", symbol)
    if m:
        abbr = m.group("abbr")
        fixed = abbr.replace("TIr", "TTr").replace("Tlr", "TTr")
        exact = {t.abbreviation.upper() for t in types if t.abbreviation}
        if fixed.upper() not in exact:
            candidates = {t.abbreviation for t in types if t.abbreviation and fold(t.abbreviation) == fold(fixed)}
            if len(candidates) == 1:
                fixed = candidates.pop()
        symbol = f"{m.group('year') or ''}{fixed}{m.group('rest')}"
    return symbol


# --- The parser ---------------------------------------------------------------------------


class FirstPage:
    def __init__(self, page: Page, types: Sequence[TypeEntry]) -> None:
        self.types = types
        self.segs = [s for s in page.segments if s.text.strip()]
        self.result: dict[str, Any] = dict.fromkeys(FIELDS)
        heights = sorted(s.height for s in self.segs) or [0.012]
        self.line_h = heights[len(heights) // 2] or 0.012

    # helpers
    def below(self, seg: Segment, candidates: Iterable[Segment]) -> list[Segment]:
        return [s for s in candidates if s.cy > seg.cy + 0.3 * self.line_h]

    def parse(self) -> dict[str, Any]:
        segs = self.segs
        motto = max(segs, key=lambda s: similar(squash(s.text), MOTTO), default=None)
        if motto is not None and similar(squash(motto.text), MOTTO) < 0.6:
            motto = None
        split = motto.x0 - 0.01 if motto is not None and 0.3 < motto.x0 < 0.7 else 0.47
        header_limit = 0.45
        top = [s for s in segs if s.y0 < header_limit]
        left = [s for s in top if s.cx < split]
        right = [s for s in top if s.cx >= split]

        number_seg = self._number(left) or self._number([s for s in top if s.cx < 0.6])
        date_seg = self._date(right) or self._date(top)
        header_bottom = max((s.y1 for s in (number_seg, date_seg, motto) if s is not None), default=0.2)

        # Organ lines: the left block above "Số:".
        limit = number_seg.y0 if number_seg is not None else (date_seg.y0 if date_seg is not None else 0.2)
        organ_lines = [s for s in left if s.cy < limit - 0.2 * self.line_h and _meaningful(s)]
        if motto is not None:
            organ_lines = [s for s in organ_lines if s.cy >= motto.y0 - 2 * self.line_h]
        names: list[str] = []
        for seg in sorted(organ_lines, key=lambda s: s.cy):
            line = correct_organ_words(correct_prefix(tidy(seg.text).upper(), ORGAN_HEADS))
            if names and not starts_organ(line):
                names[-1] = f"{names[-1]} {line}"  # a long name wraps
            else:
                names.append(line)
        if len(names) == 1:
            self.result["organ"] = names[0]
        elif len(names) >= 2:
            self.result["organ_parent"] = names[0]
            self.result["organ"] = " ".join(names[1:])

        # Below the number: V/v (công văn), secrecy and urgency marks.
        summary_lines: list[Segment] = []
        anchor = number_seg
        # Without a number line, the whole left header is searched for V/v and the marks.
        under = sorted(self.below(number_seg, left) if number_seg is not None else left, key=lambda s: s.cy)
        under = [s for s in under if s.y0 < header_bottom + 8 * self.line_h]
        vv = next((s for s in under if VV.match(s.text)), None)
        for seg in under:
            key = squash(seg.text)
            mark = self._mark(key)
            if mark:
                kind, value = mark
                if self.result[kind] is None:
                    self.result[kind] = value
                header_bottom = max(header_bottom, seg.y1)
        if vv is not None:
            summary_lines = [vv]
            for seg in under:
                if seg.cy <= vv.cy or self._mark(squash(seg.text)):
                    continue
                if seg.y0 - summary_lines[-1].y1 < 1.2 * self.line_h and re.search(r"\w{2,}", seg.text):
                    summary_lines.append(seg)
            header_bottom = max(header_bottom, summary_lines[-1].y1)
            anchor = summary_lines[-1]
        del anchor

        # Centred title and summary.
        title_seg = None
        body = [s for s in segs if s.y0 > header_bottom - 0.2 * self.line_h]
        for seg in sorted(body, key=lambda s: s.cy)[:6]:
            entry = self._type_named(seg.text)
            if entry is not None and abs(seg.cx - 0.52) < 0.15:
                title_seg = seg
                self.result["doc_type"] = self._pick_type(entry)
                break
        if title_seg is not None:
            following = sorted((s for s in body if s.cy > title_seg.cy + 0.3 * self.line_h), key=lambda s: s.cy)
            lines: list[Segment] = []
            previous = title_seg
            pitch = None
            for seg in following:
                gap = seg.cy - previous.cy
                if pitch is None:
                    if gap > 2.6 * self.line_h:
                        break
                    pitch = gap
                elif gap > 1.35 * pitch:
                    break
                if abs(seg.cx - title_seg.cx) > 0.06:
                    break
                lines.append(seg)
                previous = seg
            if lines:
                self.result["summary"] = tidy(" ".join(s.text for s in lines))
        elif vv is not None:
            self.result["doc_type"] = "Công văn"
        if vv is not None and self.result["summary"] is None:
            text = " ".join(s.text for s in summary_lines)
            self.result["summary"] = tidy(VV.sub("", text, count=1))
        if self.result["doc_type"] is None and self.result["symbol"]:
            self.result["doc_type"] = self._type_from_symbol(self.result["symbol"])

        self._signer(segs, split, header_bottom)
        # Secrecy and urgency marks sometimes sit elsewhere in the header (a stamp
        # pressed by hand): any line of the header that is only a mark counts.
        for seg in top:
            mark = self._mark(squash(seg.text))
            if mark and self.result[mark[0]] is None:
                self.result[mark[0]] = mark[1]
        return self.result

    def _number(self, candidates: Sequence[Segment]) -> Segment | None:
        for seg in sorted(candidates, key=lambda s: s.cy):
            text = re.sub(r"^[\W_]+", "", seg.text)  # a rule or speck read before "Số"
            match = NUMBER_LINE.match(fold(text))
            if not match:
                continue
            rest = text[match.start("rest") :]
            ns = NUMBER_SYMBOL.search(rest)
            if not ns:
                continue
            number = _digits(ns.group("number"))
            if not number.isdigit():
                continue
            symbol = clean_symbol(ns.group("symbol"), self.types)
            if not symbol:
                continue
            self.result["number"] = number
            self.result["symbol"] = symbol
            self.result["number_symbol"] = f"{number}/{symbol}"
            return seg
        return None

    def _date(self, candidates: Sequence[Segment]) -> Segment | None:
        for seg in sorted(candidates, key=lambda s: s.cy):
            found = parse_date(fold(seg.text))
            if not found:
                continue
            match, date = found
            place = seg.text[: match.start()]
            # "Số: 12/UBND-KT    Hà Nội, ngày …" read as one line: the place follows the symbol.
            if self.result["symbol"] and self.result["symbol"] in place.replace(" ", ""):
                place = re.sub(r"^.*?/\s*\S+", "", place, count=1)
            place = tidy(place).rstrip(",")
            self.result["date"] = date.isoformat()
            self.result["place"] = tidy(place) or None
            return seg
        return None

    @staticmethod
    def _mark(key: str) -> tuple[str, str] | None:
        if key in URGENCY_MARKS:
            return "urgency", URGENCY_MARKS[key]
        if key in SECRECY_MARKS:
            return "secrecy", SECRECY_MARKS[key]
        if len(key) >= 6:
            for table, kind in ((URGENCY_MARKS, "urgency"), (SECRECY_MARKS, "secrecy")):
                for k, v in table.items():
                    if len(k) >= 6 and similar(key, k) >= 0.85:
                        return kind, v
        return None

    def _type_named(self, text: str) -> TypeEntry | None:
        key = squash(text)
        if not key or letters(text) < 3 or text.upper() != text:
            return None
        best, score = None, 0.0
        for entry in self.types:
            ratio = similar(key, squash(entry.printed))
            if ratio > score:
                best, score = entry, ratio
        return best if score >= 0.85 else None

    def _pick_type(self, entry: TypeEntry) -> str:
        """ "QUYẾT ĐỊNH" is a normative or an individual decision: a normative document's
        symbol carries the year ("12/2024/QĐ-TTg")."""
        same = [t for t in self.types if squash(t.printed) == squash(entry.printed)]
        legal = bool(re.match(r"^\d{4}/", self.result["symbol"] or ""))
        for t in same:
            if t.is_legal == legal:
                return t.name
        return entry.name

    def _type_from_symbol(self, symbol: str) -> str | None:
        m = re.match(r"^(\d{4}/)?([^-/]+)-", symbol)
        if not m:
            return None
        abbr = fold(m.group(2))
        legal = bool(m.group(1))
        matches = [t for t in self.types if t.abbreviation and fold(t.abbreviation) == abbr]
        for t in matches:
            if t.is_legal == legal:
                return t.name
        if matches:
            return matches[0].name
        # A công văn's symbol is the organ's and the unit's abbreviations ("BCT-XNK").
        return next((t.name for t in self.types if squash(t.printed) == "congvan"), None)

    def _signer(self, segs: Sequence[Segment], split: float, header_bottom: float) -> None:
        lower = [s for s in segs if s.y0 > header_bottom and _meaningful(s)]
        noi_nhan = next((s for s in lower if similar(squash(s.text)[:7], NOI_NHAN) >= 0.8 and s.cx < 0.45), None)
        block = [s for s in lower if s.x0 > 0.42 and s.cx > 0.55]
        if noi_nhan is not None:
            block = [s for s in block if s.y1 >= noi_nhan.y0 - 1.5 * self.line_h]
        block.sort(key=lambda s: s.cy)
        if not block:
            return
        # Keep the last group: lines closer than the space left for a signature.
        group = [block[-1]]
        for seg in reversed(block[:-1]):
            if group[0].cy - seg.cy > 9 * self.line_h:
                break
            group.insert(0, seg)
        texts = [tidy(s.text) for s in group]
        authority = None
        upper_lines: list[str] = []
        name = None
        for text in texts:
            m = re.match(r"^(TUQ|KT|TL|TM|Q)\s*[.,:]\s*(.*)$|^(TUQ|KT|TL|TM)\s+(.*)$", text)
            if m and (m.group(2) is not None or m.group(4) is not None) and text.upper() == text:
                if authority is None:
                    authority = (m.group(1) or m.group(3)) + "."
                    rest = (m.group(2) if m.group(1) else m.group(4)) or ""
                    upper_lines.append("\x00" + rest)  # the on-behalf part, or the position
                continue
            if text.upper() == text and letters(text) >= 3:
                upper_lines.append(text)
            elif letters(text) >= 4 and 2 <= len(text.split()) <= 6:
                name = text
        positions = [line for line in upper_lines if not line.startswith("\x00")]
        if positions:
            position = " ".join(positions)
        else:
            on_behalf = [line[1:] for line in upper_lines if line.startswith("\x00")]
            position = on_behalf[-1] if on_behalf else None
        self.result["signing_authority"] = authority
        self.result["signer_position"] = correct_prefix(tidy(position), POSITIONS) if position else None
        if name:
            self.result["signer_name"] = _title_case(name)


def _title_case(name: str) -> str:
    """OCR sometimes upper-cases a letter inside a name in bold: "Nguyễn VĂn An"."""
    words = [w[:1].upper() + w[1:].lower() for w in name.split()]
    return " ".join(words)


def propose(page: Page, types: Sequence[TypeEntry]) -> dict[str, Any]:
    return FirstPage(page, types).parse()
