-- The removable-media register (涉密载体台账): each medium and every step of its life. A medium's
-- state changes only by an event row written in the same transaction (who, when, why, and for a
-- loan the approver and due date), so the history is complete by construction.
CREATE TABLE media (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    brand_model TEXT NOT NULL DEFAULT '',
    vid TEXT NOT NULL DEFAULT '',
    pid TEXT NOT NULL DEFAULT '',
    serial TEXT NOT NULL DEFAULT '',
    level TEXT NOT NULL,
    department_id BIGINT REFERENCES departments(id),
    custodian TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX media_by_device ON media (vid, pid, serial);
CREATE INDEX media_by_department ON media (department_id);

CREATE TABLE media_events (
    id INTEGER PRIMARY KEY,
    medium_id BIGINT NOT NULL REFERENCES media(id),
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    reason TEXT NOT NULL,
    approver TEXT NOT NULL DEFAULT '',
    due_date TEXT NOT NULL DEFAULT ''
);
CREATE INDEX media_events_by_medium ON media_events (medium_id, id);
