-- Fit-score ratings (domain.md §2): every rating is kept, with who, when, the six
-- dimensions as they stood after it, the verified success cases, and the weights in force.

CREATE TABLE ratings (
    id         INTEGER PRIMARY KEY,
    team_id    TEXT    NOT NULL,
    partner_id INTEGER NOT NULL REFERENCES partners (id),
    actor      TEXT    NOT NULL,
    at         TEXT    NOT NULL,
    brand      REAL,
    users      REAL,
    channel    REAL,
    audience   REAL,
    traffic    REAL,
    tone       REAL,
    cases      INTEGER NOT NULL,
    weights    TEXT    NOT NULL
);
CREATE INDEX ratings_partner ON ratings (team_id, partner_id, id);
