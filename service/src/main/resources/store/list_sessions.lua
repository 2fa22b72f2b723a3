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
for _, sid in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. now, '+inf')) do
  local state, flat = session_state(prefix .. sid, KEYS[1], KEYS[2], KEYS[3], KEYS[4], sid, now)
  if state == 'LIVE' then
    out[#out + 1] = sid
    out[#out + 1] = described(flat, KEYS[1], KEYS[5])
  end
end
return out
