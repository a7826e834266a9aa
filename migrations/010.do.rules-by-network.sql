-- Rules by client network (`from=<network>` in a rule's options): a rule is now named by its
-- host, prefix and network. Every stored rule is for every client (''), as its line says, so
-- existing rows keep their meaning unchanged.
ALTER TABLE access_rules ADD COLUMN network text NOT NULL DEFAULT '';
ALTER TABLE access_rules DROP CONSTRAINT access_rules_pkey;
ALTER TABLE access_rules ADD PRIMARY KEY (host, prefix, network);
ALTER TABLE access_rule_history ADD COLUMN network text NOT NULL DEFAULT '';
