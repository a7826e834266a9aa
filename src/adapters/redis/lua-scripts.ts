/**
 * The Redis side of the store: each operation that must read and write atomically is one
 * Lua script. Times come from the gateway's clock (ARGV), so expiry follows the same clock
 * as the memory store; PEXPIRE only collects garbage.
 */

/**
 * One session's touch, shared by the single and the batch script: a session idle longer than
 * idleMs is deleted; a live one gets `now` (ARGV[1], kept as given) as its last-seen time and a
 * fresh PEXPIRE. Whether it lives.
 */
const touchOne = `
local function touch(key, now, idle, ttl)
  local seen = redis.call('HGET', key, 's')
  if not seen then return false end
  if tonumber(now) - tonumber(seen) > idle then
    redis.call('DEL', key)
    return false
  end
  redis.call('HSET', key, 's', now)
  redis.call('PEXPIRE', key, ttl)
  return true
end
`;

/** KEYS[1] session; ARGV now, idleMs, ttlMs → the session JSON or false. */
export const touchSessionLua = `${touchOne}
if not touch(KEYS[1], ARGV[1], tonumber(ARGV[2]), ARGV[3]) then return false end
return redis.call('HGET', KEYS[1], 'd')`;

/**
 * KEYS sessions; ARGV now, idleMs, ttlMs → per key, 1 where touchSessionLua would have found and
 * touched it, else 0. Without the data: it never changes once written.
 */
export const touchSessionsLua = `${touchOne}
local idle = tonumber(ARGV[2])
local out = {}
for i, key in ipairs(KEYS) do
  out[i] = touch(key, ARGV[1], idle, ARGV[3]) and 1 or 0
end
return out`;

/** KEYS[1] session, KEYS[2] user index; ARGV json, now, ttlMs, indexTtlMs, revision. */
export const createSessionLua = `
redis.call('HSET', KEYS[1], 'd', ARGV[1], 's', ARGV[2], 'r', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('SADD', KEYS[2], KEYS[1])
local want = math.max(tonumber(ARGV[3]), tonumber(ARGV[4]))
local ttl = redis.call('PTTL', KEYS[2])
if ttl < want then redis.call('PEXPIRE', KEYS[2], want) end
return 1`;

/**
 * KEYS[1] user index; ARGV[1] a revision, or none → how many sessions it deleted: those whose
 * revision (field r, 0 when absent) is below ARGV[1], or all. The index goes once it names none.
 */
export const deleteUserSessionsLua = `
local below = tonumber(ARGV[1])
local n = 0
for _, key in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if not below or (tonumber(redis.call('HGET', key, 'r')) or 0) < below then
    n = n + redis.call('DEL', key)
    redis.call('SREM', KEYS[1], key)
  elseif redis.call('EXISTS', key) == 0 then
    redis.call('SREM', KEYS[1], key)
  end
end
if redis.call('SCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[1]) end
return n`;

/** KEYS[1] counter; ARGV now, windowMs → the new count. */
export const hitLua = `
local c = redis.call('HMGET', KEYS[1], 'n', 'e')
local now = tonumber(ARGV[1])
if c[1] and tonumber(c[2]) > now then return redis.call('HINCRBY', KEYS[1], 'n', 1) end
redis.call('HSET', KEYS[1], 'n', 1, 'e', now + tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/** KEYS[1] value; ARGV value, now, ttlMs → 1 when stored. */
export const putIfAbsentLua = `
local e = redis.call('HGET', KEYS[1], 'e')
if e and tonumber(e) > tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'e', tonumber(ARGV[2]) + tonumber(ARGV[3]))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

/** KEYS[1] value; ARGV now → the value or false; always deletes. */
export const takeLua = `
local v = redis.call('HMGET', KEYS[1], 'v', 'e')
redis.call('DEL', KEYS[1])
if not v[1] or tonumber(v[2]) <= tonumber(ARGV[1]) then return false end
return v[1]`;

/** KEYS[1] challenge; ARGV answerHash, now → {outcome, attemptsLeft}. */
export const attemptChallengeLua = `
local c = redis.call('HMGET', KEYS[1], 'h', 'l', 'e')
if not c[1] or tonumber(c[3]) <= tonumber(ARGV[2]) then
  redis.call('DEL', KEYS[1])
  return {'dead', 0}
end
-- Compare digests of the two hashes, so the comparison's timing says nothing about the stored value.
if redis.sha1hex(c[1]) == redis.sha1hex(ARGV[1]) then
  redis.call('DEL', KEYS[1])
  return {'ok', tonumber(c[2])}
end
local left = redis.call('HINCRBY', KEYS[1], 'l', -1)
if left <= 0 then
  redis.call('DEL', KEYS[1])
  return {'dead', 0}
end
return {'wrong', left}`;

/**
 * KEYS[1] set (a hash: field `e` is the expiry, each member a field `m:<member>`); ARGV now,
 * ttlMs, members… A set past its expiry starts empty; the expiry moves for the whole set.
 */
export const addToSetLua = `
local now = tonumber(ARGV[1])
local e = redis.call('HGET', KEYS[1], 'e')
if e and tonumber(e) <= now then redis.call('DEL', KEYS[1]) end
for i = 3, #ARGV do redis.call('HSET', KEYS[1], 'm:' .. ARGV[i], 1) end
redis.call('HSET', KEYS[1], 'e', now + tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;
