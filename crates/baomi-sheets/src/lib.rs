//! Spreadsheets in and out: reading an uploaded register (.xlsx, .xls/.et, or CSV/TSV text in
//! UTF-8, UTF-16 or GBK, as Excel and WPS save them on a Chinese Windows) into rows of text, and
//! writing an export as .xlsx.
//!
//! The readers are bounded: the upload's size is capped by the route, a zip's inflated size and
//! entry count are checked before anything inflates it (an .xlsx is a zip), and rows and cells are
//! counted as they are read.
//!
//! Written here rather than in the server so that the readers can be fuzzed on their own.

#![deny(missing_docs)]

use calamine::{Data, Reader};
use std::io::Cursor;

/// At most this many data rows are read from a file (the store takes as many in one import).
pub const MAX_DATA_ROWS: usize = 100_000;
/// Rows read at most: the data and a title and header above them.
const MAX_ROWS: usize = MAX_DATA_ROWS + 20;
/// At most this many columns are kept.
const MAX_COLUMNS: usize = 64;
/// A cell longer than this (in characters) is refused: no register field is that long.
const MAX_CELL_CHARS: usize = 4096;
/// An .xlsx whose parts inflate to more than this is refused before it is inflated.
const MAX_INFLATED: u64 = 256 << 20;
/// Nor one with more parts than this.
const MAX_ZIP_ENTRIES: usize = 10_000;

/// A sheet as text: every row, numbered as the spreadsheet shows it (from 1).
#[derive(Debug, Default, PartialEq)]
pub struct Sheet {
    /// (row number, cells), empty rows left out.
    pub rows: Vec<(usize, Vec<String>)>,
}

/// The first sheet of an uploaded file, whatever spreadsheet or text format it is in. The error is
/// for the person who uploaded it.
pub fn read(bytes: &[u8]) -> Result<Sheet, String> {
    if bytes.starts_with(b"PK\x03\x04") {
        check_zip(bytes)?;
        read_xlsx(bytes)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        read_xls(bytes)
    } else {
        read_text(bytes)
    }
}

fn check_zip(bytes: &[u8]) -> Result<(), String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("the file is not a readable .xlsx: {e}"))?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(format!("the workbook has {} parts; too many", zip.len()));
    }
    // The central directory's sizes (what `decompressed_size` refuses to sum when a part was
    // written with a data descriptor, as Excel and rust_xlsxwriter do).
    let mut inflated: u64 = 0;
    for i in 0..zip.len() {
        let size = zip
            .by_index_raw(i)
            .map_err(|e| format!("the workbook is damaged: {e}"))?
            .size();
        inflated = inflated.saturating_add(size);
    }
    if inflated > MAX_INFLATED {
        return Err(format!(
            "the workbook would inflate to {} MB; at most {} MB is read",
            inflated >> 20,
            MAX_INFLATED >> 20
        ));
    }
    Ok(())
}

/// An .xlsx, cell by cell: calamine's whole-sheet range is sized by the corner cells, so a sheet
/// with one cell at A1 and one at XFD1048576 would ask for billions of cells; reading cells one by
/// one keeps memory to the rows actually there.
fn read_xlsx(bytes: &[u8]) -> Result<Sheet, String> {
    let mut book: calamine::Xlsx<_> = calamine::Xlsx::new(Cursor::new(bytes))
        .map_err(|e| format!("the workbook cannot be read: {e}"))?;
    let first = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| "the workbook has no sheet".to_owned())?;
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|e| format!("the first sheet cannot be read: {e}"))?;
    let mut sheet = Sheet::default();
    let mut current: Option<(u32, Vec<String>)> = None;
    while let Some(cell) = cells
        .next_cell()
        .map_err(|e| format!("the first sheet cannot be read: {e}"))?
    {
        let (r, c) = cell.get_position();
        let c = c as usize;
        if c >= MAX_COLUMNS {
            continue;
        }
        if current.as_ref().is_some_and(|(row, _)| *row != r) {
            if let Some((row, cells)) = current.take() {
                push_row(&mut sheet, row as usize + 1, cells)?;
            }
            if sheet.rows.len() >= MAX_ROWS {
                return Err(too_many_rows());
            }
        }
        let (_, row) = current.get_or_insert_with(|| (r, Vec::new()));
        if row.len() <= c {
            row.resize(c + 1, String::new());
        }
        row[c] = cell_text(&calamine::Data::from(cell.get_value().clone()));
    }
    if let Some((row, cells)) = current.take() {
        push_row(&mut sheet, row as usize + 1, cells)?;
    }
    Ok(sheet)
}

