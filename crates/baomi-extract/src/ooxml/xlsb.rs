//! Excel binary workbooks (.xlsb, MS-XLSB): an .xlsx package whose workbook, sheets, shared strings
//! and comments are BIFF12 records instead of XML. Relationships, drawings, charts, threaded comments
//! and document properties stay XML and are read as in an .xlsx.
//!
//! Written by hand: calamine (which `baomi-sheets` uses for registers) reads an .xlsb's cells into one
//! dense range, so that a cell in A1 and one in XFD1048576 ask for 17 billion, reads neither comments
//! nor headers and footers, and opens the package with its own zip reader, outside the budget that
//! bounds everything here; the records needed are few.

use super::sst::SharedStrings;
use super::{
    Cx, MAX_ROW_PADDING, RowLine, SheetRef, SheetRows, SheetText, shared_strings_part,
    sheet_and_relations, sheets_by_part_name, strip_header_codes, unreferenced_parts,
};
use crate::ole::{rk_value, utf16le, write_number};
use crate::{SegmentKind, Unreadable};
use std::collections::HashSet;

// Record types (MS-XLSB 2.3).
const ROW_HDR: u16 = 0;
const CELL_BLANK: u16 = 1;
const CELL_RK: u16 = 2;
const CELL_ERROR: u16 = 3;
const CELL_BOOL: u16 = 4;
const CELL_REAL: u16 = 5;
const CELL_ST: u16 = 6;
const CELL_ISST: u16 = 7;
const FMLA_STRING: u16 = 8;
const FMLA_NUM: u16 = 9;
const FMLA_BOOL: u16 = 10;
const FMLA_ERROR: u16 = 11;
/// `BrtShortBlank` … `BrtShortIsst` (12–18): the cells 1–7 without their column, which is the one after
/// the previous cell's. Newer Excel and SheetJS write them; MS-XLSB does not list them.
const SHORT_BLANK: u16 = 12;
const SHORT_ISST: u16 = 18;
const SST_ITEM: u16 = 19;
const CELL_RSTRING: u16 = 62;
const BUNDLE_SH: u16 = 156;
const BEGIN_HEADER_FOOTER: u16 = 479;
const COMMENT_TEXT: u16 = 637;

/// Records read between two checks of the file's time limit.
const RECORDS_PER_TIME_CHECK: u32 = 4096;

/// The records of a BIFF12 part, in order: type and body. Stops at the first record that does not
/// fit in what is left of the part ([`Records::damaged`] then says so).
struct Records<'a> {
    data: &'a [u8],
    at: usize,
    damaged: bool,
}

impl<'a> Records<'a> {
    fn new(data: &'a [u8]) -> Self {
        Records {
            data,
            at: 0,
            damaged: false,
        }
    }

