"""Full-text search at scale: build N indexed incoming documents with bulk SQL, then
measure search latency (count + first page + snippets, through the real selector) for an
administrator-like reader (Lãnh đạo Bộ, sees everything), for a specialist who sees
about 1% of the documents through workflow assignments, and for the ministry's clerk
(Văn thư Bộ: every incoming document, only some outgoing ones), permissions applied in SQL.

Also reports precision@10 and recall on planted, labelled phrases:
- "sạt lở" (0.1% of documents) beside confounders "giám sát lộ trình" (sát lộ: same letters,
  other diacritics, 5%) and "sạt nghiệp ... lở loét" (both syllables, never the word);
- "ngân sách nhà nước" (2%) beside "ngân hàng nhà nước" and "sách".

    python bench/search.py --docs 1000000 --db postgres
    python bench/search.py --docs 200000 --db sqlite

The data is built once per database: a run finding at least --docs entries only measures
(its build figures are read back from the first run's notes). Bodies are 60-150
words (1-3 short paragraphs) so a million documents build in minutes on 2 cores.
The last line is one JSON object with every figure."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import analyze, emit, engine, parser, peak_rss_mb, percentile, setup_django

SEED = 20261125
SUBJECT_TOPICS = [
    "báo cáo tình hình thực hiện kế hoạch năm", "triển khai công văn điện tử", "kiểm tra công tác phòng cháy",
    "tổ chức hội nghị sơ kết", "đề nghị bổ sung kinh phí", "hướng dẫn quyết toán vốn đầu tư",
    "phê duyệt đề án chuyển đổi số", "tăng cường quản lý thị trường", "xuất khẩu gạo và nông sản",
    "thanh tra việc chấp hành pháp luật", "cử cán bộ tham dự tập huấn", "góp ý dự thảo thông tư",
    "điều chỉnh giá điện sinh hoạt", "báo cáo kết quả giải quyết khiếu nại", "tuyển dụng công chức",
]  # fmt: skip
FRAGMENTS = [
    "Thực hiện chỉ đạo của Bộ trưởng về việc tăng cường công tác quản lý nhà nước trong lĩnh vực công thương",
    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư",
    "đề nghị các đơn vị báo cáo kết quả thực hiện trước ngày 15 hằng tháng",
    "Văn phòng Bộ tổng hợp, báo cáo Lãnh đạo Bộ xem xét, quyết định",
    "các đơn vị chủ động phối hợp với Sở Công Thương các tỉnh, thành phố trực thuộc trung ương",
    "bảo đảm tiến độ, chất lượng và hiệu quả, tránh lãng phí",
    "Trong quá trình thực hiện, nếu có vướng mắc, đề nghị phản ánh kịp thời về Vụ Kế hoạch - Tài chính",
    "tổ chức khảo sát, đánh giá thực trạng hạ tầng thương mại điện tử tại địa phương",
    "Cục Điều tiết điện lực hướng dẫn các đơn vị điện lực thực hiện",
    "công tác phòng, chống tham nhũng, tiêu cực được triển khai đồng bộ",
    "số liệu xuất khẩu quý III tăng so với cùng kỳ năm trước",
    "hồ sơ gửi về Văn phòng Bộ qua hệ thống quản lý văn bản và điều hành",
    "ứng dụng công nghệ thông tin, chuyển đổi số trong hoạt động của cơ quan",
    "bảo đảm an toàn, an ninh mạng cho hệ thống thông tin",
    "thực hiện nghiêm chế độ báo cáo định kỳ theo quy định",
]  # fmt: skip
PLANT_SAT_LO = "khắc phục hậu quả sạt lở đất tại các tỉnh miền núi phía Bắc"
CONFOUND_SAT_LO = "tăng cường giám sát lộ trình cắt giảm thủ tục hành chính"  # "sát lộ"
CONFOUND_SYLLABLES = "tránh để doanh nghiệp sạt nghiệp, xử lý dứt điểm tình trạng lở loét hạ tầng"
PLANT_BUDGET = "sử dụng ngân sách nhà nước đúng mục đích, tiết kiệm"
CONFOUND_BUDGET = "phối hợp với Ngân hàng Nhà nước và thư viện sách pháp luật"
NOTATIONS = ["QĐ-BCT", "CV-BCT", "QĐ-UBND", "TB-VP", "BC-SCT", "UBND-KT", "TTr-BTC", "CT-TTg"]
ORGANS = ["UBND tỉnh Nghệ An", "UBND thành phố Hà Nội", "Bộ Tài chính", "Sở Công Thương Đắk Lắk",
          "Văn phòng Chính phủ", "UBND tỉnh Lai Châu", "Bộ Kế hoạch và Đầu tư", "Sở Công Thương TP. Hồ Chí Minh",
          "Tổng cục Hải quan", "UBND tỉnh Quảng Ninh", "Bộ Nội vụ", "UBND tỉnh Cà Mau"]  # fmt: skip
SIGNERS = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Quốc Cường", "Phạm Thu Dung", "Hoàng Đức Em", "Đỗ Minh Giang"]
URGENCIES = ["normal"] * 8 + ["khan", "thuong_khan"]

ADMIN, SPECIALIST, CLERK = "bt.hoang", "cv.qlxk", "vanthu.bo"


def generate(n: int, start_id: int) -> Any:
    """Yields (doc fields, body, labels) for documents start_id .. start_id+n-1."""
    rng = random.Random(SEED + start_id)
    base = dt.date(2020, 1, 1)
    for _ in range(n):
        labels = set()
        paragraphs = []
        for _ in range(rng.randint(1, 3)):
            sentences = rng.sample(FRAGMENTS, rng.randint(3, 5))
            paragraphs.append(". ".join(sentences) + ".")
        r = rng.random()
        if r < 0.001:
            paragraphs.insert(rng.randint(0, len(paragraphs)), PLANT_SAT_LO + ".")
            labels.add("sat_lo")
        elif r < 0.051:
            paragraphs.append(CONFOUND_SAT_LO + ".")
            labels.add("sat_lo_other")
        elif r < 0.061:
            paragraphs.append(CONFOUND_SYLLABLES + ".")
        r = rng.random()
        if r < 0.02:
            paragraphs.insert(0, PLANT_BUDGET + ".")
            labels.add("budget")
        elif r < 0.07:
            paragraphs.append(CONFOUND_BUDGET + ".")
        issued = base + dt.timedelta(days=rng.randint(0, 6 * 365))
        yield {
            "number": str(rng.randint(1, 9999)), "notation": rng.choice(NOTATIONS),
            "subject": "V/v " + rng.choice(SUBJECT_TOPICS), "organ": rng.randrange(len(ORGANS)),
            "signer": rng.choice(SIGNERS), "urgency": rng.choice(URGENCIES), "issued": issued,
            "arrival": dt.datetime.combine(issued + dt.timedelta(days=rng.randint(1, 5)), dt.time(9, 0),
                                           tzinfo=dt.timezone(dt.timedelta(hours=7))),
        }, "\n".join(paragraphs), labels  # fmt: skip


def world() -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from vanban.documents.models import DocumentType, Register
    from vanban.documents.services import find_or_create_external_organ, open_register
    from vanban.organisation.demo import load_demo
    from vanban.organisation.models import Organ

    load_demo()
    users = {u.username: u for u in get_user_model().objects.filter(username__in=[ADMIN, SPECIALIST, CLERK])}
    organ = Organ.objects.order_by("pk").first()
    register = Register.objects.filter(kind="incoming", unit=None).order_by("-year").first()
    if register is None:
        register = open_register(actor=users[CLERK], owner=organ, kind="incoming")
    organs = []
    for name in ORGANS:
        organs.append(find_or_create_external_organ(actor=users[CLERK], name=name)[0])
    return {"users": users, "register": register, "organs": organs,
            "type": DocumentType.objects.get(code="cong-van")}  # fmt: skip


def build(n: int, w: dict[str, Any]) -> dict[str, Any]:
    """Bulk SQL: incoming documents, their search entries (with the word index), and the
    specialist's 1% through presentation → direction → assignment rows."""
    from django.db import connection, transaction

    from vanban.search.folding import fold
    from vanban.search.indexing import fts5_terms, tsvector_literal
    from vanban.search.models import SearchEntry

    have = SearchEntry.objects.count()
    if have >= n:
        # A database already built: measure only; the build's own figures, if this script
        # made it, were kept beside the labels.
        saved = _build_path()
        earlier = json.loads(saved.read_text()) if saved.exists() else {}
        return {**earlier, "built": False, "reused": True, "docs": have}
    from vanban.incoming.models import IncomingDocument

    start = (IncomingDocument.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    first_arrival = (IncomingDocument.objects.filter(register=w["register"]).order_by("-arrival_number")
                     .values_list("arrival_number", flat=True).first() or 0) + 1  # fmt: skip
    todo = n - have
    organs, reg, user, dtype = w["organs"], w["register"], w["users"][CLERK], w["type"]
    now = dt.datetime.now(dt.UTC)
    labels: dict[int, set[str]] = {}
    t0 = time.perf_counter()
    pg = connection.vendor == "postgresql"
    inc_cols = ["id", "register_id", "arrival_number", "arrival_date", "document_type_id", "code_number",
                "code_notation", "issued_date", "issuing_organ_id", "subject", "language", "description",
                "signer_name", "signer_position", "urgency", "secrecy", "receipt_method", "to_places", "number_key",
                "notation_key", "status", "registered_by_id", "registered_at"]  # fmt: skip
    ent_cols = ["id", "kind", "incoming_id", "number_symbol", "subject", "document_type_id", "organ_id", "register_id",
                "signer_name", "signer_folded", "status", "urgency", "doc_date", "registered_at", "content",
                "indexed_at"]  # fmt: skip
    with connection.cursor() as cur:
        if pg:
            cur.execute("SET maintenance_work_mem = '1GB'")
            cur.execute("DROP INDEX IF EXISTS search_entry_tsv_gin")
        chunk = 20_000
        for off in range(0, todo, chunk):
            inc_rows, ent_rows, fts_rows = [], [], []
            for j, (d, body, lab) in enumerate(generate(min(chunk, todo - off), start + off)):
                pk = start + off + j
                if lab:
                    labels[pk] = lab
                organ = organs[d["organ"]]
                number_symbol = f"{d['number']}/{d['notation']}"
                inc_rows.append((pk, reg.pk, first_arrival + off + j, d["arrival"], dtype.pk, d["number"], d["notation"],
                                 d["issued"], organ.pk, d["subject"], "Tiếng Việt", "", d["signer"], "Phó Chủ tịch",
                                 d["urgency"], "none", "paper", "", int(d["number"]), fold(d["notation"]).upper(),
                                 "registered", user.pk, d["arrival"]))  # fmt: skip
                meta = "\n".join([number_symbol, d["subject"], organ.name, dtype.name, d["signer"], "Phó Chủ tịch"])
                ent_rows.append((pk, "incoming", pk, number_symbol, d["subject"], dtype.pk, organ.pk, reg.pk,
                                 d["signer"], fold(d["signer"]), "registered", d["urgency"], d["issued"],
                                 d["arrival"], f"{meta}\n{body}", now))  # fmt: skip
                if pg:
                    ent_rows[-1] = (*ent_rows[-1], tsvector_literal(meta, body))
                else:
                    fts_rows.append((pk, *fts5_terms(f"{meta}\n{body}")))
            with transaction.atomic():
                if pg:
                    with cur.cursor.copy(f"COPY incoming_incomingdocument ({','.join(inc_cols)}) FROM STDIN") as cp:
                        for row in inc_rows:
                            cp.write_row(row)
                    with cur.cursor.copy(f"COPY search_searchentry ({','.join(ent_cols)},tsv) FROM STDIN") as cp:
                        for row in ent_rows:
                            cp.write_row(row)
                else:
                    marks = lambda k: ",".join(["%s"] * k)  # noqa: E731
                    cur.executemany(f"INSERT INTO incoming_incomingdocument ({','.join(inc_cols)}) "
                                    f"VALUES ({marks(len(inc_cols))})", inc_rows)  # fmt: skip
                    cur.executemany(f"INSERT INTO search_searchentry ({','.join(ent_cols)}) "
                                    f"VALUES ({marks(len(ent_cols))})", ent_rows)  # fmt: skip
                    cur.executemany("INSERT INTO search_terms(rowid, size, terms) VALUES (%s,%s,%s)", fts_rows)
            done = off + len(inc_rows)
            print(f"  {done:,}/{todo:,} documents ({done / (time.perf_counter() - t0):,.0f}/s)", flush=True)
        load_s = time.perf_counter() - t0
        if pg:
            cur.execute("SELECT setval(pg_get_serial_sequence('incoming_incomingdocument','id'), %s)", [start + todo])
            cur.execute("SELECT setval(pg_get_serial_sequence('search_searchentry','id'), %s)", [start + todo])
            t1 = time.perf_counter()
            cur.execute("CREATE INDEX search_entry_tsv_gin ON search_searchentry USING gin (tsv)")
            gin_s = time.perf_counter() - t1
        else:
            gin_s = 0.0
    assigned = _assign_specialist(w, start, todo)
    _save_labels(labels)
    analyze()
    total_s = time.perf_counter() - t0
    figures = {"built": True, "docs": n, "load_s": round(load_s, 1), "gin_index_s": round(gin_s, 1),
               "ingest_docs_per_s": round(todo / total_s), "specialist_assigned": assigned}  # fmt: skip
    _build_path().write_text(json.dumps(figures))
    return figures


def _assign_specialist(w: dict[str, Any], start: int, count: int) -> int:
    """About 1% of the documents reach the specialist: presented to the minister, directed,
    assigned to the specialist to lead."""
    from django.db import transaction

    from vanban.workflow.models import Assignment, Direction, Presentation

    rng = random.Random(SEED)
    ids = sorted(rng.sample(range(start, start + count), max(1, count // 100)))
    leader, spec, clerk = w["users"][ADMIN], w["users"][SPECIALIST], w["users"][CLERK]
    for off in range(0, len(ids), 5000):
        part = ids[off : off + 5000]
        with transaction.atomic():
            pres = Presentation.objects.bulk_create([Presentation(document_id=i, leader=leader, presented_by=clerk,
                                                                  status="directed") for i in part])  # fmt: skip
            dirs = Direction.objects.bulk_create([Direction(document_id=p.document_id, presentation=p, author=leader,
                                                            text="Giao chuyên viên xử lý") for p in pres])  # fmt: skip
            Assignment.objects.bulk_create([Assignment(document_id=d.document_id, direction=d, role="lead",
                                                       assignee_user=spec, assigned_by=leader) for d in dirs])  # fmt: skip
    return len(ids)


def _labels_path() -> Path:
    from django.db import connection

    name = str(connection.settings_dict["NAME"]).replace("/", "_")
    return Path(os.environ.get("VANBAN_VAR_DIR", "/tmp")) / f"bench-search-labels-{name}.txt"


def _build_path() -> Path:
    return _labels_path().with_suffix(".build.json")


def _save_labels(labels: dict[int, set[str]]) -> None:
    path = _labels_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        for pk, lab in labels.items():
            fh.write(f"{pk} {','.join(sorted(lab))}\n")


def _load_labels() -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for line in _labels_path().read_text().splitlines():
        pk, labs = line.split()
        for lab in labs.split(","):
            out.setdefault(lab, set()).add(int(pk))
    return out


QUERIES: dict[str, dict[str, Any]] = {
    "selective": {"q": "sạt lở"},
    "selective_no_diacritics": {"q": "sat lo"},
    "broad": {"q": "báo cáo"},
    "broad_no_diacritics": {"q": "bao cao ket qua"},
    "no_diacritics": {"q": "ngan sach nha nuoc"},
    "number_symbol": {"q": "1234/QĐ-BCT"},
    "number_symbol_folded": {"q": "1234/QD-BCT"},
    "phrase": {"q": '"chuyển đổi số"'},
    "prefix": {"q": "thuong mai dien t*"},
    "filtered": {"q": "báo cáo", "urgency": "khan", "date_from": dt.date(2024, 1, 1), "date_to": dt.date(2024, 12, 31)},
    "filters_only_by_date": {"q": "", "urgency": "thuong_khan", "sort": "-date"},
}


def quality(admin: Any) -> dict[str, Any]:
    """precision@10 and recall against the planted labels (administrator: sees all)."""
    from vanban.search.selectors import SearchParams, matching_entries, search

    labels = _load_labels()
    truth = {
        "sạt lở": labels.get("sat_lo", set()),
        "sat lo": labels.get("sat_lo", set()) | labels.get("sat_lo_other", set()),
        "ngân sách nhà nước": labels.get("budget", set()),
        "ngan sach nha nuoc": labels.get("budget", set()),
    }
    out = {}
    for q, relevant in truth.items():
        top = [h.entry.incoming_id for h in search(admin, SearchParams(q=q, page_size=10)).hits]
        found = set(matching_entries(admin, SearchParams(q=q)).values_list("incoming_id", flat=True))
        out[q] = {
            "relevant": len(relevant), "found": len(found),
            "precision_at_10": round(sum(1 for i in top if i in relevant) / max(1, len(top)), 3),
            "recall": round(len(found & relevant) / max(1, len(relevant)), 4),
        }  # fmt: skip
    return out


def main() -> None:
    p = parser("Search latency and precision at N documents", repeat=True)
    p.add_argument("--docs", type=int, default=1_000_000)
    p.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    args = p.parse_args()
    url = args.database_url
    if url is None:
        url = ("postgres://postgres@127.0.0.1:5432/vanban_search_bench" if args.db == "postgres"
               else f"sqlite:///{Path(os.environ.get('VANBAN_VAR_DIR', '/tmp'))}/bench-search-{args.docs}.sqlite3")  # fmt: skip
    os.environ.setdefault("VANBAN_TASKS_BACKEND", "immediate")
    setup_django(url, "bench-search.sqlite3")
    from django.db import connection

    from vanban.search.selectors import SearchParams, count_matches, search

    w = world()
    print(f"Building {args.docs:,} documents on {engine()} …", flush=True)
    built = build(args.docs, w)
    print(f"  {built}")
    size = {}
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT pg_total_relation_size('search_searchentry'), pg_relation_size('search_entry_tsv_gin')")
            total, gin = cur.fetchone()
            size = {"entries_total_mb": round(total / 2**20), "gin_index_mb": round(gin / 2**20)}
        else:
            cur.execute("PRAGMA page_count")
            pages = cur.fetchone()[0]
            cur.execute("PRAGMA page_size")
            size = {"database_mb": round(pages * cur.fetchone()[0] / 2**20)}
    admin, spec, clerk = w["users"][ADMIN], w["users"][SPECIALIST], w["users"][CLERK]
    results: dict[str, Any] = {}
    print(f"\n{'query':<26}{'user':<12}{'total':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for name, params in QUERIES.items():
        for who, user in (("admin", admin), ("specialist", spec), ("clerk", clerk)):
            samples, total = [], 0
            for k in range(args.repeat + 1):
                t = time.perf_counter()
                r = search(user, SearchParams(**params))
                ms = (time.perf_counter() - t) * 1000
                total = r.total
                if k:  # the first run warms caches
                    samples.append(ms)
            fig = {"total": total, "total_exact": r.total_exact, "ranked": r.ranked,
                   "p50_ms": round(percentile(samples, 50), 1),
                   "p95_ms": round(percentile(samples, 95), 1), "p99_ms": round(percentile(samples, 99), 1)}  # fmt: skip
            results[f"{name}/{who}"] = fig
            shown = f"{total:,}" if r.total_exact else f">{total:,}"  # a lower bound
            print(f"{name:<26}{who:<12}{shown:>9}{fig['p50_ms']:>9}{fig['p95_ms']:>9}{fig['p99_ms']:>9}", flush=True)
    # The exact figure behind a lower bound («hơn N»), which «Đếm chính xác» on the page asks for
    # (`count_matches`): a few runs each, as it is one request per search, not per page.
    counts: dict[str, Any] = {}
    print(f"\nexact counts behind the lower bounds (asked after the page)\n{'query':<26}{'user':<12}"
          f"{'count':>9}{'p50 ms':>9}{'max ms':>9}")  # fmt: skip
    users = {"admin": admin, "specialist": spec, "clerk": clerk}
    for key, fig in results.items():
        if fig["total_exact"]:
            continue
        name, who = key.split("/")
        samples, n = [], None
        for k in range(min(args.repeat, 3) + 1):
            t = time.perf_counter()
            n = count_matches(users[who], SearchParams(**QUERIES[name]))
            if k:
                samples.append((time.perf_counter() - t) * 1000)
        counts[key] = {"count": n, "p50_ms": round(percentile(samples, 50), 1), "max_ms": round(max(samples), 1)}
        shown = "stopped" if n is None else f"{n:,}"
        print(f"{name:<26}{who:<12}{shown:>9}{counts[key]['p50_ms']:>9}{counts[key]['max_ms']:>9}", flush=True)
    prec = quality(admin)
    print("\nprecision@10 / recall on planted phrases:")
    for q, f in prec.items():
        print(f"  {q:<22} relevant {f['relevant']:>6,} found {f['found']:>7,}  P@10 {f['precision_at_10']:.2f}  "
              f"recall {f['recall']:.4f}")  # fmt: skip
    emit({"benchmark": "search", "engine": engine(), "docs": built["docs"], "build": built, "size": size,
          "repeat": args.repeat, "latency": results, "exact_counts": counts, "quality": prec, "peak_rss_mb": peak_rss_mb()})  # fmt: skip


if __name__ == "__main__":
    main()
