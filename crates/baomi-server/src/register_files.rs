//! The registers as files: each register exported as .xlsx or CSV in the reader's language, and
//! imported from the office's own spreadsheet (.xlsx, .xls/.et, CSV in UTF-8 or GBK).
//!
//! An office's sheet is not ours: it may have a title row above the header, a 序号 column, headers
//! worded its own way (资产编号 or 固定资产编号, 责任人 or 使用人) and values in words (涉密, 机密,
//! U盘). The header row is found among the first rows by the register's key column; columns are
//! matched by our field name or any usual wording, in Chinese or English; values are read as ids or
//! as words. Unknown columns are ignored and named in the result, so nothing is dropped silently.
//! What cannot be read is refused row by row, and then nothing is stored (see `baomi_store::bulk`).

use crate::authz::{Action, department_scope};
use crate::export::{csv, uncell};
use crate::i18n::Lang;
use crate::views::{level_word, page};
use crate::{AppState, Fail, PageFail, Viewer};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use baomi_sheets as sheets;
use baomi_store::model::{
    MEDIUM_KINDS, PLACE_DEVICES, PLACE_KINDS, REGISTER_LEVELS, REGISTER_ZONES, SECRECY_LEVELS,
};
use baomi_store::{
    ComputerFilter, ComputerInput, Department, ImportSummary, MediumInput, PersonInput, PlaceInput,
};
use maud::html;
use std::collections::HashMap;

/// An uploaded register larger than this is refused at the door.
pub const MAX_REGISTER_FILE_BYTES: usize = 16 * 1024 * 1024;
/// The header row is looked for among this many first rows.
const HEADER_SEARCH_ROWS: usize = 10;

/// The registers that go in and out as files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Register {
    Computers,
    Media,
    People,
    Places,
}

/// How a column's values are written and read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Values {
    Text,
    Zone,
    Level,
    Status,
    MediumKind,
    MediumState,
    Secrecy,
    PlaceKind,
    Devices,
    Department,
    Date,
}

struct Column {
    /// The store's field (`department_id` for the department).
    field: &'static str,
    /// The i18n key of its header.
    word: &'static str,
    /// Other headers offices use for it.
    aliases: &'static [&'static str],
    values: Values,
    /// A file without this column cannot be imported.
    required: bool,
    /// Read on import (a medium's state is shown, but moves only through its life).
    imported: bool,
}

const fn col(field: &'static str, word: &'static str, aliases: &'static [&'static str]) -> Column {
    Column {
        field,
        word,
        aliases,
        values: Values::Text,
        required: false,
        imported: true,
    }
}

impl Column {
    const fn of(mut self, values: Values) -> Column {
        self.values = values;
        self
    }
    const fn required(mut self) -> Column {
        self.required = true;
        self
    }
    const fn shown_only(mut self) -> Column {
        self.imported = false;
        self
    }
}

const DEPARTMENT: Column = col(
    "department_id",
    "department",
    &[
        "部门",
        "所属部门",
        "使用部门",
        "单位",
        "科室",
        "department_id",
    ],
)
.of(Values::Department);
const CUSTODIAN: Column = col(
    "custodian",
    "custodian",
    &["责任人", "使用人", "保管人", "管理人"],
);
const LEVEL: Column = col("level", "level", &["密级", "涉密等级", "涉密级别"])
    .of(Values::Level)
    .required();

const COMPUTER_COLUMNS: &[Column] = &[
    col(
        "asset_no",
        "asset_no",
        &["资产编号", "固定资产编号", "资产号", "设备编号", "编号"],
    )
    .required(),
    col(
        "name",
        "name",
        &["名称", "计算机名称", "设备名称", "主机名", "计算机名"],
    )
    .required(),
    col(
        "model",
        "model",
        &["型号", "品牌型号", "品牌及型号", "设备型号"],
    ),
    DEPARTMENT,
    CUSTODIAN,
    col(
        "location",
        "location",
        &["位置", "存放地点", "放置地点", "安放位置"],
    ),
    col(
        "zone",
        "zone",
        &[
            "网络类别",
            "网络类型",
            "联网类型",
            "联网情况",
            "用途",
            "类别",
        ],
    )
    .of(Values::Zone)
    .required(),
    LEVEL,
    col("status", "status", &["状态", "使用状态", "设备状态"]).of(Values::Status),
    col("macs", "macs", &["MAC地址", "MAC", "网卡地址", "物理地址"]),
    col("machine_id", "machine_id", &["机器标识", "machine-id"]),
    col("notes", "notes", &["硬件备注", "备注", "说明"]),
];

