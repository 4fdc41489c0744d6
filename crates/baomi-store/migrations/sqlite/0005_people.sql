-- The register of people: department, position, secret-related level (涉密人员类别: 核心 / 重要 /
-- 一般, or none) and the date the confidentiality undertaking (保密承诺书) was signed.
CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    department_id BIGINT REFERENCES departments(id),
    position TEXT NOT NULL DEFAULT '',
    secrecy_level TEXT NOT NULL,
    undertaking_signed TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX people_by_department ON people (department_id);
