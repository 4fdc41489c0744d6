-- The first schema of the office's store: the same tables as ../postgres/0001_init.sql, only the
-- auto-increment key is written each backend's way. Times the server sets are Unix seconds (BIGINT);
-- times copied from reports stay RFC 3339 text, as the report gives them.

CREATE TABLE departments (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    parent_id BIGINT REFERENCES departments(id),
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    department_id BIGINT REFERENCES departments(id),
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users(id),
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE login_failures (
    username TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_by_name ON login_failures (username, at);

CREATE TABLE computers (
    id INTEGER PRIMARY KEY,
    asset_no TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    model TEXT NOT NULL DEFAULT '',
    department_id BIGINT REFERENCES departments(id),
    custodian TEXT NOT NULL DEFAULT '',
    location TEXT NOT NULL DEFAULT '',
    zone TEXT NOT NULL,
    level TEXT NOT NULL,
    status TEXT NOT NULL,
    macs TEXT NOT NULL DEFAULT '',
    machine_id TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX computers_by_department ON computers (department_id);
CREATE INDEX computers_by_machine_id ON computers (machine_id);

CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    report_id TEXT NOT NULL UNIQUE,
    computer_id BIGINT REFERENCES computers(id),
    hostname TEXT NOT NULL,
    machine_id TEXT NOT NULL,
    zone TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    findings BIGINT NOT NULL,
    unscanned BIGINT NOT NULL,
    imported_at BIGINT NOT NULL,
    imported_by TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX reports_by_computer ON reports (computer_id, id);

CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    report_row BIGINT NOT NULL REFERENCES reports(id),
    computer_id BIGINT REFERENCES computers(id),
    finding_id TEXT NOT NULL,
    check_id TEXT NOT NULL,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    level TEXT NOT NULL,
    path TEXT NOT NULL,
    title TEXT NOT NULL,
    excerpt TEXT NOT NULL,
    matched TEXT NOT NULL,
    why TEXT NOT NULL,
    evidence TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    seen_at BIGINT NOT NULL
);
CREATE INDEX findings_by_report ON findings (report_row);
CREATE INDEX findings_by_computer ON findings (computer_id, id);
CREATE INDEX findings_by_rule ON findings (rule, id);
CREATE INDEX findings_by_severity ON findings (severity, id);

CREATE TABLE usb_seen (
    id INTEGER PRIMARY KEY,
    report_row BIGINT NOT NULL REFERENCES reports(id),
    computer_id BIGINT REFERENCES computers(id),
    vid TEXT NOT NULL,
    pid TEXT NOT NULL,
    serial TEXT NOT NULL,
    product TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    connections BIGINT NOT NULL
);
CREATE INDEX usb_seen_by_device ON usb_seen (vid, pid, serial);
CREATE INDEX usb_seen_by_computer ON usb_seen (computer_id);

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

-- The chain's head, one row: every append locks it, so entries are numbered without gaps even
-- under concurrent writers, and a deleted last entry shows as a head that points past the log.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');
