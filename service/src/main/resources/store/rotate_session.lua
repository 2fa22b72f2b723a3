-- Judges a presented token against its live session's token generations and, in 'rotate' mode,
-- replaces a current token with the next generation. A token the session replaced, presented
-- after its grace, ends the session (reason 'u', token reuse): whoever presents it holds a
-- copy of a token that its rightful holder has since exchanged.
-- Keys and fields as named in store.RedisSchema.
-- KEYS: session, user, index (where versions before kept it), revoked, ends, clients
-- ARGV: sid, now, forget ms, session key prefix, presented validator, '1' if the presented token
--       is the login's (generation 0) else '0', mode ('rotate' or 'check'), then in 'rotate' mode:
--       the new validator, its nonce, the grace end
-- Answers {'ROTATED', fields} (described, after the rotation), {'CURRENT', fields} (check mode),
-- {'IN_GRACE', fields}, {'REUSED', 'u', generation that was current} or {state, end reason code}
-- for a session not live.
local sid, now, forget, prefix = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local presented, original, mode = ARGV[5], ARGV[6] == '1', ARGV[7]

local index = session_index(KEYS[2], KEYS[3], now - forget)
local state, flat, reason = session_state(KEYS[1], KEYS[2], index, KEYS[4], KEYS[5], sid, now)
if state ~= 'LIVE' then
  return {state, reason}
end
local session = to_map(flat)
if is_current_token(session, presented, original) then
  -- The first half of a login (level 0) is no session to keep: its token is never rotated.
  if mode ~= 'rotate' or session.al == '0' then
    return {'CURRENT', described(flat, KEYS[2], KEYS[6])}
  end
  local writes, drops = token_replacement(session, presented, ARGV[10], nil, now)
  redis.call('HSET', KEYS[1], 'tg', tonumber(session.tg or '0') + 1, 'tk', ARGV[8], 'tn', ARGV[9], 'tt', now, unpack(writes))
  redis.call('HDEL', KEYS[1], unpack(drops))
  return {'ROTATED', described(redis.call('HGETALL', KEYS[1]), KEYS[2], KEYS[6])}
end
if in_grace(session, presented, now) then
  return {'IN_GRACE', described(flat, KEYS[2], KEYS[6])}
end
end_session(prefix, index, KEYS[4], KEYS[5], sid, 'u', now, forget)
expire_after_top(KEYS[4], 0)
return {'REUSED', 'u', session.tg or '0'}
