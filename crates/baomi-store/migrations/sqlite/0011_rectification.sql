-- From findings to closure (issue 6). A finding is followed across inspections by its stable id
-- (rule, path, matched text) on its computer; so are a rectification task and a false-positive mark.

-- 整改: one task per finding on a computer; its life is in rectification_events.
CREATE TABLE rectifications (
    id INTEGER PRIMARY KEY,
    computer_id BIGINT NOT NULL,
    department_id BIGINT,
    finding_id TEXT NOT NULL,
    finding_row BIGINT NOT NULL,
    check_id TEXT NOT NULL,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    path TEXT NOT NULL,
    title TEXT NOT NULL,
    assignee TEXT NOT NULL,
    due_date TEXT NOT NULL,
    state TEXT NOT NULL,
    -- A newer report of the computer in which the finding is gone (its check ran): proposes "verified".
    gone_in_report BIGINT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (computer_id, finding_id)
);
CREATE INDEX rectifications_by_state ON rectifications (state, due_date);
CREATE INDEX rectifications_by_department ON rectifications (department_id, state);

CREATE TABLE rectification_events (
    id INTEGER PRIMARY KEY,
    rectification_id BIGINT NOT NULL REFERENCES rectifications(id),
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    comment TEXT NOT NULL,
    approver TEXT NOT NULL DEFAULT ''
);
CREATE INDEX rectification_events_by_task ON rectification_events (rectification_id, id);

-- Evidence of a fix (a photo of the removed card, a signed form), kept with its SM3 digest.
CREATE TABLE rectification_files (
    id INTEGER PRIMARY KEY,
    rectification_id BIGINT NOT NULL REFERENCES rectifications(id),
    event_id BIGINT NOT NULL REFERENCES rectification_events(id),
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sm3 TEXT NOT NULL,
    body BLOB NOT NULL
);
CREATE INDEX rectification_files_by_task ON rectification_files (rectification_id);

-- 误报: kept (never deleted; a withdrawal is recorded), and applied to every later report of the
-- computer, so the same evidence does not come back as new.
CREATE TABLE false_positives (
    id INTEGER PRIMARY KEY,
    computer_id BIGINT NOT NULL,
    finding_id TEXT NOT NULL,
    rule TEXT NOT NULL,
    path TEXT NOT NULL,
    reason TEXT NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL,
    withdrawn_at BIGINT,
    withdrawn_by TEXT NOT NULL DEFAULT '',
    withdrawn_reason TEXT NOT NULL DEFAULT '',
    UNIQUE (computer_id, finding_id)
);
