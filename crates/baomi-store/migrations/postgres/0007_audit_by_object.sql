-- A record's page lists its own changes from the audit log: looked up by object, newest first.
CREATE INDEX audit_log_by_object ON audit_log (object, seq);
