#!/usr/bin/env python3
"""Generate the benchmark corpus: Chinese office prose in mixed encodings, and .docx/.xlsx files.

    python3 bench/gen.py --out bench/corpus [--text-mb 1100] [--office 5000] [--seed 7]

Layout:
    corpus/text/<部门>/*.txt     plain text, UTF-8 / GBK / UTF-16LE (BOM), 100 KB – 20 MB per file
    corpus/office/<部门>/*.docx  variants of LibreOffice-made templates (word/document.xml rewritten)
    corpus/office/<部门>/*.xlsx  variants of LibreOffice-made templates (xl/sharedStrings.xml rewritten)
    corpus/templates/            the ~20 templates (flat ODF sources and the LibreOffice conversions)
    corpus/manifest.json         what was generated (sizes, counts, how many files carry a marking)

Deterministic for a given seed. The text is built from a vocabulary of common phrases of Chinese official
documents (通知、纪要、方案、总结), not random code points, so that byte-level matchers see realistic text.
A few files carry a classification marking at the head (机密★1年 …) and a few paragraphs mention a policy
keyword (专案组, 侦查方案 …); running prose also says 保守国家秘密 and the like, as real documents do.
"""

import argparse
import io
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from xml.sax.saxutils import escape

# ---------------------------------------------------------------------------------------------------------
# Vocabulary

UNITS = [
    "各区县人民政府", "市政府各部门", "各直属单位", "局机关各处室", "各乡镇（街道）", "办公室", "综合处",
    "人事处", "财务处", "规划发展处", "法规处", "信息中心", "机关党委", "机关服务中心", "市场监管局",
    "教育局", "卫生健康委", "住房城乡建设局", "交通运输局", "应急管理局", "统计局", "审计局", "档案馆",
    "保密委员会办公室", "项目组", "课题组", "工作专班", "领导小组办公室", "督查室", "后勤保障部",
]
TOPICS = [
    "安全生产", "年度预算编制", "干部教育培训", "信息化建设", "档案管理", "政务公开", "固定资产清查",
    "督查督办", "党风廉政建设", "意识形态工作", "网络安全等级保护", "数据安全管理", "节能减排",
    "优化营商环境", "防汛抗旱", "森林防火", "食品安全", "安全保密", "疫情防控", "乡村振兴",
    "城市更新", "政府采购", "公文处理", "机要文件管理", "会议组织", "信访维稳", "人才引进",
    "绩效考核", "内部审计", "科研项目管理", "国有资产管理", "统计调查", "应急值守", "网络舆情处置",
]
VERBS = [
    "要高度重视", "应当认真落实", "须严格执行", "要进一步加强", "要切实做好", "应及时组织开展",
    "要统筹推进", "要持续深化", "须全面梳理", "要扎实推进", "应认真研究", "要稳妥推进", "要不断完善",
    "要加快推进", "须严格落实", "要认真总结",
]
OBJECTS = [
    "工作", "相关制度", "各项措施", "责任体系", "工作机制", "专项检查", "隐患排查", "整改落实",
    "台账管理", "监督考核", "宣传教育", "培训演练", "信息报送", "风险评估", "标准规范", "日常管理",
]
TAILS = [
    "确保各项任务按期完成。", "并于本月底前将落实情况报送办公室。", "切实提高工作质量和效率。",
    "形成上下联动、齐抓共管的工作合力。", "坚决防止走过场、搞形式。", "确保不留死角、不留盲区。",
    "为全年目标任务的完成提供有力保障。", "及时发现和解决困难和问题。", "推动工作取得实效。",
    "做到有部署、有检查、有落实。", "对工作不力的单位将予以通报批评。", "主要负责同志要亲自抓、负总责。",
    "严格按照规定的时间节点推进。", "认真做好总结评估工作。",
]
OPENERS = [
    "会议指出，", "会议强调，", "会议要求，", "会议认为，", "经研究，", "根据工作安排，", "为贯彻落实上级部署，",
    "近年来，", "今年以来，", "下一步，", "与此同时，", "总体来看，", "从检查情况看，", "据统计，",
]
FACTS = [
    "全市共排查各类隐患{n}处，已整改{m}处，整改率{p}%。",
    "全年累计投入资金{a}万元，较上年增长{p}%。",
    "共组织培训{n}场次，参训人员{m}人次。",
    "截至{mo}月底，已完成年度计划的{p}%。",
    "本次检查共抽查单位{n}家，发现问题{m}个。",
    "{y}年{mo}月{d}日，{unit}召开专题会议，研究部署{topic}工作。",
    "全年共收发文件{n}件，办理各类事项{m}件，未发生差错。",
    "项目总投资{a}万元，其中财政资金{b}万元。",
]
SECRECY_PROSE = [  # words a marking matcher must not take for a marking: running prose, not head position
    "全体干部职工要严格遵守保密纪律，坚决保守国家秘密和工作秘密。",
    "涉及国家秘密的事项，须严格按照《中华人民共和国保守国家秘密法》有关规定办理。",
    "各单位要加强对机密文件的管理，严禁通过互联网传递涉密信息。",
    "秘密载体的制作、收发、传递、使用、保存和销毁，应当符合国家保密规定。",
    "不得在非涉密计算机上存储、处理绝密、机密、秘密级信息。",
]
KEYWORD_PROSE = [  # policy keywords (crates/baomi-core/policy/default.toml)
    "专案组已完成前期摸排工作，相关情况另行报告。",
    "请各成员单位按照侦查方案的分工做好配合工作。",
    "附件：涉密人员名单（已按要求另行报送）",
    "涉密载体清单由保密员负责登记并定期核对。",
]
MARKINGS = ["机密★1年", "秘密★10年", "绝密★长期", "机密", "秘密★6个月", "工作秘密", "内部资料 注意保存"]
TITLES = [
    "关于做好{y}年度{topic}工作的通知", "关于开展{topic}专项检查的通知", "{y}年{topic}工作要点",
    "关于印发《{topic}管理办法》的通知", "{unit}{y}年工作总结", "{topic}工作推进会会议纪要",
    "关于{topic}工作情况的报告", "{topic}实施方案", "关于进一步加强{topic}工作的意见",
]
NUMERALS = "一二三四五六七八九十"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华玉兰霞平刚桂英志红建国文斌海燕鹏飞晨宇浩然欣怡子轩梓涵"


