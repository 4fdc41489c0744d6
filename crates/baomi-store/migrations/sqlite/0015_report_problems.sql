-- Each report's problems: its findings counted per rule and severity, without those marked false
-- positive. Scorecards, campaigns and the dashboard read these few rows per report instead of
-- grouping millions of findings on every request; imports and false-positive marks keep them current.
CREATE TABLE report_problems (
    report_row BIGINT NOT NULL,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    n BIGINT NOT NULL
);
CREATE INDEX report_problems_by_report ON report_problems (report_row);
INSERT INTO report_problems (report_row, rule, severity, n)
SELECT report_row, rule, severity, COUNT(*) FROM findings
WHERE status <> 'false_positive'
GROUP BY report_row, rule, severity;
