-- What the server sees across computers (issue 6): one row per rule and subject (a USB device, by
-- VID:PID:serial), recomputed whole for that subject whenever something about it changes, so that
-- the result depends only on what is stored and never on the order reports arrived in.
CREATE TABLE correlations (
    id INTEGER PRIMARY KEY,
    rule TEXT NOT NULL,
    subject TEXT NOT NULL,
    severity TEXT NOT NULL,
    detail TEXT NOT NULL,
    first_at BIGINT,
    last_at BIGINT,
    computed_at BIGINT NOT NULL,
    UNIQUE (rule, subject)
);
CREATE INDEX correlations_by_subject ON correlations (subject);
-- The computers a correlation involves, for a computer's page and a department head's view.
CREATE TABLE correlation_computers (
    correlation_id BIGINT NOT NULL REFERENCES correlations(id),
    computer_id BIGINT NOT NULL,
    department_id BIGINT
);
CREATE INDEX correlation_computers_by_correlation ON correlation_computers (correlation_id);
CREATE INDEX correlation_computers_by_computer ON correlation_computers (computer_id);
CREATE INDEX correlation_computers_by_department ON correlation_computers (department_id);
-- One row per subject ever correlated: its lock serializes two imports recomputing the same device.
CREATE TABLE correlation_subjects (
    subject TEXT PRIMARY KEY
);
