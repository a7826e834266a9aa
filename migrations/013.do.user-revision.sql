-- What a user's sessions were proven against: a count raised in the same transaction as every
-- change that ends them (a lock, a new password, other groups, a group removed). A session records
-- the count it was proven at; each gateway, seeing the change in change_events, ends the user's
-- sessions recorded below the count now stored, so a login made after the change (with the new
-- password, after an unlock) is not ended by a gateway that sees the change a moment later.
-- Sessions from before this column recorded nothing and count as 0.
ALTER TABLE users ADD COLUMN revision bigint NOT NULL DEFAULT 0;
