-- Inspection campaigns (issue 6): scope, window, inspectors and checklist (JSON, as entered), and
-- the results inspectors record on site for the manual items.
CREATE TABLE campaigns (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    starts TEXT NOT NULL,
    ends TEXT NOT NULL,
    scope TEXT NOT NULL,
    inspectors TEXT NOT NULL,
    checklist TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    closed_at BIGINT,
    closing_note TEXT NOT NULL
);
CREATE TABLE campaign_results (
    id INTEGER PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    item TEXT NOT NULL,
    target TEXT NOT NULL,
    result TEXT NOT NULL,
    note TEXT NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL,
    UNIQUE (campaign_id, item, target)
);

-- Which checks each report ran and how (ok, partial, error, skipped): a check that did not run says
-- nothing about its findings, for a campaign's checklist and for verifying a rectification.
CREATE TABLE report_checks (
    report_row BIGINT NOT NULL,
    check_id TEXT NOT NULL,
    status TEXT NOT NULL
);
CREATE INDEX report_checks_by_report ON report_checks (report_row);
INSERT INTO report_checks (report_row, check_id, status)
SELECT r.id, json_extract(k.value, '$.id'), json_extract(k.value, '$.status')
FROM reports r, json_each(r.body, '$.checks') k
WHERE json_valid(r.body);