const MEDIUM_COLUMNS: &[Column] = &[
    col(
        "number",
        "number",
        &["载体编号", "编号", "介质编号", "统一编号"],
    )
    .required(),
    col("kind", "kind", &["类型", "载体类型", "介质类型", "种类"])
        .of(Values::MediumKind)
        .required(),
    col("brand_model", "brand_model", &["品牌型号", "品牌", "型号"]),
    col("vid", "vid", &["VID", "厂商ID"]),
    col("pid", "pid", &["PID", "产品ID"]),
    col(
        "serial",
        "serial",
        &["序列号", "硬件序列号", "SN", "iSerial"],
    ),
    LEVEL,
    DEPARTMENT,
    CUSTODIAN,
    col("state", "state", &["状态", "当前状态"])
        .of(Values::MediumState)
        .shown_only(),
    col("notes", "remarks", &["备注", "说明", "notes"]),
];

const PERSON_COLUMNS: &[Column] = &[
    col("name", "person_name", &["姓名", "名称", "name"]).required(),
    DEPARTMENT,
    col("position", "position", &["职务", "岗位", "职位"]),
    col(
        "secrecy_level",
        "secrecy_level",
        &["涉密类别", "涉密等级", "涉密人员类别", "类别"],
    )
    .of(Values::Secrecy)
    .required(),
    col(
        "undertaking_signed",
        "undertaking_signed",
        &[
            "保密承诺书签订日期",
            "承诺书签订日期",
            "签订日期",
            "保密承诺书",
        ],
    )
    .of(Values::Date),
    col("notes", "remarks", &["备注", "说明", "notes"]),
];

const PLACE_COLUMNS: &[Column] = &[
    col(
        "name",
        "name",
        &["名称", "部位名称", "场所名称", "要害部位"],
    )
    .required(),
    col("kind", "kind", &["类型", "类别", "部位类型"])
        .of(Values::PlaceKind)
        .required(),
    DEPARTMENT,
    col("location", "location", &["位置", "地点", "所在位置"]),
    LEVEL,
    CUSTODIAN,
    col("devices", "devices", &["技防设施", "安防设施", "技防措施"]).of(Values::Devices),
    col("notes", "remarks", &["备注", "说明", "notes"]),
];

impl Register {
    pub(crate) const ALL: [Register; 4] = [
        Register::Computers,
        Register::Media,
        Register::People,
        Register::Places,
    ];

    /// Its path and file name.
    pub(crate) fn slug(self) -> &'static str {
        match self {
            Register::Computers => "computers",
            Register::Media => "media",
            Register::People => "people",
            Register::Places => "places",
        }
    }

    fn view(self) -> Action {
        match self {
            Register::Computers => Action::ViewComputers,
            Register::Media => Action::ViewMedia,
            Register::People => Action::ViewPeople,
            Register::Places => Action::ViewPlaces,
        }
    }

    fn edit(self) -> Action {
        match self {
            Register::Computers => Action::EditComputers,
            Register::Media => Action::EditMedia,
            Register::People => Action::EditPeople,
            Register::Places => Action::EditPlaces,
        }
    }

    fn columns(self) -> &'static [Column] {
        match self {
            Register::Computers => COMPUTER_COLUMNS,
            Register::Media => MEDIUM_COLUMNS,
            Register::People => PERSON_COLUMNS,
            Register::Places => PLACE_COLUMNS,
        }
    }
}

pub(crate) fn routes() -> Router<AppState> {
    let mut router = Router::new();
    for reg in Register::ALL {
        let slug = reg.slug();
        router = router
            .route(
                &format!("/{slug}.csv"),
                get(move |st: State<AppState>, v: Viewer| export(st, v, reg, false)),
            )
            .route(
                &format!("/{slug}.xlsx"),
                get(move |st: State<AppState>, v: Viewer| export(st, v, reg, true)),
            )
            .route(
                &format!("/{slug}/import"),
                get(move |v: Viewer| import_form(v, reg))
                    .post(move |st: State<AppState>, v: Viewer, form: Multipart| {
                        import_upload(st, v, form, reg)
                    })
                    .layer(DefaultBodyLimit::max(MAX_REGISTER_FILE_BYTES)),
            );
    }
    router
}

// ---- export ----

