-- Ends every session of a user but one (optional), and forgets the user's known devices but one
-- (optional). Idempotent.
-- Keys and fields as named in store.RedisSchema.
-- KEYS: user, index (where versions before kept it), revoked, ends, clients, devices (where versions before kept them)
-- ARGV: now, forget ms, session id to keep ('' for none), session key prefix, end reason code,
--       device id to keep ('' for none)
-- Answers the number of sessions ended, or -1 (no such user).
if redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
local now, forget = tonumber(ARGV[1]), tonumber(ARGV[2])
local index = session_index(KEYS[1], KEYS[2], now - forget)
local count = revoke_all(KEYS[1], index, KEYS[3], KEYS[4], KEYS[5], ARGV[4], ARGV[3], ARGV[5], now, forget)
forget_devices(KEYS[1], KEYS[6], ARGV[6] or '', tonumber(ARGV[1]))
return count
