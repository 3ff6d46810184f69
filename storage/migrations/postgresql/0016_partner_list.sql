-- `/partner list` without a status (archived partners left out) and by category: the page
-- read in name order and its total counted from the index alone (storage/tx/registry_list.py).

CREATE INDEX partners_listed ON partners (team_id, name_key) WHERE status <> 'archived';

CREATE INDEX partners_listed_category
    ON partners (team_id, category, name_key) WHERE status <> 'archived';
