-- Password attempts are reserved before the argon2 verify (core/password-login.ts): one UPDATE
-- numbers the attempt and counts it in failed_count as a failure until it proves otherwise, so
-- concurrent guesses on any number of gateways cannot run more verifications than
-- password.maxFailures allows. The numbers let a success clear only what it owns.
--
-- last_attempt:     the number of the user's latest attempt, refused ones included (1, 2, …).
-- count_cleared_at: the attempt number at which failed_count last started from nothing (a success
--                   with no attempt after it, a new window after a lockout, an admin's clear). An
--                   attempt numbered at or below it that fails afterwards adds itself to the count.

ALTER TABLE users
  ADD COLUMN last_attempt     bigint NOT NULL DEFAULT 0,
  ADD COLUMN count_cleared_at bigint NOT NULL DEFAULT 0;
