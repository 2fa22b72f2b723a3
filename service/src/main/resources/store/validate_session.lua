-- Reads a session; writes nothing.
-- Keys and fields as named in store.RedisSchema.
-- KEYS: session, user, index, revoked
-- ARGV: sid, now
-- Answers {'LIVE', {field, value, ...}} or {state}.
local state, flat = session_state(KEYS[1], KEYS[2], KEYS[3], KEYS[4], ARGV[1], tonumber(ARGV[2]))
if state ~= 'LIVE' then
  return {state}
end
return {state, flat}
