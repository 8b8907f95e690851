-- Questionnaire reminders by e-mail (issue 12, item 7): the convener's coordinators choose
-- whether those who have not answered get one e-mail per period, and when (the existing
-- reminder weekday, at an hour in Europe/Stockholm). Off for questionnaires that exist already,
-- so nobody is mailed until a coordinator turns it on. Each person can opt out.
ALTER TABLE questionnaires ADD COLUMN reminder_email BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE questionnaires ADD COLUMN reminder_hour BIGINT NOT NULL DEFAULT 9 CHECK (reminder_hour BETWEEN 0 AND 23);
ALTER TABLE users ADD COLUMN questionnaire_reminder_opt_out BOOLEAN NOT NULL DEFAULT FALSE;

-- One row per person, forum and period that a reminder was written for: the primary key is what
-- makes a reminder go out once even when the job runs twice or on two workers at once.
CREATE TABLE questionnaire_reminder_sends (
    forum_id BIGINT NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
    week BIGINT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    outbox_id BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (forum_id, week, user_id)
);
