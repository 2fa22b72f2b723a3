-- Stores a new session under the user's session limit: past it, the least recently used sessions
-- end ('evict'), or the login is refused and nothing is written ('deny').
-- Keys and fields as named in store.RedisSchema.
-- KEYS: session, user, index (where versions before kept it), revoked, ends, clients
-- ARGV: sid, now, idle expiry, forget ms, max sessions per user, session key prefix,
--       the password hash the login was verified against, shared client profile id ('' for none:
--       then the session has no 'p' field; the service stored the profile itself before this
--       script, store_client_profile.lua), limit mode ('evict' or 'deny'), a session of the user to
--       end as this one starts ('' for none), a device whose sessions ('dv') this one replaces ('' for
--       none), field, value, ...
-- KEYS[6], the user's own profiles of sessions written before shared ones, is only pruned here.
-- Answers {'OK', ended session id, ...} (every session it ended: reason SESSION_LIMIT), {'NO_USER'},
-- {'STALE_CREDENTIALS'} when the password changed while the login was being verified (a login must
-- never outlive the password it used) or {'LIMIT'} when 'deny' refused it.
local user = redis.call('HMGET', KEYS[2], 'pw', 'gen', 'pwp')
if not user[1] then
  return {'NO_USER'}
end
-- 'pwp' is the digest of the hash a rehash at login replaced (the same password): a concurrent
-- login verified against it is as good. A password change deletes it.
if user[1] ~= ARGV[7] and (not user[3] or user[3] ~= redis.sha1hex(ARGV[7])) then
  return {'STALE_CREDENTIALS'}
end
local sid, now, idle_expiry = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local forget, max_sessions, prefix = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]

local profile = ARGV[8]
local deny, replace, replaced_device = ARGV[9] == 'deny', ARGV[10], ARGV[11]
local first_field = 12

local index = session_index(KEYS[2], KEYS[3], now - forget)
if deny then
  -- Still read-only: a refused login writes nothing. The session it would replace does not count.
  local live = index.live(now, prefix, max_sessions)
  local count = #live
  for _, other in ipairs(live) do
    if other == replace then
      count = count - 1
    end
  end
  if count >= max_sessions then
    return {'LIMIT'}
  end
end

-- The session hash is written first: Redis checks for out-of-memory only until a script's first
-- write, so a full Redis refuses the whole login here instead of letting it grow the keyspace.
-- Generation 0 is not stored (absent reads as 0): every byte counts in the listpack.
local fields = {}
if user[2] and user[2] ~= '0' then
  fields = {'g', user[2]}
end
if profile ~= '' then
  fields[#fields + 1] = 'p'
  fields[#fields + 1] = profile
end
local absolute_expiry
for i = first_field, #ARGV do
  fields[#fields + 1] = ARGV[i]
  if ARGV[i] == 'ax' and (i - first_field) % 2 == 0 then
    absolute_expiry = tonumber(ARGV[i + 1])
  end
end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('PEXPIREAT', KEYS[1], idle_expiry)
for i = first_field, #ARGV - 1, 2 do
  if ARGV[i] == 'al' and ARGV[i + 1] == '0' then
    -- The first half of a login (its user has a second factor): no place among the user's sessions,
    -- and nothing it ends, until StepUp completes it (step_up.lua). A password alone must not be able
    -- to push out, replace or list-fill the user's real sessions.
    return {'OK'}
  end
end

prune(index, KEYS[4], KEYS[5], now)
local reply = {'OK'}
-- Only the user's own sessions can be named: their keys are built from the user's prefix.
if replace ~= '' and replace ~= sid and end_session(prefix, index, KEYS[4], KEYS[5], replace, 'n', now, forget) == 1 then
  reply[#reply + 1] = replace
end
if replaced_device ~= '' then
  for _, other in ipairs(index.after(now)) do
    if other ~= sid and redis.call('HGET', prefix .. other, 'dv') == replaced_device
        and end_session(prefix, index, KEYS[4], KEYS[5], other, 'n', now, forget) == 1 then
      reply[#reply + 1] = other
    end
  end
end
join_index(prefix, index, KEYS[4], KEYS[5], sid, idle_expiry, absolute_expiry, now, max_sessions, forget, reply)
forget_unused_profiles(KEYS[6], index, prefix)
return reply
