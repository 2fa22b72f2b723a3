-- Slides a live session's idle expiry (never past its absolute expiry), records last-seen and
-- applies attribute changes; while Redis is out of memory, a Touch without attribute changes still
-- slides the session (by the key's expiry alone). Never writes to a session that is not live: a Touch racing a
-- Revoke either lands before it (and is then revoked) or finds nothing and writes nothing.
-- Keys and fields as named in store.RedisSchema.
-- KEYS: session, user, index (where versions before kept it), revoked, ends, clients
-- ARGV: sid, now, idle timeout ms, max attributes, forget ms, the presented token's validator ('' to
--       judge no token), '1' if it is the login's token else '0', n (attributes to set),
--       n name/value pairs to set, then names to remove
-- Writes nothing for the first half of a login, or a copy of one in its grace (is_first_half): the
-- service answers it STEP_UP_REQUIRED.
-- Answers {'LIVE', {field, value, ...}} (described: with 'un' and 'cp'), {state, end reason code},
-- {'TOO_MANY_ATTRIBUTES', count} or {'REPLACED'} (the token is neither the session's current one nor
-- the one it replaced within its grace: nothing was written; rotate_session.lua ends the session).
local sid, now, idle = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local max_attributes, forget, set_count = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[8])
local presented, original = ARGV[6], ARGV[7] == '1'

local index = session_index(KEYS[2], KEYS[3], now - forget)
local state, flat, reason = session_state(KEYS[1], KEYS[2], index, KEYS[4], KEYS[5], sid, now)
if state ~= 'LIVE' then
  if #flat > 0 then
    -- Ended by its clock, or by a later revoke-all (an older generation), but not yet deleted: finish the job.
    redis.call('DEL', KEYS[1])
    if state == 'REVOKED' then
      index.remove(sid)
      redis.call('ZADD', KEYS[4], now + forget, sid)
      expire_after_top(KEYS[4], 0)
    end
    -- Remembered with the tombstone (or the index entry), so later reads give the same reason.
    record_end(KEYS[5], sid, reason, now, now + forget)
  end
  return {state, reason}
end

local session = to_map(flat)
if presented ~= '' then
  -- Judged before any write: a replaced token must not keep its session alive or change it.
  if not is_current_token(session, presented, original) and not in_grace(session, presented, now) then
    return {'REPLACED'}
  end
end
if is_first_half(session, presented, now) then
  -- No Touch accepts the first half of a login (the service answers STEP_UP_REQUIRED), nor may it
  -- change the session that its step-up completes.
  return {state, described(flat, KEYS[2], KEYS[6])}
end
local attributes = 0
for field in pairs(session) do
  if string.sub(field, 1, 2) == 'a:' then
    attributes = attributes + 1
  end
end
local writes = {}
local last_set = 8 + 2 * set_count
for i = 9, last_set, 2 do
  local field = 'a:' .. ARGV[i]
  if not session[field] then
    attributes = attributes + 1
  end
  writes[#writes + 1] = field
  writes[#writes + 1] = ARGV[i + 1]
end
local removals = {}
for i = last_set + 1, #ARGV do
  local field = 'a:' .. ARGV[i]
  if session[field] then
    attributes = attributes - 1
    removals[#removals + 1] = field
    session[field] = nil -- a name listed twice is removed (and counted) once
  end
end
if attributes > max_attributes then
  return {'TOO_MANY_ATTRIBUTES', attributes}
end

local idle_expiry = math.min(now + idle, tonumber(session.ax))
writes[#writes + 1] = 'ix'
writes[#writes + 1] = idle_expiry
writes[#writes + 1] = 'ls'
writes[#writes + 1] = now
-- HSET first: Redis checks for out-of-memory only until a script's first write.
local written = redis.pcall('HSET', KEYS[1], unpack(writes))
if type(written) == 'table' and written.err then
  if set_count == 0 and #removals == 0 and string.find(written.err, 'OOM') then
    -- Redis is out of memory: a plain Touch still slides the session, by its key's expiry alone
    -- (PEXPIREAT is never refused for memory; session_state reads it back). The ix, ls and index
    -- entries catch up at the next Touch after the incident. Attribute changes are refused whole.
    redis.call('PEXPIREAT', KEYS[1], idle_expiry)
    for i = 1, #flat, 2 do
      if flat[i] == 'ix' then
        flat[i + 1] = tostring(idle_expiry)
      elseif flat[i] == 'ls' then
        flat[i + 1] = tostring(now)
      end
    end
    return {state, described(flat, KEYS[2], KEYS[6])}
  end
  return redis.error_reply(written.err)
end
if #removals > 0 then
  redis.call('HDEL', KEYS[1], unpack(removals))
end
redis.call('PEXPIREAT', KEYS[1], idle_expiry)
index.put(sid, idle_expiry)
if idle_expiry == tonumber(session.ax) then
  -- No Touch can slide it further: when its key expires, it expired absolutely.
  record_end(KEYS[5], sid, 'x', now, idle_expiry + forget)
elseif tonumber(session.ix) == tonumber(session.ax) then
  -- Capped until now, not any more (a shorter idle timeout since): its expiry would be an idle one.
  -- Asked only then, so an ordinary Touch writes nothing more.
  redis.call('HDEL', KEYS[5], sid)
end
return {state, described(redis.call('HGETALL', KEYS[1]), KEYS[2], KEYS[6])}