/// An .xls (or WPS .et): its format caps a sheet at 65,536 × 256 cells, so the whole range is safe.
fn read_xls(bytes: &[u8]) -> Result<Sheet, String> {
    let mut book: calamine::Xls<_> = calamine::Xls::new(Cursor::new(bytes))
        .map_err(|e| format!("the workbook cannot be read: {e}"))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| "the workbook has no sheet".to_owned())?
        .map_err(|e| format!("the first sheet cannot be read: {e}"))?;
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let mut sheet = Sheet::default();
    for (i, row) in range.rows().enumerate() {
        if sheet.rows.len() >= MAX_ROWS {
            return Err(too_many_rows());
        }
        let cells: Vec<String> = row.iter().take(MAX_COLUMNS).map(cell_text).collect();
        push_row(&mut sheet, first_row + i + 1, cells)?;
    }
    Ok(sheet)
}

fn too_many_rows() -> String {
    format!("more than {MAX_DATA_ROWS} rows; split the file")
}

fn push_row(sheet: &mut Sheet, number: usize, mut cells: Vec<String>) -> Result<(), String> {
    for c in &mut cells {
        let trimmed = c.trim();
        if trimmed.len() != c.len() {
            *c = trimmed.to_owned();
        }
        if c.chars().count() > MAX_CELL_CHARS {
            return Err(format!(
                "row {number}: a cell of more than {MAX_CELL_CHARS} characters"
            ));
        }
    }
    while cells.last().is_some_and(String::is_empty) {
        cells.pop();
    }
    if !cells.is_empty() {
        sheet.rows.push((number, cells));
    }
    Ok(())
}

/// A cell as the register wants it: whole numbers without `.0` (asset numbers are often typed as
/// numbers), dates as YYYY-MM-DD.
fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        // The 1904 system (old Mac Excel) is not told apart: calamine does not say which it is.
        Data::DateTime(dt) => excel_date(dt.as_f64()),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// An Excel serial date as YYYY-MM-DD (the time of day dropped).
fn excel_date(serial: f64) -> String {
    // Day 0 of the 1900 system is 1899-12-31 but Excel counts a 29 Feb 1900 that never was, so
    // from March 1900 on the serial is days since 1899-12-30.
    let days = serial.floor() as i64 - 25_569; // 1899-12-30 → 1970-01-01
    jiff::Timestamp::from_second(days.saturating_mul(86_400))
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// CSV or tab-separated text, in the encoding it was saved in: a byte-order mark says which
/// (Excel's "Unicode text" is UTF-16 with one); text without one is UTF-8 if it is valid UTF-8 and
/// GB18030 (a superset of GBK, what Excel and WPS write on a Chinese Windows) otherwise.
fn read_text(bytes: &[u8]) -> Result<Sheet, String> {
    let text = match encoding_rs::Encoding::for_bom(bytes) {
        Some((enc, bom)) => enc.decode_without_bom_handling(&bytes[bom..]).0,
        None => match std::str::from_utf8(bytes) {
            Ok(s) => std::borrow::Cow::Borrowed(s),
            Err(_) => encoding_rs::GB18030.decode_without_bom_handling(bytes).0,
        },
    };
    if text.contains('\0') {
        return Err("the file is neither a spreadsheet nor CSV text".into());
    }
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = if first_line.contains('\t') && !first_line.contains(',') {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut sheet = Sheet::default();
    let mut record = csv::StringRecord::new();
    // Row numbers as a spreadsheet shows them: lines, counted up to each record's start (a quoted
    // cell may span lines).
    let (mut counted_to, mut line) = (0usize, 1usize);
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(format!("the CSV text is broken: {e}")),
        }
        if sheet.rows.len() >= MAX_ROWS {
            return Err(too_many_rows());
        }
        let mut start = record.position().map_or(counted_to, |p| {
            usize::try_from(p.byte()).unwrap_or(counted_to)
        });
        // A record's position may be the line end before it.
        while matches!(text.as_bytes().get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        if let Some(between) = text.as_bytes().get(counted_to..start) {
            line += memchr_count(between);
            counted_to = start;
        }
        let number = line;
        let cells = record.iter().take(MAX_COLUMNS).map(str::to_owned).collect();
        push_row(&mut sheet, number, cells)?;
    }
    Ok(sheet)
}

fn memchr_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| **b == b'\n').count()
}