def fill(rng, template):
    y = rng.randint(2015, 2025)
    n = rng.randint(12, 980)
    m = rng.randint(1, n)
    return template.format(
        y=y, n=n, m=m, p=rng.randint(1, 99), a=f"{rng.uniform(10, 9000):.1f}",
        b=f"{rng.uniform(5, 5000):.1f}", mo=rng.randint(1, 12), d=rng.randint(1, 28),
        unit=rng.choice(UNITS), topic=rng.choice(TOPICS),
    )


def sentence(rng):
    r = rng.random()
    if r < 0.55:
        return (rng.choice(OPENERS) if rng.random() < 0.5 else "") + rng.choice(UNITS) + rng.choice(VERBS) \
            + rng.choice(TOPICS) + rng.choice(OBJECTS) + "，" + rng.choice(TAILS)
    if r < 0.85:
        return rng.choice(OPENERS) + fill(rng, rng.choice(FACTS))
    if r < 0.97:
        return "要" + rng.choice(["坚持问题导向，", "强化责任担当，", "加强统筹协调，", "注重源头治理，"]) \
            + rng.choice(VERBS)[1:] + rng.choice(TOPICS) + rng.choice(OBJECTS) + "。"
    return rng.choice(SECRECY_PROSE)


def person(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def document(rng, sentences):
    """One official document: title, addressee, numbered sections of paragraphs, closing."""
    topic = rng.choice(TOPICS)
    unit = rng.choice(UNITS)
    y = rng.randint(2015, 2025)
    out = [rng.choice(TITLES).format(y=y, topic=topic, unit=unit), "", rng.choice(UNITS) + "：", ""]
    out.append("　　为" + rng.choice(["进一步加强", "切实做好", "扎实推进"]) + topic
               + "工作，根据上级有关文件精神，结合我单位实际，现将有关事项通知如下。")
    for s in range(rng.randint(2, 7)):
        out.append(NUMERALS[s] + "、" + rng.choice(["总体要求", "工作目标", "主要任务", "工作措施", "保障措施",
                                                     "时间安排", "有关要求", "存在的问题", "下一步工作打算"]))
        for _ in range(rng.randint(1, 5)):
            k = rng.randint(2, 7)
            para = "".join(rng.choice(sentences) for _ in range(k))
            if rng.random() < 0.01:
                para += rng.choice(KEYWORD_PROSE)
            out.append("　　" + para)
    out += ["", "　　特此通知。", "", "　　联系人：" + person(rng) + "，电话：" + str(rng.randint(60000000, 89999999)),
            "", " " * 20 + unit, " " * 20 + f"{y}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日", "", ""]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------------------
# Plain text

DEPTS = ["办公室", "综合处", "人事处", "财务处", "信息中心", "档案室", "项目组", "共享资料"]
ENCODINGS = [("utf-8", 0.5), ("gbk", 0.32), ("utf-16le", 0.18)]


def gen_text(out, rng, total_bytes, sentences):
    docs = [document(rng, sentences) for _ in range(4000)]
    made, n, marked = 0, 0, 0
    by_enc = {}
    while made < total_bytes:
        # log-uniform 100 KB .. 20 MB
        size = int(math.exp(rng.uniform(math.log(102_400), math.log(20_000_000))))
        size = min(size, max(102_400, total_bytes - made + 102_400))
        enc = rng.choices([e for e, _ in ENCODINGS], [w for _, w in ENCODINGS])[0]
        chars = int(size / 1.7) + 16  # more than enough in any of the three encodings; cut to size below
        parts, have = [], 0
        head = ""
        if rng.random() < 0.06:
            head = rng.choice(MARKINGS) + "\n"
            marked += 1
        while have < chars:
            d = docs[rng.randrange(len(docs))]
            parts.append(d)
            have += len(d)
        text = head + "".join(parts)
        newline = "\r\n" if enc != "utf-8" or rng.random() < 0.3 else "\n"
        if newline != "\n":
            text = text.replace("\n", newline)
        if enc == "utf-16le":
            data = b"\xff\xfe" + text.encode("utf-16le")
            data = data[: size - size % 2]
        else:
            bom = b"\xef\xbb\xbf" if enc == "utf-8" and rng.random() < 0.1 else b""
            data = bom + text.encode(enc, errors="replace")
            # cut at `size` bytes, dropping a character split by the cut
            data = data[:size].decode(enc, errors="ignore").encode(enc)
        dept = DEPTS[n % len(DEPTS)]
        path = os.path.join(out, dept, f"文稿_{n:04d}_{enc}.txt")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        made += len(data)
        by_enc[enc] = by_enc.get(enc, 0) + len(data)
        n += 1
    return {"files": n, "bytes": made, "bytes_by_encoding": by_enc, "files_with_head_marking": marked}


# ---------------------------------------------------------------------------------------------------------
# Office templates (flat ODF → LibreOffice → docx/xlsx)

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
      'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
      'xmlns:dc="http://purl.org/dc/elements/1.1/" '
      'xmlns:office-ooo="http://openoffice.org/2009/office" '
      'office:version="1.3"')


