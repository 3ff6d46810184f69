-- name: owned_partners
-- The partners one person owns, for their Home tab; archived ones are hidden, as in lists.
SELECT * FROM partners
 WHERE team_id = :team_id AND owner = :owner AND status <> 'archived'
 ORDER BY name_key;

-- name: owned_backups
-- The backups of those partners with their status, so a backup that has left is no backup.
SELECT b.partner_id, bp.name, bp.status FROM partner_backups b
  JOIN partners p ON p.id = b.partner_id AND p.team_id = b.team_id
  JOIN partners bp ON bp.id = b.backup_id AND bp.team_id = b.team_id
 WHERE b.team_id = :team_id AND p.owner = :owner AND p.status <> 'archived'
 ORDER BY b.partner_id, b.position;

-- name: owned_window
-- The metrics window the health rules read (as pool_window), for one owner's partners only.
SELECT m.partner_id, m.period, m.period_kind, m.period_start, m.period_end, m.metric, m.value
  FROM metrics m JOIN partners p ON p.id = m.partner_id AND p.team_id = m.team_id
 WHERE m.team_id = :team_id AND p.owner = :owner
   AND m.period_start >= :since
   AND m.metric IN ('rue', 'roi', 'sentiment', 'gmv', 'traffic')
   AND p.status <> 'archived';
