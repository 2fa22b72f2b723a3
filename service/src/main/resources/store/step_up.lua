-- Accepts a second-factor proof and makes a live session AAL2, in one step: a TOTP code of a step
-- after every step accepted before (no replay), a recovery code still unused (then used up), or
-- the first code of a factor being confirmed (which becomes active, with its recovery codes). The
-- first half of a login (level 0) becomes a whole session, with its full expiries. With a new
-- validator, the presented token (which must be the current one) is replaced in the same step, as
-- rotate_session.lua replaces it: a copy taken before the step-up stays at the lower level, and is
-- answered at it within its grace.
-- Keys and fields as named in store.RedisSchema.
-- KEYS: session, user, index (where versions before kept it), revoked, ends, clients
-- ARGV: sid, now, mode ('code', 'recovery' or 'confirm'), step, recovery code id, resealed secret
--       ('' for none), absolute expiry, idle expiry, forget ms, recovery code ids (confirm: csv),
--       SHA-1 of the sealed secret the code was checked against, max sessions per user, session key
--       prefix, presented token's validator, '1' if it is the login's (generation 0) else '0', the
--       new validator ('' to keep the token), its nonce, the presented token's grace end
-- Answers {'STEPPED_UP', fields (described), recovery codes left, ended session id, ...} (sessions
-- the completed login ended past the user's limit), {'REFUSED'}, {'NO_FACTOR'}, {'NOT_CURRENT'}
-- (the presented token was replaced already), {'IN_GRACE', fields} (a retry of the step-up that
-- replaced it, with the same code, within the grace: nothing written, the caller derives the same
-- new token again) or {state, end reason code} for a session not live.
local sid, now, mode = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local index = session_index(KEYS[2], KEYS[3], now - tonumber(ARGV[9]))
local state, flat, reason = session_state(KEYS[1], KEYS[2], index, KEYS[4], KEYS[5], sid, now)
if state ~= 'LIVE' then
  return {state, reason}
end
local session = to_map(flat)
local rotate = ARGV[16] ~= ''
local current = not rotate or is_current_token(session, ARGV[14], ARGV[15] == '1')
local factor = redis.call('HMGET', KEYS[2], 'tf', 'tfl', 'tfr', 'tfs')
-- The secret the code was checked against must still be the one stored (an enrolment may have
-- replaced it since the service read it).
if factor[1] ~= (mode == 'confirm' and 'p' or 'a') or not factor[4] or redis.sha1hex(factor[4]) ~= ARGV[11] then
  return {'NO_FACTOR'}
end
if not current then
  -- The step-up that replaced this token, again (its answer was lost): the same code, in the grace.
  if session.tr and is_previous_in_grace(session, ARGV[14], now) and mode == 'code' and factor[2]
      and tonumber(ARGV[4]) == tonumber(factor[2]) then
    return {'IN_GRACE', described(flat, KEYS[2], KEYS[6])}
  end
  return {'NOT_CURRENT'}
end
local left = 0
if mode == 'recovery' then
  local kept, found = {}, false
  for id in string.gmatch(factor[3] or '', '[^,]+') do
    if id == ARGV[5] and not found then
      found = true
    else
      kept[#kept + 1] = id
    end
  end
  if not found then
    return {'REFUSED'}
  end
  redis.call('HSET', KEYS[2], 'tfr', table.concat(kept, ','))
  left = #kept
else
  local step = tonumber(ARGV[4])
  if factor[2] and step <= tonumber(factor[2]) then
    return {'REFUSED'}
  end
  redis.call('HSET', KEYS[2], 'tfl', step)
  if mode == 'confirm' then
    redis.call('HSET', KEYS[2], 'tf', 'a', 'tfr', ARGV[10])
  end
end
if ARGV[6] ~= '' then
  redis.call('HSET', KEYS[2], 'tfs', ARGV[6])
end
local writes, drops = {'al', 2, 'am', 'pwd otp', 'at', now}, {}
-- Replaced tokens keep the level they had, for their grace (RedisSchema: tr, ts).
local replaced_auth = (session.al or '1') .. '|' .. (session.at or '') .. '|' .. (session.am or 'pwd')
if not rotate then
  -- ConfirmTotp keeps the token, but tokens replaced before it (by a Refresh) must not rise with it.
  -- Not tr: that one says a step-up replaced the token, whose retry may get its successor again.
  if session.tp and not session.tr and not session.tc and now < tonumber(session.tx) then
    writes[#writes + 1] = 'tc'
    writes[#writes + 1] = replaced_auth
  end
  if session.tq and not session.ts and now < tonumber(session.ty) then
    writes[#writes + 1] = 'ts'
    writes[#writes + 1] = replaced_auth
  end
else
  local replacement
  replacement, drops = token_replacement(session, ARGV[14], ARGV[18], replaced_auth, now)
  for _, value in ipairs({'tg', tonumber(session.tg or '0') + 1, 'tk', ARGV[16], 'tn', ARGV[17], 'tt', now}) do
    writes[#writes + 1] = value
  end
  for _, value in ipairs(replacement) do
    writes[#writes + 1] = value
  end
end
local ended = {}
if session.al == '0' then
  -- The first half of a login becomes a session: its whole lifetime, and its place among the user's
  -- sessions (only now: a password alone must not be able to push out the user's real sessions).
  local absolute, idle, forget, prefix = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]), ARGV[13]
  writes[#writes + 1] = 'ax'
  writes[#writes + 1] = absolute
  writes[#writes + 1] = 'ix'
  writes[#writes + 1] = idle
  redis.call('PEXPIREAT', KEYS[1], idle)
  redis.call('HDEL', KEYS[5], sid)
  join_index(prefix, index, KEYS[4], KEYS[5], sid, idle, absolute, now, tonumber(ARGV[12]), forget, ended)
end
redis.call('HSET', KEYS[1], unpack(writes))
if #drops > 0 then
  redis.call('HDEL', KEYS[1], unpack(drops))
end
local reply = {'STEPPED_UP', described(redis.call('HGETALL', KEYS[1]), KEYS[2], KEYS[6]), left}
for _, other in ipairs(ended) do
  reply[#reply + 1] = other
end
return reply
