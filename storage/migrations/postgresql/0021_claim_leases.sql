-- A claim's latest take. claim and every retake set it; work taken by a process that died
-- before it finished (no done_at, no error, taken longer ago than its lease) can then be
-- taken again by another. Nullable, so a replica still on the older code can insert; the
-- queries read COALESCE(taken_at, claimed_at).

ALTER TABLE claims ADD COLUMN taken_at TIMESTAMPTZ;
UPDATE claims SET taken_at = claimed_at;