async fn export(
    State(st): State<AppState>,
    v: Viewer,
    reg: Register,
    xlsx: bool,
) -> Result<Response, PageFail> {
    v.must(reg.view())?;
    let (header, rows) = table(&st, &v, reg).await?;
    let name = reg.slug();
    let (content_type, body) = if xlsx {
        let title = v.lang.t(match reg {
            Register::Computers => "computers",
            Register::Media => "media",
            Register::People => "people",
            Register::Places => "places",
        });
        (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            sheets::xlsx(title, &header, &rows).map_err(Fail::Internal)?,
        )
    } else {
        ("text/csv; charset=utf-8", csv(&header, &rows).into_bytes())
    };
    let ext = if xlsx { "xlsx" } else { "csv" };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.{ext}\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// A register as the reader may see it: a header in their language, values in words.
async fn table(
    st: &AppState,
    v: &Viewer,
    reg: Register,
) -> Result<(Vec<String>, Vec<Vec<String>>), Fail> {
    let scope = department_scope(&v.user);
    let departments: HashMap<i64, String> = st
        .store
        .departments()
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let columns = reg.columns();
    let header = columns
        .iter()
        .map(|c| v.lang.t(c.word).to_owned())
        .collect();
    let fields: Vec<HashMap<&'static str, String>> = match reg {
        Register::Computers => st
            .store
            .computers(&ComputerFilter {
                department_id: scope,
                limit: Some(1_000_000),
                ..Default::default()
            })
            .await?
            .into_iter()
            .map(|c| computer_fields(c.fields))
            .collect(),
        Register::Media => st
            .store
            .media(&baomi_store::MediaFilter {
                department_id: scope,
                ..Default::default()
            })
            .await?
            .into_iter()
            .map(|m| {
                let mut f = medium_fields(m.fields);
                f.insert("state", m.state.as_str().to_owned());
                f
            })
            .collect(),
        Register::People => st
            .store
            .people(scope)
            .await?
            .into_iter()
            .map(|p| person_fields(p.fields))
            .collect(),
        Register::Places => st
            .store
            .places(scope)
            .await?
            .into_iter()
            .map(|p| place_fields(p.fields))
            .collect(),
    };
    let rows = fields
        .iter()
        .map(|f| {
            columns
                .iter()
                .map(|c| {
                    let raw = f.get(c.field).map_or("", String::as_str);
                    show(c.values, v.lang, raw, &departments)
                })
                .collect()
        })
        .collect();
    Ok((header, rows))
}

fn dept_text(id: Option<i64>) -> String {
    id.map(|d| d.to_string()).unwrap_or_default()
}

fn computer_fields(c: ComputerInput) -> HashMap<&'static str, String> {
    HashMap::from([
        ("asset_no", c.asset_no),
        ("name", c.name),
        ("model", c.model),
        ("department_id", dept_text(c.department_id)),
        ("custodian", c.custodian),
        ("location", c.location),
        ("zone", c.zone),
        ("level", c.level),
        ("status", c.status),
        ("macs", c.macs),
        ("machine_id", c.machine_id),
        ("notes", c.notes),
    ])
}

fn medium_fields(m: MediumInput) -> HashMap<&'static str, String> {
    HashMap::from([
        ("number", m.number),
        ("kind", m.kind),
        ("brand_model", m.brand_model),
        ("vid", m.vid),
        ("pid", m.pid),
        ("serial", m.serial),
        ("level", m.level),
        ("department_id", dept_text(m.department_id)),
        ("custodian", m.custodian),
        ("notes", m.notes),
    ])
}

fn person_fields(p: PersonInput) -> HashMap<&'static str, String> {
    HashMap::from([
        ("name", p.name),
        ("department_id", dept_text(p.department_id)),
        ("position", p.position),
        ("secrecy_level", p.secrecy_level),
        ("undertaking_signed", p.undertaking_signed),
        ("notes", p.notes),
    ])
}

fn place_fields(p: PlaceInput) -> HashMap<&'static str, String> {
    HashMap::from([
        ("name", p.name),
        ("kind", p.kind),
        ("department_id", dept_text(p.department_id)),
        ("location", p.location),
        ("level", p.level),
        ("custodian", p.custodian),
        ("devices", p.devices),
        ("notes", p.notes),
    ])
}

