-- Ends one session. Idempotent.
-- Keys and fields as named in store.RedisSchema.
-- KEYS: user, index (where versions before kept it), revoked, ends, clients
-- ARGV: sid, now, forget ms, session key prefix, end reason code, recent ms
-- Answers 1 (ended), 2 (nothing to end: it was ended within the last `recent` ms, perhaps by this
-- revoke's own earlier try, whose event may never have been appended), 0 (nothing to end) or -1
-- (no such user).
if redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
local now, forget = tonumber(ARGV[2]), tonumber(ARGV[3])
local index = session_index(KEYS[1], KEYS[2], now - forget)
local count = end_session(ARGV[4], index, KEYS[3], KEYS[4], ARGV[1], ARGV[5], now, forget)
expire_after_top(KEYS[3], 0)
forget_unused_profiles(KEYS[5], index, ARGV[4])
if count == 0 then
  -- The revoked set scores each ended session by the time its tombstone is forgotten: ended + forget.
  local forgotten_at = tonumber(redis.call('ZSCORE', KEYS[3], ARGV[1]) or '0')
  if forgotten_at - forget >= now - tonumber(ARGV[6]) then
    return 2
  end
end
return count
