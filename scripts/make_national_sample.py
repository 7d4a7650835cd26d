"""Write the SAMPLE national results shipped in src/parindex/data/national/ (not official
figures): the two sample frameworks and PAR INDEX 2023–2025 + SIPAS 2025 of the 34
provinces (plus Bạc Liêu before the 2025 merge), deterministic (seeded).

    PYTHONPATH=src .venv/bin/python scripts/make_national_sample.py
"""

import json
import os
import random
from pathlib import Path

import django
import vietnam_provinces

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.config.settings")
django.setup()

from parindex.testing import cp1258_bytes  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "src/parindex/data/national"
AREAS = [
    ("1", "Công tác chỉ đạo, điều hành cải cách hành chính", [
        ("1.1", "Kế hoạch cải cách hành chính", 2), ("1.2", "Báo cáo cải cách hành chính", 1.5),
        ("1.3", "Kiểm tra cải cách hành chính", 2),
        ("1.4", "Công tác tuyên truyền cải cách hành chính", 1.5),
        ("1.5", "Sáng kiến, giải pháp mới trong cải cách hành chính", 2.5)]),
    ("2", "Xây dựng và tổ chức thực hiện văn bản quy phạm pháp luật", [
        ("2.1", "Xây dựng, ban hành văn bản quy phạm pháp luật", 3.5),
        ("2.2", "Rà soát, hệ thống hóa văn bản", 3),
        ("2.3", "Tổ chức thực hiện và kiểm tra văn bản", 3.5)]),
    ("3", "Cải cách thủ tục hành chính", [
        ("3.1", "Kiểm soát thủ tục hành chính", 3), ("3.2", "Công khai thủ tục hành chính", 2.5),
        ("3.3", "Thực hiện cơ chế một cửa, một cửa liên thông", 5),
        ("3.4", "Tiếp nhận, xử lý phản ánh, kiến nghị", 2.5)]),
    ("4", "Cải cách tổ chức bộ máy hành chính nhà nước", [
        ("4.1", "Sắp xếp tổ chức bộ máy", 4), ("4.2", "Quản lý biên chế", 3.5),
        ("4.3", "Phân cấp, ủy quyền", 3)]),
    ("5", "Cải cách chế độ công vụ", [
        ("5.1", "Vị trí việc làm", 3), ("5.2", "Tuyển dụng, sử dụng công chức", 4),
        ("5.3", "Đào tạo, bồi dưỡng", 3), ("5.4", "Kỷ luật, kỷ cương hành chính", 5)]),
    ("6", "Cải cách tài chính công", [
        ("6.1", "Quản lý, sử dụng ngân sách", 4.5), ("6.2", "Giải ngân vốn đầu tư công", 4),
        ("6.3", "Cơ chế tự chủ của đơn vị sự nghiệp công lập", 4)]),
    ("7", "Xây dựng và phát triển Chính quyền điện tử, chính quyền số", [
        ("7.1", "Hạ tầng và nền tảng số", 4), ("7.2", "Cung cấp dịch vụ công trực tuyến", 5),
        ("7.3", "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính", 4)]),
    ("8", "Tác động của cải cách hành chính đến người dân, tổ chức và phát triển "
          "kinh tế - xã hội", [
        ("8.1", "Mức độ hài lòng của người dân, tổ chức (SIPAS)", 10), ("8.2", "Thu hút đầu tư", 2),
        ("8.3", "Phát triển doanh nghiệp", 2), ("8.4", "Thu ngân sách", 2.5)]),
]  # fmt: skip
SIPAS = [
    ("1", "Tiếp cận dịch vụ", 20), ("2", "Thủ tục hành chính", 20),
    ("3", "Công chức giải quyết công việc", 20), ("4", "Kết quả giải quyết công việc", 20),
    ("5", "Tiếp nhận, xử lý góp ý, phản ánh, kiến nghị", 20),
]  # fmt: skip
NORTH, MIDLAND = "Đồng bằng sông Hồng", "Trung du và miền núi phía Bắc"
CENTRAL, HIGH = "Bắc Trung Bộ và duyên hải miền Trung", "Tây Nguyên"
SOUTHEAST, MEKONG = "Đông Nam Bộ", "Đồng bằng sông Cửu Long"
REGION = {
    **dict.fromkeys(["ha_noi", "hai_phong", "hung_yen", "ninh_binh", "bac_ninh",
                     "quang_ninh"], NORTH),
    **dict.fromkeys(["cao_bang", "tuyen_quang", "dien_bien", "lai_chau", "son_la", "lao_cai",
                     "thai_nguyen", "lang_son", "phu_tho"], MIDLAND),
    **dict.fromkeys(["thanh_hoa", "nghe_an", "ha_tinh", "quang_tri", "hue", "da_nang",
                     "quang_ngai", "khanh_hoa"], CENTRAL),
    **dict.fromkeys(["gia_lai", "dak_lak", "lam_dong"], HIGH),
    **dict.fromkeys(["dong_nai", "ho_chi_minh", "tay_ninh"], SOUTHEAST),
}  # fmt: skip
HOME = "ca_mau"


