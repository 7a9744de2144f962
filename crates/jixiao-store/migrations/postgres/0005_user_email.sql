-- Where reminders go (PostgreSQL).
ALTER TABLE users ADD COLUMN email TEXT;
