-- The register of key places (要害部门部位): confidential rooms, computer rooms, archive rooms, with
-- their level, custodian and security devices. Their inspections come with campaigns.
CREATE TABLE places (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    department_id BIGINT REFERENCES departments(id),
    location TEXT NOT NULL DEFAULT '',
    level TEXT NOT NULL,
    custodian TEXT NOT NULL DEFAULT '',
    devices TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX places_by_department ON places (department_id);