def fodt(rng, sentences, paragraphs, with_header, with_table):
    p = lambda t, style="P": f'<text:p text:style-name="{style}">{escape(t)}</text:p>'
    body = [p("HEAD"), p(rng.choice(TITLES).format(y=2024, topic=rng.choice(TOPICS), unit=rng.choice(UNITS)), "Title")]
    for i in range(paragraphs):
        if i % 6 == 0:
            body.append(f'<text:h text:outline-level="1">{escape(NUMERALS[(i // 6) % 10] + "、" + rng.choice(TOPICS))}</text:h>')
        body.append(p("　　" + "".join(rng.choice(sentences) for _ in range(rng.randint(2, 6)))))
        if with_table and i == paragraphs // 2:
            rows = "".join(
                "<table:table-row>" + "".join(
                    f'<table:table-cell office:value-type="string">{p(rng.choice(UNITS if c == 0 else TOPICS))}</table:table-cell>'
                    for c in range(4)) + "</table:table-row>" for _ in range(rng.randint(3, 15)))
            body.append(f'<table:table table:name="表1"><table:table-column table:number-columns-repeated="4"/>{rows}</table:table>')
    header = ""
    if with_header:
        header = f'<style:header>{p(rng.choice(UNITS) + "文件")}</style:header><style:footer>{p("第 1 页")}</style:footer>'
    return f'''<?xml version="1.0" encoding="UTF-8"?>
<office:document {NS} office:mimetype="application/vnd.oasis.opendocument.text">
<office:meta><dc:title>{escape(rng.choice(TOPICS))}</dc:title></office:meta>
<office:styles><style:style style:name="Title" style:family="paragraph"><style:text-properties fo:font-size="22pt" fo:font-weight="bold"/></style:style></office:styles>
<office:automatic-styles><style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm"/>
<style:header-style><style:header-footer-properties fo:min-height="0.6cm"/></style:header-style>
<style:footer-style><style:header-footer-properties fo:min-height="0.6cm"/></style:footer-style></style:page-layout></office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1">{header}</style:master-page></office:master-styles>
<office:body><office:text>{"".join(body)}</office:text></office:body>
</office:document>
'''


