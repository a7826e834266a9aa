-- The admin console's audit filters: by event name or dotted prefix (lower-cased), and by
-- actor (the user filter matches rows about the user or done by them).
CREATE INDEX audit_events_event ON audit_events (lower(event) text_pattern_ops, id);
CREATE INDEX audit_events_actor ON audit_events (actor, id);