/// The ids a column's values are drawn from, with the i18n key of each one's word.
fn vocabulary(values: Values) -> Vec<(&'static str, &'static str)> {
    let same = |ids: &[&'static str]| ids.iter().map(|i| (*i, *i)).collect::<Vec<_>>();
    match values {
        Values::Zone => same(&REGISTER_ZONES),
        Values::Level => REGISTER_LEVELS
            .iter()
            .map(|l| {
                (
                    *l,
                    if *l == "internal" {
                        "level_internal"
                    } else {
                        l
                    },
                )
            })
            .collect(),
        Values::Status => same(&["in_use", "idle", "repair", "scrapped"]),
        Values::MediumKind => same(&MEDIUM_KINDS),
        Values::MediumState => baomi_store::MediumState::ALL
            .iter()
            .map(|s| (s.as_str(), s.as_str()))
            .collect(),
        Values::Secrecy => SECRECY_LEVELS
            .iter()
            .map(|l| {
                (
                    *l,
                    if *l == "none" {
                        "not_secret_related"
                    } else {
                        l
                    },
                )
            })
            .collect(),
        Values::PlaceKind => same(&PLACE_KINDS),
        Values::Devices => same(&PLACE_DEVICES),
        Values::Text | Values::Department | Values::Date => Vec::new(),
    }
}

/// Words offices write for a value beside ours.
fn synonyms(values: Values) -> &'static [(&'static str, &'static str)] {
    match values {
        Values::Zone => &[
            ("涉密网", "classified"),
            ("涉密内网", "classified"),
            ("涉密计算机", "classified"),
            ("涉密机", "classified"),
            ("非涉密内网", "internal"),
            ("工作网", "internal"),
            ("政务内网", "internal"),
            ("检察内网", "internal"),
            ("外网", "internet"),
            ("国际互联网", "internet"),
            ("互联网计算机", "internet"),
            ("上网机", "internet"),
        ],
        Values::Level => &[
            ("非密", "none"),
            ("非涉密", "none"),
            ("无", "none"),
            ("内部资料", "internal"),
            ("工作秘密", "internal"),
        ],
        Values::Status => &[
            ("使用", "in_use"),
            ("使用中", "in_use"),
            ("正常", "in_use"),
            ("停用", "idle"),
            ("备用", "idle"),
            ("维修中", "repair"),
            ("送修", "repair"),
            ("已报废", "scrapped"),
            ("淘汰", "scrapped"),
        ],
        Values::MediumKind => &[
            ("优盘", "usb_disk"),
            ("U盘", "usb_disk"),
            ("USB盘", "usb_disk"),
            ("闪存盘", "usb_disk"),
            ("硬盘", "portable_disk"),
            ("移动存储", "portable_disk"),
            ("光碟", "optical_disc"),
            ("CD", "optical_disc"),
            ("DVD", "optical_disc"),
            ("SD卡", "memory_card"),
            ("TF卡", "memory_card"),
            ("内存卡", "memory_card"),
        ],
        Values::Secrecy => &[
            ("核心涉密人员", "core"),
            ("重要涉密人员", "important"),
            ("一般涉密人员", "general"),
            ("非涉密", "none"),
            ("无", "none"),
        ],
        Values::PlaceKind => &[
            ("保密室", "confidential_room"),
            ("涉密场所", "confidential_room"),
            ("保密要害部位", "confidential_room"),
            ("涉密机房", "computer_room"),
            ("中心机房", "computer_room"),
            ("档案库", "archive_room"),
            ("档案库房", "archive_room"),
        ],
        Values::Devices => &[
            ("监控", "monitoring"),
            ("视频监控系统", "monitoring"),
            ("摄像头", "monitoring"),
            ("防盗门", "anti_theft"),
            ("防盗窗", "anti_theft"),
            ("报警", "alarm"),
            ("报警器", "alarm"),
            ("红外报警", "alarm"),
            ("门禁系统", "access_control"),
        ],
        _ => &[],
    }
}

/// A stored value as the reader should see it.
fn show(values: Values, lang: Lang, raw: &str, departments: &HashMap<i64, String>) -> String {
    match values {
        Values::Text | Values::Date => raw.to_owned(),
        Values::Department => raw
            .parse::<i64>()
            .ok()
            .and_then(|id| departments.get(&id).cloned())
            .unwrap_or_default(),
        Values::Level => level_word(lang, raw).to_owned(),
        Values::Devices => raw
            .split(',')
            .filter(|d| !d.is_empty())
            .map(|d| word_of(values, lang, d))
            .collect::<Vec<_>>()
            .join("、"),
        _ => word_of(values, lang, raw),
    }
}

