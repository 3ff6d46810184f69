-- The id of each partner's latest rating, kept on the partner's row so that a rating saves
-- with one versioned UPDATE of that row (the Rate form's version), never a read then a write.

ALTER TABLE partners ADD COLUMN rating_id INTEGER NOT NULL DEFAULT 0;

UPDATE partners
   SET rating_id = (SELECT MAX(r.id) FROM ratings r
                     WHERE r.team_id = partners.team_id AND r.partner_id = partners.id)
 WHERE EXISTS (SELECT 1 FROM ratings r
                WHERE r.team_id = partners.team_id AND r.partner_id = partners.id);
