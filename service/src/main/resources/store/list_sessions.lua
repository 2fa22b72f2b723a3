-- Lists a user's live sessions.
-- Keys and fields as named in store.RedisSchema.
-- KEYS: user, index (where versions before kept it), revoked, ends, clients
-- ARGV: now, session key prefix, forget ms
-- Answers {'OK', sid, {field, value, ...}, sid, {...}, ...} (described: with 'un' and 'cp') or {'NO_USER'}.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {'NO_USER'}
end
local now, prefix = tonumber(ARGV[1]), ARGV[2]
local out = {'OK'}
-- Every index entry remembered, not only those scored in the future: a Touch while Redis was out
-- of memory slides a session by its key's expiry alone, leaving its index score behind
-- (touch_session.lua; a session slid that way for longer than the forget window drops out of the
-- list until its next Touch). The index holds the live sessions and those expired within the
-- forget window (a revoke removes its session's entry at once); an expired one costs an EXISTS here.
local index = session_index(KEYS[1], KEYS[2], now - tonumber(ARGV[3]))
for _, sid in ipairs(index.all()) do
  local state, flat = 'GONE', nil
  if index.expiry(sid) > now or redis.call('EXISTS', prefix .. sid) == 1 then
    state, flat = session_state(prefix .. sid, KEYS[1], index, KEYS[3], KEYS[4], sid, now)
  end
  if state == 'LIVE' then
    out[#out + 1] = sid
    out[#out + 1] = described(flat, KEYS[1], KEYS[5])
  end
end
return out