fn word_of(values: Values, lang: Lang, id: &str) -> String {
    vocabulary(values)
        .into_iter()
        .find(|(i, _)| *i == id)
        .map_or_else(|| id.to_owned(), |(_, key)| lang.t(key).to_owned())
}

/// Header and value text compared loosely: case, spaces and marks such as `*` or `：` do not count.
fn loose(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '＊' | ':' | '：' | '(' | ')'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// A typed-in value to the id it means.
fn read_choice(values: Values, raw: &str) -> Option<&'static str> {
    let want = loose(raw);
    for (id, key) in vocabulary(values) {
        if loose(id) == want || loose(Lang::Zh.t(key)) == want || loose(Lang::En.t(key)) == want {
            return Some(id);
        }
    }
    synonyms(values)
        .iter()
        .find(|(word, _)| loose(word) == want)
        .map(|(_, id)| *id)
}

/// YYYY-MM-DD from the ways dates get typed: 2024-3-5, 2024/03/05, 2024.3.5, 2024年3月5日.
fn read_date(raw: &str) -> Option<String> {
    let parts: Vec<&str> = raw
        .trim_end_matches('日')
        .split(['-', '/', '.', '年', '月'])
        .collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let (y, m, d): (u32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    ((1900..=2999).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

// ---- import ----

/// The file, read against a register: its rows as field → value, with what could not be read.
#[derive(Debug, Default)]
struct Parsed {
    /// (row number, field → value); `department_id` holds the department's id as text.
    rows: Vec<(usize, HashMap<&'static str, String>)>,
    /// Importable fields the file has no column for: what is registered is kept.
    absent: Vec<&'static str>,
    /// Headers matched to no field.
    ignored: Vec<String>,
    problems: Vec<(usize, String)>,
}

fn parse(
    reg: Register,
    sheet: &sheets::Sheet,
    departments: &[Department],
) -> Result<Parsed, String> {
    let columns = reg.columns();
    let matches = |header: &str| -> Option<usize> {
        let h = loose(uncell(header));
        if h.is_empty() {
            return None;
        }
        columns.iter().position(|c| {
            loose(c.field) == h
                || loose(Lang::Zh.t(c.word)) == h
                || loose(Lang::En.t(c.word)) == h
                || c.aliases.iter().any(|a| loose(a) == h)
        })
    };
    let key = &columns[0];
    let header_at = sheet
        .rows
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .position(|(_, cells)| {
            let found: Vec<usize> = cells.iter().filter_map(|c| matches(c)).collect();
            found.contains(&0) && found.len() >= 2
        })
        .ok_or_else(|| {
            format!(
                "no header row found in the first {HEADER_SEARCH_ROWS} rows: it needs a column {} ({}) and the others named as in an export",
                Lang::Zh.t(key.word),
                key.field
            )
        })?;
    let (_, header) = &sheet.rows[header_at];
    let mut at: Vec<Option<usize>> = Vec::with_capacity(header.len());
    let mut parsed = Parsed::default();
    let mut seen = vec![false; columns.len()];
    for h in header {
        match matches(h) {
            Some(i) if !seen[i] => {
                seen[i] = true;
                at.push(Some(i));
            }
            _ => {
                if !h.is_empty() {
                    parsed.ignored.push(h.clone());
                }
                at.push(None);
            }
        }
    }
    let missing: Vec<String> = columns
        .iter()
        .zip(&seen)
        .filter(|(c, seen)| c.required && !**seen)
        .map(|(c, _)| format!("{} ({})", Lang::Zh.t(c.word), c.field))
        .collect();
    if !missing.is_empty() {
        return Err(format!("the file has no column for {}", missing.join(", ")));
    }
    parsed.absent = columns
        .iter()
        .zip(&seen)
        .filter(|(c, seen)| c.imported && !**seen)
        .map(|(c, _)| c.field)
        .collect();
    let by_name = department_names(departments);
    for (number, cells) in &sheet.rows[header_at + 1..] {
        let mut fields = HashMap::new();
        let mut any = false;
        for (raw, column) in cells.iter().zip(&at) {
            let Some(c) = column.map(|i| &columns[i]) else {
                continue;
            };
            let raw = uncell(raw).trim();
            if raw.is_empty() || !c.imported {
                continue;
            }
            any = true;
            match read_value(c, raw, &by_name) {
                Ok(v) => {
                    fields.insert(c.field, v);
                }
                Err(m) => parsed.problems.push((*number, m)),
            }
        }
        if any {
            parsed.rows.push((*number, fields));
        }
    }
    Ok(parsed)
}

/// Department names to ids; a name two departments share maps to `None` (ambiguous).
fn department_names(departments: &[Department]) -> HashMap<String, Option<i64>> {
    let mut map: HashMap<String, Option<i64>> = HashMap::new();
    for d in departments {
        map.entry(loose(&d.name))
            .and_modify(|e| *e = None)
            .or_insert(Some(d.id));
    }
    map
}

fn read_value(
    c: &Column,
    raw: &str,
    departments: &HashMap<String, Option<i64>>,
) -> Result<String, String> {
    let header = Lang::Zh.t(c.word);
    match c.values {
        Values::Text => Ok(raw.to_owned()),
        Values::Date => {
            read_date(raw).ok_or_else(|| format!("{header}: {raw:?} is not a date (YYYY-MM-DD)"))
        }
        Values::Department => match departments.get(&loose(raw)) {
            Some(Some(id)) => Ok(id.to_string()),
            Some(None) => Err(format!(
                "{header}: two departments are named {raw:?}; rename one first"
            )),
            None => Err(format!(
                "{header}: no department is named {raw:?}; create it first"
            )),
        },
        Values::Devices => {
            let mut ids = Vec::new();
            for d in raw
                .split([',', '，', '、', ';', '；', '/'])
                .map(str::trim)
                .filter(|d| !d.is_empty())
            {
                ids.push(
                    read_choice(c.values, d)
                        .ok_or_else(|| format!("{header}: unknown device {d:?}"))?,
                );
            }
            Ok(ids.join(","))
        }
        values => read_choice(values, raw).map(str::to_owned).ok_or_else(|| {
            let known: Vec<&str> = vocabulary(values)
                .into_iter()
                .map(|(_, key)| Lang::Zh.t(key))
                .collect();
            format!("{header}: unknown value {raw:?} ({})", known.join("、"))
        }),
    }
}

/// The fields as the store's input; `department_id` from its text.
fn text(f: &HashMap<&'static str, String>, field: &str) -> String {
    f.get(field).cloned().unwrap_or_default()
}

fn department(f: &HashMap<&'static str, String>) -> Option<i64> {
    f.get("department_id").and_then(|d| d.parse().ok())
}

async fn store_rows(
    st: &AppState,
    v: &Viewer,
    reg: Register,
    parsed: Parsed,
) -> Result<ImportSummary, baomi_store::Error> {
    let absent = &parsed.absent;
    let store = &st.store;
    let actor = &v.actor;
    match reg {
        Register::Computers => {
            let rows = parsed
                .rows
                .into_iter()
                .map(|(n, f)| {
                    let status = f.get("status").cloned().unwrap_or_else(|| "in_use".into());
                    let input = ComputerInput {
                        asset_no: text(&f, "asset_no"),
                        name: text(&f, "name"),
                        model: text(&f, "model"),
                        department_id: department(&f),
                        custodian: text(&f, "custodian"),
                        location: text(&f, "location"),
                        zone: text(&f, "zone"),
                        level: text(&f, "level"),
                        status,
                        macs: text(&f, "macs"),
                        machine_id: text(&f, "machine_id"),
                        notes: text(&f, "notes"),
                    };
                    (n, input)
                })
                .collect();
            store.import_computers(actor, rows, absent).await
        }
        Register::Media => {
            let rows = parsed
                .rows
                .into_iter()
                .map(|(n, f)| {
                    let input = MediumInput {
                        number: text(&f, "number"),
                        kind: text(&f, "kind"),
                        brand_model: text(&f, "brand_model"),
                        vid: text(&f, "vid"),
                        pid: text(&f, "pid"),
                        serial: text(&f, "serial"),
                        level: text(&f, "level"),
                        department_id: department(&f),
                        custodian: text(&f, "custodian"),
                        notes: text(&f, "notes"),
                    };
                    (n, input)
                })
                .collect();
            store.import_media(actor, rows, absent).await
        }
        Register::People => {
            let rows = parsed
                .rows
                .into_iter()
                .map(|(n, f)| {
                    let input = PersonInput {
                        name: text(&f, "name"),
                        department_id: department(&f),
                        position: text(&f, "position"),
                        secrecy_level: text(&f, "secrecy_level"),
                        undertaking_signed: text(&f, "undertaking_signed"),
                        notes: text(&f, "notes"),
                    };
                    (n, input)
                })
                .collect();
            store.import_people(actor, rows, absent).await
        }
        Register::Places => {
            let rows = parsed
                .rows
                .into_iter()
                .map(|(n, f)| {
                    let input = PlaceInput {
                        name: text(&f, "name"),
                        kind: text(&f, "kind"),
                        department_id: department(&f),
                        location: text(&f, "location"),
                        level: text(&f, "level"),
                        custodian: text(&f, "custodian"),
                        devices: text(&f, "devices"),
                        notes: text(&f, "notes"),
                    };
                    (n, input)
                })
                .collect();
            store.import_places(actor, rows, absent).await
        }
    }
}

/// What an import did or why it did nothing, for the page and the API.
#[derive(Debug)]
pub(crate) enum Outcome {
    Stored {
        summary: ImportSummary,
        ignored: Vec<String>,
    },
    /// The file cannot be read at all.
    Unreadable(String),
    /// Rows that break the rules; nothing was stored.
    Refused(Vec<(usize, String)>),
}

/// Read `bytes` as a register file and import it.
pub(crate) async fn import_file(
    st: &AppState,
    v: &Viewer,
    reg: Register,
    bytes: Vec<u8>,
) -> Result<Outcome, Fail> {
    // Reading a workbook is CPU work: off the async threads.
    let sheet = tokio::task::spawn_blocking(move || sheets::read(&bytes))
        .await
        .map_err(|e| Fail::Internal(format!("reading an upload: {e}")))?;
    let sheet = match sheet {
        Ok(s) => s,
        Err(m) => return Ok(Outcome::Unreadable(m)),
    };
    let departments = st.store.departments().await?;
    let parsed = match parse(reg, &sheet, &departments) {
        Ok(p) => p,
        Err(m) => return Ok(Outcome::Unreadable(m)),
    };
    if !parsed.problems.is_empty() {
        return Ok(Outcome::Refused(parsed.problems));
    }
    if parsed.rows.is_empty() {
        return Ok(Outcome::Unreadable(
            "the file has a header but no rows".into(),
        ));
    }
    let ignored = parsed.ignored.clone();
    match store_rows(st, v, reg, parsed).await {
        Ok(summary) => Ok(Outcome::Stored { summary, ignored }),
        Err(baomi_store::Error::Rows(rows)) => Ok(Outcome::Refused(
            rows.into_iter().map(|p| (p.row, p.message)).collect(),
        )),
        Err(baomi_store::Error::Invalid(m)) => Ok(Outcome::Unreadable(m)),
        Err(e) => Err(e.into()),
    }
}

async fn import_form(v: Viewer, reg: Register) -> Result<Response, PageFail> {
    v.must(reg.edit())?;
    Ok(import_page(&v, reg, None, StatusCode::OK))
}

fn import_page(
    v: &Viewer,
    reg: Register,
    outcome: Option<&Outcome>,
    status: StatusCode,
) -> Response {
    let t = |k| v.lang.t(k);
    let slug = reg.slug();
    let headers: Vec<&str> = reg
        .columns()
        .iter()
        .filter(|c| c.imported)
        .map(|c| t(c.word))
        .collect();
    let body = html! {
        @match outcome {
            Some(Outcome::Stored { summary, ignored }) => {
                p class="msg" id="import-result" {
                    (done_message(v.lang, summary))
                }
                @if !ignored.is_empty() {
                    p { (t("ignored_columns")) ": " (ignored.join("、")) }
                }
                p { a href={"/" (slug)} { (t("back_to_register")) } }
            }
            Some(Outcome::Unreadable(m)) => { p class="msg err" id="import-result" { (m) } }
            Some(Outcome::Refused(rows)) => {
                p class="msg err" id="import-result" { (refused_message(v.lang, rows.len())) }
                table {
                    tr { th { (t("row")) } th { (t("problem")) } }
                    @for (row, m) in rows.iter().take(200) { tr { td { (row) } td { (m) } } }
                }
            }
            None => {}
        }
        p { (t("import_register_help")) }
        p { (t("columns")) ": " (headers.join("、")) }
        p { a href={"/" (slug) ".xlsx"} { (t("export_xlsx")) } " — " (t("template_hint")) }
        form method="post" action={"/" (slug) "/import"} enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(v.csrf.as_deref().unwrap_or(""));
            label { (t("register_file")) br;
                input type="file" name="file" accept=".xlsx,.xls,.et,.csv,.txt" required; }
            button type="submit" { (t("upload")) }
        }
    };
    (status, page(v.lang, Some(v), t("import_register"), body)).into_response()
}

fn done_message(lang: Lang, s: &ImportSummary) -> String {
    match lang {
        Lang::Zh => format!(
            "导入完成：新增 {} 条，更新 {} 条，未变 {} 条",
            s.created, s.updated, s.unchanged
        ),
        Lang::En => format!(
            "Imported: {} new, {} updated, {} unchanged",
            s.created, s.updated, s.unchanged
        ),
    }
}

fn refused_message(lang: Lang, n: usize) -> String {
    match lang {
        Lang::Zh => format!("有 {n} 行无法导入，整个文件未保存。请改正后重新上传："),
        Lang::En => format!(
            "{n} rows cannot be imported; nothing of the file was stored. Fix them and upload again:"
        ),
    }
}

async fn import_upload(
    State(st): State<AppState>,
    v: Viewer,
    form: Multipart,
    reg: Register,
) -> Result<Response, PageFail> {
    v.must(reg.edit())?;
    let (csrf, body) = crate::form_upload(form, "file").await?;
    v.check_csrf(csrf.as_deref())?;
    let body = body.ok_or_else(|| Fail::Bad("no file was sent".into()))?;
    let outcome = import_file(&st, &v, reg, body.to_vec()).await?;
    let status = match outcome {
        Outcome::Stored { .. } => StatusCode::OK,
        _ => StatusCode::BAD_REQUEST,
    };
    Ok(import_page(&v, reg, Some(&outcome), status))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(rows: &[&[&str]]) -> sheets::Sheet {
        sheets::Sheet {
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| (i + 1, r.iter().map(|c| (*c).to_owned()).collect()))
                .collect(),
        }
    }

    #[test]
    fn an_office_sheet_with_a_title_row_and_its_own_words() {
        let depts = vec![Department {
            id: 7,
            name: "第一检察部".into(),
            parent_id: None,
        }];
        let s = sheet(&[
            &["2026年涉密计算机台账"],
            &[
                "序号",
                "固定资产编号",
                "计算机名称",
                "使用部门",
                "使用人",
                "类别",
                "密级*",
            ],
            &[
                "1",
                "JC-001",
                "一部涉密机",
                "第一检察部",
                "张三",
                "涉密网",
                "机密",
            ],
            &["2", "JC-002", "上网机", "", "李四", "外网", "非密"],
            &["", "", "", "", "", "", ""],
        ]);
        let p = parse(Register::Computers, &s, &depts).unwrap();
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.ignored, vec!["序号".to_owned()]);
        assert_eq!(p.rows.len(), 2);
        let (n, f) = &p.rows[0];
        assert_eq!(*n, 3);
        assert_eq!(f["asset_no"], "JC-001");
        assert_eq!(f["department_id"], "7");
        assert_eq!(f["zone"], "classified");
        assert_eq!(f["level"], "secret");
        assert_eq!(p.rows[1].1["zone"], "internet");
        assert_eq!(p.rows[1].1["level"], "none");
        assert!(p.absent.contains(&"macs") && p.absent.contains(&"status"));
    }

    #[test]
    fn bad_values_are_named_by_row() {
        let s = sheet(&[
            &["载体编号", "类型", "密级", "部门"],
            &["U-1", "U盘", "绝密", ""],
            &["U-2", "软盘", "秘密", "不存在的部门"],
        ]);
        let p = parse(Register::Media, &s, &[]).unwrap();
        assert_eq!(p.problems.len(), 2);
        assert!(p.problems.iter().all(|(row, _)| *row == 3));
        assert_eq!(p.rows[0].1["kind"], "usb_disk");
        assert_eq!(p.rows[0].1["level"], "top_secret");
    }

    #[test]
    fn a_sheet_without_the_key_column_is_refused() {
        let s = sheet(&[&["名称", "型号"], &["a", "b"]]);
        assert!(parse(Register::Computers, &s, &[]).is_err());
    }

    #[test]
    fn dates_and_devices_as_typed() {
        assert_eq!(read_date("2024/3/5").as_deref(), Some("2024-03-05"));
        assert_eq!(read_date("2024年3月5日").as_deref(), Some("2024-03-05"));
        assert_eq!(read_date("2024-13-01"), None);
        let c = &PLACE_COLUMNS[6];
        assert_eq!(
            read_value(c, "门禁、视频监控，报警器", &HashMap::new()).unwrap(),
            "access_control,monitoring,alarm"
        );
    }
}
