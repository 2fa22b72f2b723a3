-- Accepts a second-factor proof and makes a live session AAL2, in one step: a TOTP code of a step
-- after every step accepted before (no replay), a recovery code still unused (then used up), or
-- the first code of a factor being confirmed (which becomes active, with its recovery codes). The
-- first half of a login (level 0) becomes a whole session, with its full expiries.
-- Keys and fields as named in store.RedisSchema.
-- KEYS: session, user, index, revoked, ends, clients
-- ARGV: sid, now, mode ('code', 'recovery' or 'confirm'), step, recovery code id, resealed secret
--       ('' for none), absolute expiry, idle expiry, forget ms, recovery code ids (confirm: csv)
-- Answers {'STEPPED_UP', fields (described), recovery codes left}, {'REFUSED'}, {'NO_FACTOR'} or
-- {state, end reason code} for a session not live.
local sid, now, mode = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local state, flat, reason = session_state(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], sid, now)
if state ~= 'LIVE' then
  return {state, reason}
end
local factor = redis.call('HMGET', KEYS[2], 'tf', 'tfl', 'tfr')
if factor[1] ~= (mode == 'confirm' and 'p' or 'a') then
  return {'NO_FACTOR'}
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
local session = to_map(flat)
local writes = {'al', 2, 'am', 'pwd otp', 'at', now}
if session.al == '0' then
  local absolute, idle = tonumber(ARGV[7]), tonumber(ARGV[8])
  writes[#writes + 1] = 'ax'
  writes[#writes + 1] = absolute
  writes[#writes + 1] = 'ix'
  writes[#writes + 1] = idle
  redis.call('PEXPIREAT', KEYS[1], idle)
  redis.call('ZADD', KEYS[3], idle, sid)
  expire_after_top(KEYS[3], tonumber(ARGV[9]))
end
redis.call('HSET', KEYS[1], unpack(writes))
return {'STEPPED_UP', described(redis.call('HGETALL', KEYS[1]), KEYS[2], KEYS[6]), left}