def q(s: str) -> str:
    return "'" + s + "'"


def framework_yaml(code: str, name: str, areas: list, leaves_below: bool) -> str:
    lines = [f"code: {code}", f"name: {name}", "label: Bộ mẫu — không phải cấu trúc chính thức",
             "year: 2025", "total: 100", "nodes:"]  # fmt: skip
    for ac, an, crits in areas:
        if not leaves_below:
            lines += [f"  - code: {q(ac)}", f"    name: {an}", f"    max_points: {crits}"]
            continue
        lines += [f"  - code: {q(ac)}", f"    name: {an}",
                  f"    max_points: {sum(c[2] for c in crits)}", "    children:"]  # fmt: skip
        for c, n, m in crits:
            lines += [f"      - code: {q(c)}", f"        name: {n}", f"        max_points: {m}"]
    return "\n".join(lines) + "\n"


def fmt(x: float) -> str:
    return f"{x:.2f}".replace(".", ",")


def main() -> None:
    (OUT / "mau-par-index-quoc-gia.yaml").write_text(framework_yaml(
        "mau-par-index-quoc-gia",
        "Chỉ số CCHC cấp tỉnh (PAR INDEX) — bộ tiêu chí MẪU để thử nhập kết quả quốc gia",
        AREAS, True), encoding="utf-8")  # fmt: skip
    (OUT / "mau-sipas-quoc-gia.yaml").write_text(framework_yaml(
        "mau-sipas-quoc-gia", "Chỉ số hài lòng (SIPAS) — bộ tiêu chí MẪU", SIPAS, False),
        encoding="utf-8")  # fmt: skip
    with open(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH, encoding="utf-8") as fh:
        provinces = [(p["codename"], p["name"]) for p in json.load(fh)]
    rnd = random.Random(2025)
    skill = {code: rnd.uniform(0.78, 0.93) for code, _ in provinces}
    skill["bac_lieu"] = 0.80
    for year, home in ((2023, 0.80), (2024, 0.83), (2025, 0.86)):
        members = provinces + ([("bac_lieu", "Tỉnh Bạc Liêu")] if year < 2025 else [])
        rows = ["tinh;ma;diem;vung"]
        for code, name in members:
            s = home if code == HOME else min(0.97, skill[code] + rnd.uniform(-0.03, 0.03))
            region = REGION.get(code, MEKONG)
            total = 0.0
            for ac, _, crits in AREAS:
                area = 0.0
                for c, _, m in crits:
                    f = s * rnd.uniform(0.9, 1.08)
                    if code == HOME and c in ("3.3", "6.2", "7.2"):
                        f = min(f, 0.7)  # the home province loses there every year
                    pts = round(min(m, m * f), 2)
                    area += pts
                    if code == HOME:
                        rows.append(f"{name};{c};{fmt(pts)};{region}")
                area = round(area, 2)
                total += area
                rows.append(f"{name};{ac};{fmt(area)};{region}")
            rows.append(f"{name};tổng;{fmt(total)};{region}")
        text = "\r\n".join(rows) + "\r\n"
        data = cp1258_bytes(text) if year == 2024 else ("\ufeff" + text).encode("utf-8")
        (OUT / f"mau-par-index-{year}.csv").write_bytes(data)
    rows = ["tinh;ma;diem;vung"]
    for code, name in provinces:
        total = 0.0
        for c, _, m in SIPAS:
            pts = round(m * rnd.uniform(0.78, 0.95), 2)
            total += pts
            rows.append(f"{name};{c};{fmt(pts)};{REGION.get(code, MEKONG)}")
        rows.append(f"{name};tổng;{fmt(total)};{REGION.get(code, MEKONG)}")
    (OUT / "mau-sipas-2025.csv").write_bytes(("\ufeff" + "\r\n".join(rows) + "\r\n").encode())


if __name__ == "__main__":
    main()
