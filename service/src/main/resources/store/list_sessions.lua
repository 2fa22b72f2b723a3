-- Lists a user's live sessions.
-- Keys and fields as named in store.RedisSchema.
-- KEYS: user, index, revoked, ends, clients
-- ARGV: now, session key prefix
-- Answers {'OK', sid, {field, value, ...}, sid, {...}, ...} (described: with 'un' and 'cp') or {'NO_USER'}.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {'NO_USER'}
end
local now, prefix = tonumber(ARGV[1]), ARGV[2]
local out = {'OK'}
-- Every index entry, not only those scored in the future: a Touch while Redis was out of memory
-- slides a session by its key's expiry alone, leaving its index score behind (touch_session.lua).
-- The index holds the live sessions and those ended within the forget window; an ended one costs
-- an EXISTS here.
local entries = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
for i = 1, #entries, 2 do
  local sid = entries[i]
  local state, flat = 'GONE', nil
  if tonumber(entries[i + 1]) > now or redis.call('EXISTS', prefix .. sid) == 1 then
    state, flat = session_state(prefix .. sid, KEYS[1], KEYS[2], KEYS[3], KEYS[4], sid, now)
  end
  if state == 'LIVE' then
    out[#out + 1] = sid
    out[#out + 1] = described(flat, KEYS[1], KEYS[5])
  end
end
return out
