-- Questionnaire reminders by e-mail (issue 12, item 7): the convener's coordinators choose
-- whether those who have not answered get one e-mail per period, and when (the existing
-- reminder weekday, at an hour in Europe/Stockholm). Off for questionnaires that exist already,
-- so nobody is mailed until a coordinator turns it on. Each person can opt out.
ALTER TABLE questionnaires ADD COLUMN reminder_email INTEGER NOT NULL DEFAULT 0;
ALTER TABLE questionnaires ADD COLUMN reminder_hour INTEGER NOT NULL DEFAULT 9 CHECK (reminder_hour BETWEEN 0 AND 23);
ALTER TABLE users ADD COLUMN questionnaire_reminder_opt_out INTEGER NOT NULL DEFAULT 0;

-- One row per person, forum and period that a reminder was written for: the primary key is what
-- makes a reminder go out once even when the job runs twice or on two workers at once.
CREATE TABLE questionnaire_reminder_sends (
    forum_id INTEGER NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
    week INTEGER NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    outbox_id INTEGER,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (forum_id, week, user_id)
);
