-- Reads a session; writes nothing.
-- Keys and fields as named in store.RedisSchema.
-- KEYS: session, user, index, revoked, ends, clients
-- ARGV: sid, now
-- Answers {'LIVE', {field, value, ...}} (described: with 'un' and 'cp') or {state, end reason code}.
local state, flat, reason = session_state(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[1], tonumber(ARGV[2]))
if state ~= 'LIVE' then
  return {state, reason}
end
return {state, described(flat, KEYS[2], KEYS[6])}
