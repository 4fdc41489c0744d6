#!/usr/bin/env bash
# Fill fuzz/corpus/<target>/ with seed inputs: every fixture under tests/fixtures/ (including
# tests/fixtures/broken/, so past crashes stay in the corpus) sorted by extension into the target that
# parses it, the benchmark templates when bench/corpus exists, and a few hand-written texts.
# Safe to run again: files are only added, named after their path so re-runs overwrite the same names.
#
#     fuzz/seed.sh
set -euo pipefail
FUZZ=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$FUZZ")
C=$FUZZ/corpus
mkdir -p "$C"/{mbox,text,html,eml,zip,docx,xlsx,xlsb,pptx,odt,fodt,ods,odp,office2003,detect,rtf,ofd,tar,gz,bz2,xz,sevenz,doc,xls,ppt,msg,pdf}

target_for() {
  case "${1,,}" in
    */office2003/*.xml) echo office2003 ;;
    *.txt|*.csv|*.md|*.log|*.ini|*.json|*.xml) echo text ;;
    *.html|*.htm|*.xhtml|*.mht) echo html ;;
    *.eml|*.msg.txt) echo eml ;;
    *.zip) echo zip ;;
    *.docx|*.docm|*.dotx) echo docx ;;
    *.xlsx|*.xlsm|*.xltx|*.xlsb) echo xlsx ;;
    *.pptx|*.pptm|*.potx) echo pptx ;;
    *.fodt) echo fodt ;;
    *.rtf) echo rtf ;;
    *.ofd) echo ofd ;;
    *.tar) echo tar ;;
    *.gz|*.tgz) echo gz ;;
    *.bz2|*.tbz2) echo bz2 ;;
    *.xz|*.txz) echo xz ;;
    *.7z) echo sevenz ;;
    *.doc|*.wps|*.dot) echo doc ;;
    *.xls|*.et) echo xls ;;
    *.ppt|*.dps) echo ppt ;;
    *.msg) echo msg ;;
    *.pdf) echo pdf ;;
    *.odt|*.ott) echo odt ;;
    *.ods|*.ots|*.fods) echo ods ;;
    *.odp|*.otp|*.fodp) echo odp ;;
  esac
}

copy_tree() {  # copy_tree DIR LABEL
  local dir=$1 label=$2 n=0
  [ -d "$dir" ] || { echo "seed: no $dir, skipped" >&2; return 0; }
  while IFS= read -r -d '' f; do
    local t rel
    t=$(target_for "$f")
    [ -n "$t" ] || continue
    [ "$(stat -c %s "$f")" -le $((1 << 20)) ] || continue   # libFuzzer's default -max_len is far smaller anyway
    rel=${f#"$dir"/}
    cp "$f" "$C/$t/$label-${rel//\//_}"
    n=$((n + 1))
    # Text fixtures are also good detector seeds.
    if [ "$t" = text ]; then cp "$f" "$C/detect/$label-${rel//\//_}"; fi
  done < <(find "$dir" -type f -print0)
  echo "seed: $n files from $dir" >&2
}

copy_tree "$ROOT/tests/fixtures" fixture
copy_tree "$ROOT/bench/corpus/templates" bench
# The BIFF12 parts of the .xlsb fixtures for the record readers (sheets, shared strings, comments, workbook).
for f in "$ROOT"/tests/fixtures/corpus/xlsb/*.xlsb; do
  [ -f "$f" ] || continue
  python3 - "$f" "$C/xlsb" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for n in z.namelist():
        if n.endswith(".bin"):
            name = os.path.basename(sys.argv[1]) + "-" + n.replace("/", "_")
            open(os.path.join(sys.argv[2], name), "wb").write(z.read(n))
PY
done
# The embedded font programs of the PDF fixtures: TrueType for the cmap reader, Type 1 and CFF for
# the built-in encodings.
mkdir -p "$C/truetype" "$C/font_program"
for f in "$ROOT"/tests/fixtures/pdf/*.pdf "$ROOT"/tests/fixtures/pdf/others/*.pdf; do
  python3 - "$f" "$C" <<'PY' || true
import os, re, subprocess, sys
pdf, corpus = sys.argv[1], sys.argv[2]
qdf = subprocess.run(["qpdf", "--qdf", "--object-streams=disable", pdf, "-"], capture_output=True).stdout
for key, target in ((b"FontFile2", "truetype"), (b"FontFile", "font_program"), (b"FontFile3", "font_program")):
    for n in sorted(set(re.findall(rb"/" + key + rb" (\d+) 0 R", qdf))):
        data = subprocess.run(["qpdf", f"--show-object={n.decode()}", "--filtered-stream-data", pdf],
                              capture_output=True).stdout
        if data:
            name = f"{os.path.basename(pdf)}-{n.decode()}.{key.decode().lower()}"
            open(os.path.join(corpus, target, name), "wb").write(data)
PY
done
# Register sheets (xlsx, xls, GBK CSV) for the import reader; the office fixtures' xlsx/xls too.
mkdir -p "$C/register_sheet"
cp "$ROOT"/tests/fixtures/registers/*.{xlsx,xls,csv} "$C/register_sheet/" 2>/dev/null || true

# Hand-written seeds, so every target starts with something even before fixtures exist.
printf '机密★1年\n\n关于专案组工作的通知\n各单位：\n　　请严格保守国家秘密。\n' > "$C/detect/marking-head.txt"
printf '0001\n秘密\n特急\n\n内容\n' > "$C/detect/bare-level.txt"
printf 'SECRET//NOFORN\n(U) unclassified paragraph\n(S//REL TO USA) portion\n' > "$C/detect/us-marking.txt"
printf '内部资料 注意保存\n侦查方案\n涉密人员名单\n' > "$C/detect/work-secret.txt"
printf '\xef\xbb\xbf机密★1年\r\n正文\r\n' > "$C/text/utf8-bom.txt"
printf '\xff\xfe\x3a\x67\xc6\x5b\x05\x26\x31\x00\x74\x5e' > "$C/text/utf16le-bom.txt"
printf '\xbb\xfa\xc3\xdc\xa1\xef\x31\xc4\xea\r\n' > "$C/text/gbk.txt"
printf '<html><head><meta charset="utf-8"><title>机密</title></head><body><p>机密★1年</p><script>x</script></body></html>' > "$C/html/basic.html"
printf 'From: a@example.com\r\nTo: b@example.com\r\nSubject: =?UTF-8?B?5py65a+G?=\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\xe6\x9c\xba\xe5\xaf\x86\xe2\x98\x851\xe5\xb9\xb4\r\n' > "$C/eml/basic.eml"
python3 - "$C" <<'PY'
import io, sys, zipfile
c = sys.argv[1]
def z(path, members, stored_first=None):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as f:
        if stored_first:
            f.writestr(zipfile.ZipInfo(stored_first[0]), stored_first[1])  # stored, as ODF wants the mimetype
        for name, data in members:
            f.writestr(name, data)
inner = io.BytesIO()
with zipfile.ZipFile(inner, "w") as f:
    f.writestr("内层/通知.txt", "机密★1年\n内容\n")
z(f"{c}/zip/nested.zip", [("a.txt", "秘密\n正文"), ("b/inner.zip", inner.getvalue()), ("c.html", "<p>绝密</p>")])
ct = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>'
z(f"{c}/pptx/minimal.pptx", [("[Content_Types].xml", ct),
  ("ppt/slides/slide1.xml", '<p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>机密★1年</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>'),
  ("ppt/notesSlides/notesSlide1.xml", '<p:notes xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:t>备注</a:t></p:notes>')])
ns = 'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0"'
bodies = {
  "odt": ("text", '<office:text><text:p>机密★1年</text:p><text:h>标题</text:h><text:p>正文<text:span>内容</text:span></text:p></office:text>'),
  "ods": ("spreadsheet", '<office:spreadsheet><table:table table:name="表1"><table:table-row><table:table-cell table:number-columns-repeated="3"><text:p>秘密</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet>'),
  "odp": ("presentation", '<office:presentation><draw:page draw:name="p1"><draw:frame><draw:text-box><text:p>绝密</text:p></draw:text-box></draw:frame><presentation:notes><draw:frame><draw:text-box><text:p>备注</text:p></draw:text-box></draw:frame></presentation:notes></draw:page></office:presentation>'),
}
for ext, (kind, body) in bodies.items():
    content = f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}><office:body>{body}</office:body></office:document-content>'
    z(f"{c}/{ext}/minimal.{ext}", [("content.xml", content), ("styles.xml", f'<office:document-styles {ns}/>')],
      stored_first=("mimetype", f"application/vnd.oasis.opendocument.{kind}"))
PY
for t in "$C"/*/; do echo "seed: $(basename "$t"): $(find "$t" -type f | wc -l) inputs" >&2; done
