-- What a claim is to post, when the work cannot be computed again later (an alert as it
-- was when the partner turned red, a drill's close summary as made at its close): JSON of
-- the message and the channels still owed it. A retake after a refusal or a crash posts
-- it from here. Nullable: most claims need none, and an older replica inserts without.

ALTER TABLE claims ADD COLUMN body TEXT;
-- The job that retakes such claims looks only at the unfinished ones, which are few.
CREATE INDEX claims_unfinished ON claims (kind) WHERE done_at IS NULL;
