-- Ends one session. Idempotent.
-- Keys and fields as named in store.RedisSchema.
-- KEYS: user, index, revoked, ends, clients
-- ARGV: sid, now, forget ms, session key prefix, end reason code
-- Answers 1 (ended), 0 (nothing to end) or -1 (no such user).
if redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
local forget = tonumber(ARGV[3])
local count = end_session(ARGV[4], KEYS[2], KEYS[3], KEYS[4], ARGV[1], ARGV[5], tonumber(ARGV[2]), forget)
expire_after_top(KEYS[2], forget)
expire_after_top(KEYS[3], 0)
forget_unused_profiles(KEYS[5], KEYS[2], ARGV[4])
return count
