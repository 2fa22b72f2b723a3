-- Reads a session; writes nothing.
-- Keys and fields as named in store.RedisSchema.
-- KEYS: session, user, index (where versions before kept it), revoked, ends, clients
-- ARGV: sid, now, forget ms
-- Answers {'LIVE', {field, value, ...}} (described: with 'un' and 'cp') or {state, end reason code}.
local sid, now, forget = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local index = session_index(KEYS[2], KEYS[3], now - forget)
local state, flat, reason = session_state(KEYS[1], KEYS[2], index, KEYS[4], KEYS[5], sid, now)
if state ~= 'LIVE' then
  return {state, reason}
end
return {state, described(flat, KEYS[2], KEYS[6])}