def fods(rng, sheets, rows):
    def cell(v):
        if isinstance(v, str):
            return f'<table:table-cell office:value-type="string"><text:p>{escape(v)}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'
    tables = []
    for s in range(sheets):
        head = ["序号", "单位", "姓名", "事项", "金额（万元）", "完成率", "备注"]
        trs = ["<table:table-row>" + "".join(cell(h) for h in head) + "</table:table-row>"]
        if s == 0:
            trs.insert(0, "<table:table-row>" + cell("HEAD") + "</table:table-row>")
        for r in range(rows):
            vals = [r + 1, rng.choice(UNITS), person(rng), rng.choice(TOPICS) + rng.choice(OBJECTS),
                    round(rng.uniform(1, 999), 2), rng.randint(0, 100), rng.choice(TAILS)]
            trs.append("<table:table-row>" + "".join(cell(v) for v in vals) + "</table:table-row>")
        name = ["汇总", "明细", "台账", "附表"][s]
        tables.append(f'<table:table table:name="{name}">{"".join(trs)}</table:table>')
    return f'''<?xml version="1.0" encoding="UTF-8"?>
<office:document {NS} office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:body><office:spreadsheet>{"".join(tables)}</office:spreadsheet></office:body>
</office:document>
'''


def make_templates(tdir, rng, sentences):
    os.makedirs(tdir, exist_ok=True)
    want_docx = [(5, 0, 0), (10, 1, 0), (20, 0, 1), (40, 1, 1), (60, 0, 0), (80, 1, 0), (120, 1, 1),
                 (200, 0, 1), (300, 1, 0), (15, 1, 1), (30, 0, 0), (500, 1, 1)]
    want_xlsx = [(1, 10), (1, 50), (2, 100), (3, 200), (1, 500), (2, 1000), (4, 300), (1, 2000)]
    srcs = {"docx": [], "xlsx": []}
    for i, (paras, hdr, tbl) in enumerate(want_docx):
        path = os.path.join(tdir, f"t{i:02d}.fodt")
        with open(path, "w", encoding="utf-8") as f:
            f.write(fodt(rng, sentences, paras, hdr, tbl))
        srcs["docx"].append(path)
    for i, (sheets, rows) in enumerate(want_xlsx):
        path = os.path.join(tdir, f"s{i:02d}.fods")
        with open(path, "w", encoding="utf-8") as f:
            f.write(fods(rng, sheets, rows))
        srcs["xlsx"].append(path)
    profile = tempfile.mkdtemp(prefix="baomi-bench-lo-")
    try:
        for ext, files in srcs.items():
            cmd = ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                   "--convert-to", ext, "--outdir", tdir] + files
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out = {"docx": [], "xlsx": []}
    for ext, files in srcs.items():
        for src in files:
            dst = os.path.splitext(src)[0] + "." + ext
            if not os.path.exists(dst):
                sys.exit(f"LibreOffice did not produce {dst}")
            out[ext].append(dst)
    return out


