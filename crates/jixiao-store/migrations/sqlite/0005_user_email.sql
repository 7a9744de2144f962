-- Where reminders go (SQLite).
ALTER TABLE users ADD COLUMN email TEXT;
