-- Confidentiality training (issue 6): sessions and who attended; a secret-related person without a
-- session in the last 12 months is flagged.
CREATE TABLE trainings (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    held_on TEXT NOT NULL,
    hours TEXT NOT NULL,
    trainer TEXT NOT NULL,
    notes TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX trainings_by_date ON trainings (held_on);
CREATE TABLE training_attendance (
    training_id BIGINT NOT NULL REFERENCES trainings(id),
    person_id BIGINT NOT NULL REFERENCES people(id),
    UNIQUE (training_id, person_id)
);
CREATE INDEX training_attendance_by_person ON training_attendance (person_id);