W_T = re.compile(r"(<w:t(?:\s[^>]*)?>)([^<]*)(</w:t>)")
S_T = re.compile(r"(<t(?:\s[^>]*)?>)([^<]*)(</t>)")


def rewrite(xml, pattern, rng, pick, head):
    first = [True]

    def sub(m):
        if first[0]:
            first[0] = False
            if m.group(2) == "HEAD":
                return m.group(1) + escape(head) + m.group(3)
        text = pick(len(m.group(2)))
        open_tag = m.group(1)
        if "xml:space" not in open_tag:
            open_tag = open_tag[:-1] + ' xml:space="preserve">'
        return open_tag + escape(text) + m.group(3)

    return pattern.sub(sub, xml)


def gen_office(out, rng, count, templates, sentences):
    cells = [rng.choice(UNITS) for _ in range(200)] + [person(rng) for _ in range(300)] \
        + [rng.choice(TOPICS) + rng.choice(OBJECTS) for _ in range(300)] + TAILS
    loaded = {}
    for ext in ("docx", "xlsx"):
        for t in templates[ext]:
            with zipfile.ZipFile(t) as z:
                loaded[t] = [(info, z.read(info)) for info in z.infolist()]
    stats = {"docx": 0, "xlsx": 0, "bytes": 0, "files_with_head_marking": 0, "keyword_insertions": 0}

    def pick_sentence(n):
        s = rng.choice(sentences)
        while len(s) < n and rng.random() < 0.7:
            s += rng.choice(sentences)
        if rng.random() < 0.002:
            s += rng.choice(KEYWORD_PROSE)
            stats["keyword_insertions"] += 1
        return s

    def pick_cell(n):
        if rng.random() < 0.0005:
            stats["keyword_insertions"] += 1
            return rng.choice(["专案组", "侦查方案", "涉密人员名单"])
        return rng.choice(cells)

    for i in range(count):
        ext = "docx" if i % 2 == 0 else "xlsx"
        t = templates[ext][rng.randrange(len(templates[ext]))]
        marked = rng.random() < 0.05
        head = rng.choice(MARKINGS) if marked else f"编号：{rng.randint(1, 999999):06d}"
        stats["files_with_head_marking"] += marked
        target = "word/document.xml" if ext == "docx" else "xl/sharedStrings.xml"
        dept = DEPTS[i % len(DEPTS)]
        path = os.path.join(out, dept, f"{'文档' if ext == 'docx' else '表格'}_{i:05d}.{ext}")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
            for info, data in loaded[t]:
                if info.filename == target:
                    xml = data.decode("utf-8")
                    if ext == "docx":
                        xml = rewrite(xml, W_T, rng, pick_sentence, head)
                    else:
                        xml = rewrite(xml, S_T, rng, pick_cell, head)
                    data = xml.encode("utf-8")
                zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                zi.compress_type = zipfile.ZIP_DEFLATED
                zi.external_attr = info.external_attr
                z.writestr(zi, data)
        with open(path, "wb") as f:
            f.write(buf.getvalue())
        stats[ext] += 1
        stats["bytes"] += buf.tell()
    return stats


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="bench/corpus")
    ap.add_argument("--text-mb", type=int, default=1100, help="MB (10^6 bytes) of plain text")
    ap.add_argument("--office", type=int, default=5000, help="number of .docx + .xlsx files")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    t0 = time.time()
    sentences = [sentence(rng) for _ in range(40000)]
    manifest = {"seed": args.seed}
    tdir = os.path.join(args.out, "templates")
    print(f"gen: templates with LibreOffice → {tdir}", file=sys.stderr)
    templates = make_templates(tdir, rng, sentences)
    print(f"gen: {args.office} office files", file=sys.stderr)
    manifest["office"] = gen_office(os.path.join(args.out, "office"), rng, args.office, templates, sentences)
    manifest["templates"] = {k: [os.path.basename(p) for p in v] for k, v in templates.items()}
    print(f"gen: {args.text_mb} MB of text", file=sys.stderr)
    manifest["text"] = gen_text(os.path.join(args.out, "text"), rng, args.text_mb * 1_000_000, sentences)
    manifest["seconds"] = round(time.time() - t0, 1)
    with open(os.path.join(args.out, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=2)
    print(json.dumps(manifest, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
