-- A computer's zone over time (issue 6): a computer moved to a lower zone (classified → Internet,
-- internal → Internet) may still hold files of its former level, and a report is judged by the zone
-- the computer was in when it was taken. Written by every change of a computer's zone; the changes
-- made before this table existed are recovered from the audit log.
CREATE TABLE computer_zone_changes (
    id INTEGER PRIMARY KEY,
    computer_id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    from_zone TEXT NOT NULL,
    to_zone TEXT NOT NULL
);
CREATE INDEX computer_zone_changes_by_computer ON computer_zone_changes (computer_id, at);
INSERT INTO computer_zone_changes (computer_id, at, from_zone, to_zone)
SELECT CAST(substr(object, 10) AS INTEGER), at,
       json_extract(detail, '$.old.zone'), json_extract(detail, '$.new.zone')
FROM audit_log
WHERE action = 'computer.update'
  AND json_extract(detail, '$.old.zone') IS NOT NULL
  AND json_extract(detail, '$.old.zone') <> json_extract(detail, '$.new.zone')
ORDER BY seq;
