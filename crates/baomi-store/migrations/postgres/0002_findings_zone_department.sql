-- Findings carry the zone and department their computer had when the report was imported: the
-- findings list filters on them without joining the register for every row it walks, and a finding
-- keeps the zone it was found in when the computer is later moved to another.
ALTER TABLE findings ADD COLUMN department_id BIGINT;
ALTER TABLE findings ADD COLUMN zone TEXT NOT NULL DEFAULT '';
CREATE INDEX findings_by_department ON findings (department_id, id);
CREATE INDEX findings_by_zone ON findings (zone, id);
CREATE INDEX findings_by_level ON findings (level, id);
