-- The office's settings that are not registers (issue 6: the scorecard's weights), one JSON value per
-- key; every change is in the audit log with the old and the new value.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);