    /// A variable-length number of at most `max_bytes` bytes, seven bits each, low bits first.
    fn var(&mut self, max_bytes: u32) -> Option<usize> {
        let mut n = 0usize;
        for i in 0..max_bytes {
            let b = *self.data.get(self.at)?;
            self.at += 1;
            n |= usize::from(b & 0x7F) << (7 * i);
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = (u16, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        if self.at >= self.data.len() || self.damaged {
            return None;
        }
        let record = self.var(2).and_then(|kind| {
            let size = self.var(4)?;
            let body = self.data.get(self.at..self.at.checked_add(size)?)?;
            self.at += size;
            Some((u16::try_from(kind).ok()?, body))
        });
        if record.is_none() {
            self.damaged = true;
        }
        record
    }
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn f64_at(b: &[u8], at: usize) -> Option<f64> {
    let s = b.get(at..at.checked_add(8)?)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(s);
    Some(f64::from_le_bytes(a))
}

/// An `XLWideString` (or `XLNullableWideString`, whose null reads as empty) at `at`: a count of UTF-16
/// units, then the units. The string and the offset after it.
fn wide_string(b: &[u8], at: usize) -> Option<(String, usize)> {
    let count = u32_at(b, at)?;
    let start = at + 4;
    if count == u32::MAX {
        return Some((String::new(), start));
    }
    let end = start.checked_add(usize::try_from(count).ok()?.checked_mul(2)?)?;
    Some((utf16le(b.get(start..end)?), end))
}

/// A `RichStr`: a flags byte, then the string (its formatting runs and phonetic text after it are
/// not wanted).
fn rich_string(b: &[u8], at: usize) -> Option<String> {
    wide_string(b, at.checked_add(1)?).map(|(s, _)| s)
}

/// A number as the .xls reader writes it (Excel's General format, roughly).
fn number_text(v: f64) -> String {
    let mut text = String::new();
    write_number(&mut text, v);
    text
}

/// A `BErr` code as Excel shows it.
fn error_text(code: u8) -> &'static str {
    match code {
        0x00 => "#NULL!",
        0x07 => "#DIV/0!",
        0x0F => "#VALUE!",
        0x17 => "#REF!",
        0x1D => "#NAME?",
        0x24 => "#NUM!",
        0x2A => "#N/A",
        0x2B => "#GETTING_DATA",
        _ => "",
    }
}

/// The text of a cell record whose value starts at `VALUE` (after its `Cell`: column, style and flags;
/// style and flags alone in a short cell).
fn cell_text(kind: u16, body: &[u8], sst: &SharedStrings, value_at: usize) -> Option<String> {
    Some(match kind {
        CELL_RK => number_text(rk_value(u32_at(body, value_at)?)),
        CELL_REAL | FMLA_NUM => number_text(f64_at(body, value_at)?),
        CELL_BOOL | FMLA_BOOL => match body.get(value_at)? {
            0 => "FALSE".to_owned(),
            _ => "TRUE".to_owned(),
        },
        CELL_ERROR | FMLA_ERROR => error_text(*body.get(value_at)?).to_owned(),
        CELL_ST | FMLA_STRING => wide_string(body, value_at)?.0,
        CELL_RSTRING => rich_string(body, value_at)?,
        CELL_ISST => {
            let i = usize::try_from(u32_at(body, value_at)?).ok()?;
            sst.get(i)?.to_owned()
        }
        _ => return None,
    })
}

fn damaged(part: &str) -> Unreadable {
    Unreadable::corrupt(format!(
        "{part}: a record runs past the end of the part; what came before it was read"
    ))
}

/// The shared strings (`BrtSSTItem` records), empty ones kept so that indices stay right.
fn shared_strings(data: &[u8], part: &str) -> Result<SharedStrings, Unreadable> {
    let mut sst = SharedStrings::default();
    let mut records = Records::new(data);
    for (kind, body) in records.by_ref() {
        if kind == SST_ITEM {
            sst.push_str(&rich_string(body, 0).unwrap_or_default());
            sst.finish_entry();
        }
    }
    if records.damaged && sst.is_empty() {
        return Err(damaged(part));
    }
    Ok(sst)
}

/// A sheet's rows (one line per row, cells by tabs, as for an .xlsx) and its headers and footers.
struct Sheet {
    cells: String,
    header: Vec<String>,
    footer: Vec<String>,
    damaged: bool,
}

fn sheet(
    data: &[u8],
    sst: &SharedStrings,
    padding_left: &mut usize,
    budget: &mut crate::Budget,
) -> Result<Sheet, Unreadable> {
    let mut cells = String::new();
    let mut lines = 0usize;
    let mut rows = SheetRows {
        cells: &mut cells,
        lines: &mut lines,
        padding_left,
    };
    let mut row = RowLine::default();
    let mut row_num: Option<usize> = None;
    let mut prev_col: Option<usize> = None;
    let (mut header, mut footer) = (Vec::new(), Vec::new());
    let mut records = Records::new(data);
    let mut count = 0u32;
    for (kind, body) in records.by_ref() {
        count += 1;
        if count.is_multiple_of(RECORDS_PER_TIME_CHECK) {
            budget.check_time()?;
        }
        match kind {
            ROW_HDR => {
                if row_num.is_some() {
                    rows.push(&row, row_num);
                }
                row.clear();
                prev_col = None;
                // Rows are 0-based here, 1-based in the XML the lines follow.
                row_num = u32_at(body, 0)
                    .and_then(|r| usize::try_from(r).ok())
                    .map(|r| r.saturating_add(1));
            }
            CELL_BLANK..=FMLA_ERROR | CELL_RSTRING => {
                let col = u32_at(body, 0).and_then(|c| usize::try_from(c).ok());
                prev_col = col;
                if let Some(text) = cell_text(kind, body, sst, 8) {
                    row.cell(col, &text);
                }
            }
            SHORT_BLANK..=SHORT_ISST => {
                let col = prev_col.map_or(0, |c| c.saturating_add(1));
                prev_col = Some(col);
                let long = kind - SHORT_BLANK + CELL_BLANK;
                if let Some(text) = cell_text(long, body, sst, 4) {
                    row.cell(Some(col), &text);
                }
            }
            BEGIN_HEADER_FOOTER => {
                // Flags, then odd, even and first-page header and footer, in turn.
                let mut at = 2;
                for i in 0..6 {
                    let Some((text, next)) = wide_string(body, at) else {
                        break;
                    };
                    at = next;
                    let text = strip_header_codes(&text);
                    if !text.is_empty() {
                        if i % 2 == 0 { &mut header } else { &mut footer }.push(text);
                    }
                }
            }
            _ => {}
        }
    }
    if row_num.is_some() {
        rows.push(&row, row_num);
    }
    cells.truncate(cells.trim_end_matches('\n').len());
    header.dedup();
    footer.dedup();
    Ok(Sheet {
        cells,
        header,
        footer,
        damaged: records.damaged,
    })
}

/// Comment texts (`BrtCommentText`), one per line.
fn comments(data: &[u8], part: &str) -> Result<String, Unreadable> {
    let mut records = Records::new(data);
    let texts: Vec<String> = records
        .by_ref()
        .filter(|(kind, _)| *kind == COMMENT_TEXT)
        .filter_map(|(_, body)| rich_string(body, 0))
        .filter(|t| !t.trim().is_empty())
        .collect();
    if records.damaged && texts.is_empty() {
        return Err(damaged(part));
    }
    Ok(texts.join("\n"))
}

/// Sheets named in the workbook (`BrtBundleSh`): name and relationship id, in tab order.
fn bundled_sheets(data: &[u8]) -> Vec<(String, String)> {
    Records::new(data)
        .filter(|(kind, _)| *kind == BUNDLE_SH)
        .filter_map(|(_, body)| {
            // hsState, iTabID, then the relationship id and the name.
            let (rel_id, at) = wide_string(body, 8)?;
            let (name, _) = wide_string(body, at)?;
            Some((name, rel_id))
        })
        .collect()
}

/// A binary part, or `None` when absent or unreadable (the latter reported).
fn binary_part(cx: &mut Cx<'_, '_, '_>, name: &str) -> Result<Option<Vec<u8>>, Unreadable> {
    let r = cx.pkg.read_named(name, cx.budget);
    Ok(cx.soft(name, r)?.flatten())
}

/// A binary comments part (`xl/commentsN.bin`), for [`super::sheet_comments`].
pub(super) fn binary_comments(
    cx: &mut Cx<'_, '_, '_>,
    name: &str,
    sheet: Option<&str>,
) -> Result<(), Unreadable> {
    let Some(data) = binary_part(cx, name)? else {
        return Ok(());
    };
    if let Some(text) = cx.soft(name, comments(&data, name))? {
        cx.emit(SegmentKind::Comment, None, sheet, name, &text);
    }
    Ok(())
}

/// The workbook whose main part is `wb` (`xl/workbook.bin`).
pub(super) fn xlsb(cx: &mut Cx<'_, '_, '_>, wb: &str) -> Result<(), Unreadable> {
    let Some(data) = cx.pkg.read_named(wb, cx.budget)? else {
        return Err(Unreadable::corrupt(format!("no {wb} in the package")));
    };
    let rels = cx.rels(wb)?;
    let mut sheets: Vec<SheetRef> = bundled_sheets(&data)
        .into_iter()
        .filter_map(|(name, id)| {
            let part = rels.iter().find(|r| r.id == id)?.target.clone();
            Some(SheetRef { name, part })
        })
        .collect();
    if sheets.is_empty() {
        sheets = sheets_by_part_name(cx, ".bin");
    }
    let sst_part = shared_strings_part(&rels, "xl/sharedStrings.bin");
    let sst = match binary_part(cx, &sst_part)? {
        Some(data) => {
            let r = shared_strings(&data, &sst_part);
            cx.soft(&sst_part, r)?.unwrap_or_default()
        }
        None => SharedStrings::default(),
    };

    let mut padding_left = MAX_ROW_PADDING;
    let mut done: HashSet<String> = HashSet::new();
    for SheetRef { name, part } in &sheets {
        cx.budget.check_time()?;
        let Some(data) = binary_part(cx, part)? else {
            continue;
        };
        let ws = sheet(&data, &sst, &mut padding_left, cx.budget)?;
        if ws.damaged {
            cx.soft::<()>(part, Err(damaged(part)))?;
        }
        let text = SheetText {
            cells: &ws.cells,
            header: &ws.header.join("\n"),
            footer: &ws.footer.join("\n"),
        };
        sheet_and_relations(cx, name, part, &text, &mut done)?;
    }
    unreferenced_parts(cx, &done)
}

/// Every record reader over one part's bytes, for the fuzz target (`fuzz_entry::xlsb_part`).
pub(crate) fn fuzz_part(data: &[u8]) {
    let sst = shared_strings(data, "f").unwrap_or_default();
    let mut padding = MAX_ROW_PADDING;
    let mut budget = crate::Budget::new(crate::Limits::default());
    let _ = sheet(data, &sst, &mut padding, &mut budget);
    let _ = comments(data, "f");
    let _ = bundled_sheets(data);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record as Excel writes it: type and size as 7-bit groups, then the body.
    pub(crate) fn record(kind: u16, body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let k = usize::from(kind);
        if k < 0x80 {
            out.push(k as u8);
        } else {
            out.push((k & 0x7F) as u8 | 0x80);
            out.push((k >> 7) as u8);
        }
        let mut n = body.len();
        loop {
            let b = (n & 0x7F) as u8;
            n >>= 7;
            if n == 0 {
                out.push(b);
                break;
            }
            out.push(b | 0x80);
        }
        out.extend_from_slice(body);
        out
    }

    fn wide(s: &str) -> Vec<u8> {
        let units: Vec<u16> = s.encode_utf16().collect();
        let mut out = (units.len() as u32).to_le_bytes().to_vec();
        for u in units {
            out.extend_from_slice(&u.to_le_bytes());
        }
        out
    }

    fn cell(col: u32, value: &[u8]) -> Vec<u8> {
        let mut b = col.to_le_bytes().to_vec();
        b.extend_from_slice(&[0, 0, 0, 0]);
        b.extend_from_slice(value);
        b
    }

    #[test]
    fn record_headers_of_one_and_two_bytes() {
        let mut data = record(COMMENT_TEXT, &[0; 200]);
        data.extend(record(ROW_HDR, &[1, 0, 0, 0]));
        assert_eq!(&data[..4], &[0xFD, 0x04, 0xC8, 0x01]);
        let got: Vec<(u16, usize)> = Records::new(&data).map(|(k, b)| (k, b.len())).collect();
        assert_eq!(got, vec![(COMMENT_TEXT, 200), (ROW_HDR, 4)]);
        // Cut inside the second record: the first is kept, the damage told.
        let mut records = Records::new(&data[..data.len() - 2]);
        assert_eq!(records.by_ref().count(), 1);
        assert!(records.damaged);
    }

    #[test]
    fn rk_numbers() {
        assert_eq!(rk_value((5u32 << 2) | 2), 5.0);
        assert_eq!(rk_value(((-7i32 as u32) << 2) | 2), -7.0);
        assert_eq!(rk_value((1234u32 << 2) | 3), 12.34);
        let bits = (2.5f64.to_bits() >> 32) as u32;
        assert_eq!(rk_value(bits), 2.5);
    }

    #[test]
    fn cells_rows_and_headers() {
        let sst: SharedStrings = ["机密★5年", "涉密人员名单"].into_iter().collect();
        let mut data = Vec::new();
        data.extend(record(ROW_HDR, &0u32.to_le_bytes()));
        data.extend(record(CELL_ISST, &cell(0, &0u32.to_le_bytes())));
        data.extend(record(CELL_ST, &cell(2, &wide("张三"))));
        data.extend(record(ROW_HDR, &2u32.to_le_bytes()));
        data.extend(record(CELL_RK, &cell(0, &((3u32 << 2) | 2).to_le_bytes())));
        data.extend(record(CELL_REAL, &cell(1, &0.5f64.to_le_bytes())));
        let mut rich = vec![0u8];
        rich.extend(wide("内部"));
        data.extend(record(CELL_RSTRING, &cell(2, &rich)));
        data.extend(record(CELL_ISST, &cell(3, &9u32.to_le_bytes())));
        // Short cells: the column after the previous one.
        data.extend(record(ROW_HDR, &3u32.to_le_bytes()));
        data.extend(record(CELL_BLANK, &cell(1, &[])));
        let mut short = vec![0u8; 4];
        short.extend(wide("李四"));
        data.extend(record(SHORT_BLANK + 5, &short));
        data.extend(record(SHORT_ISST, &[0, 0, 0, 0, 1, 0, 0, 0]));
        let mut hf = vec![0u8, 0];
        hf.extend(wide("&L秘密&R第&P页"));
        hf.extend(wide("&C页脚"));
        hf.extend(u32::MAX.to_le_bytes());
        data.extend(record(BEGIN_HEADER_FOOTER, &hf));
        let mut padding = MAX_ROW_PADDING;
        let mut budget = crate::Budget::new(crate::Limits::default());
        let s = sheet(&data, &sst, &mut padding, &mut budget).expect("sheet");
        assert_eq!(
            s.cells,
            "机密★5年\t\t张三\n\n3\t0.5\t内部\n\t\t李四\t涉密人员名单"
        );
        assert_eq!(s.header, vec!["秘密\n第页".to_owned()]);
        assert_eq!(s.footer, vec!["页脚".to_owned()]);
        assert!(!s.damaged);
    }

    #[test]
    fn garbage_never_panics() {
        let sst = SharedStrings::default();
        let mut budget = crate::Budget::new(crate::Limits::default());
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        for len in 0..400 {
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed as u8
                })
                .collect();
            let mut padding = MAX_ROW_PADDING;
            let _ = sheet(&data, &sst, &mut padding, &mut budget);
            fuzz_part(&data);
        }
    }
}
