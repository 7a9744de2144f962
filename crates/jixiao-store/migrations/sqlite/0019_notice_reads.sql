-- How far each account has read and been mailed its notifications (通知): the audit log's
-- sequence number of the newest entry seen on the notifications page and of the newest entry
-- sent in an e-mail digest. Notifications themselves are read from the audit log.
CREATE TABLE notice_reads (
    user_id TEXT PRIMARY KEY,
    seen_seq BIGINT NOT NULL DEFAULT 0,
    mailed_seq BIGINT NOT NULL DEFAULT 0
);