/// An .xlsx of one sheet: a bold, frozen header row, every cell written as text (so nothing typed
/// into a register can become a formula, and asset numbers keep their leading zeros).
pub fn xlsx(sheet_name: &str, header: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>, String> {
    use rust_xlsxwriter::{Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| format!("cannot write the workbook: {e}");
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet_name).map_err(fail)?;
    let bold = Format::new().set_bold();
    let mut widths: Vec<usize> = header.iter().map(|h| display_width(h)).collect();
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, col(c)?, h, &bold)
            .map_err(fail)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|_| "too many rows".to_owned())?;
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r, col(c)?, v).map_err(fail)?;
            }
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(display_width(v));
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(col(c)?, (*w).clamp(6, 60) as f64 + 2.0)
            .map_err(fail)?;
    }
    ws.set_freeze_panes(1, 0).map_err(fail)?;
    book.save_to_buffer().map_err(fail)
}

fn col(c: usize) -> Result<u16, String> {
    u16::try_from(c).map_err(|_| "too many columns".to_owned())
}

/// Columns to give a text: a CJK character is two wide.
fn display_width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_serials_are_dates() {
        assert_eq!(excel_date(45_000.0), "2023-03-15");
        assert_eq!(excel_date(45_000.75), "2023-03-15");
        assert_eq!(excel_date(61.0), "1900-03-01");
    }

    #[test]
    fn gbk_csv_with_a_title_row_and_quotes() {
        let (gbk, _, _) = encoding_rs::GBK.encode(
            "计算机台账\r\n资产编号,名称,备注\r\n001,\"办公室,一号机\",\"说\"\"明\"\"\"\r\n\r\n",
        );
        let s = read(&gbk).unwrap();
        assert_eq!(
            s.rows,
            vec![
                (1, vec!["计算机台账".to_owned()]),
                (2, vec!["资产编号".into(), "名称".into(), "备注".into()]),
                (
                    3,
                    vec!["001".into(), "办公室,一号机".into(), "说\"明\"".into()]
                ),
            ]
        );
    }

    #[test]
    fn utf16_tab_separated_text() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "编号\t类型\r\nU-1\tU盘\r\n".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let s = read(&bytes).unwrap();
        assert_eq!(s.rows[1], (2, vec!["U-1".to_owned(), "U盘".to_owned()]));
    }

    #[test]
    fn an_exported_workbook_reads_back() {
        let header = vec!["资产编号".to_owned(), "名称".to_owned()];
        let rows = vec![
            vec!["007".to_owned(), "=1+1".to_owned()],
            vec!["A-2".to_owned(), String::new()],
        ];
        let bytes = xlsx("计算机台账", &header, &rows).unwrap();
        let s = read(&bytes).unwrap();
        assert_eq!(s.rows.len(), 3);
        assert_eq!(s.rows[1], (2, vec!["007".to_owned(), "=1+1".to_owned()]));
        assert_eq!(s.rows[2], (3, vec!["A-2".to_owned()]));
    }

    #[test]
    fn a_zip_bomb_is_refused_before_it_inflates() {
        use std::io::Write;
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        w.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
        let zeros = vec![b' '; 1 << 20];
        for _ in 0..(MAX_INFLATED >> 20) + 1 {
            w.write_all(&zeros).unwrap();
        }
        let bytes = w.finish().unwrap().into_inner();
        assert!(bytes.len() < 2 << 20);
        let err = read(&bytes).unwrap_err();
        assert!(err.contains("inflate"), "{err}");
    }

    #[test]
    fn far_apart_cells_do_not_allocate_the_space_between() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        ws.write_string(0, 0, "资产编号").unwrap();
        ws.write_string(1_048_575, 16_383, "far").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let s = read(&bytes).unwrap();
        // The far cell is past the columns read; its row is empty and left out.
        assert_eq!(s.rows, vec![(1, vec!["资产编号".to_owned()])]);
    }

    #[test]
    fn garbage_is_refused_not_read() {
        assert!(read(b"PK\x03\x04 not really a zip").is_err());
        assert!(read(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0, 0]).is_err());
        assert!(read(b"\0\0\0\0binary").is_err());
    }
}
