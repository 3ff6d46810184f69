-- Reads of drills from outside the drill: a partner's cards (its latest drill and count), a
-- digest's drills opened or closed since the previous one, and a person's steps on Home.

CREATE INDEX failover_drills_partner ON failover_drills (team_id, partner_id, started_at);
CREATE INDEX failover_drills_closed ON failover_drills (team_id, closed_at);
CREATE INDEX failover_steps_owner ON failover_steps (team_id, owner, state);
