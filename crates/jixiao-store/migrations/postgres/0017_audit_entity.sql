-- A value's history (every save, submission, return with its reason, approval, reopening) is
-- read from the audit log by the value's entity, on its card and task page: found by index, not
-- by reading the whole log.
CREATE INDEX audit_log_entity ON audit_log (entity, seq);
