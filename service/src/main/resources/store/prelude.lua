-- Prepended to every script. Keys and field names are those of store.RedisSchema, the one place
-- that names them. All keys of one user carry the hash tag
-- {<user id>}, so one script may touch all of them on Redis Cluster too; session keys other than
-- the one in KEYS are built from the per-user prefix passed in ARGV.
--
-- Times are epoch milliseconds passed in by the service (its clock), so expiry is decided the
-- same way by the script's checks and by the key TTLs the script sets.

local function to_map(flat)
  local map = {}
  for i = 1, #flat, 2 do
    map[flat[i]] = flat[i + 1]
  end
  return map
end

-- Sets a sorted set's TTL to its highest score plus `extra` ms, so it outlives every entry it holds.
local function expire_after_top(key, extra)
  local top = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  if top[2] then
    redis.call('PEXPIREAT', key, tonumber(top[2]) + extra)
  end
end

-- Calls a command on key with values in slices: unpack() of thousands of values overflows Lua's stack.
local function call_in_slices(command, key, values)
  for first = 1, #values, 1000 do
    redis.call(command, key, unpack(values, first, math.min(first + 999, #values)))
  end
end

-- A user's fields named '<prefix><id>' (known devices, the session index), each valued by an
-- expiry: id -> expiry ms.
local function expiring_fields(user_key, prefix)
  local flat = redis.call('HGETALL', user_key)
  local fields = {}
  for i = 1, #flat, 2 do
    if string.sub(flat[i], 1, #prefix) == prefix then
      fields[string.sub(flat[i], #prefix + 1)] = tonumber(flat[i + 1])
    end
  end
  return fields
end

-- Versions before kept such fields as a sorted set of their own (old_key: id scored by expiry):
-- moves its entries from `from` on (a ZRANGEBYSCORE bound) into the user's hash, the later
-- expiry winning where the hash holds one too, and deletes it.
local function move_into_user_hash(user_key, old_key, prefix, from)
  local old = redis.call('ZRANGEBYSCORE', old_key, from, '+inf', 'WITHSCORES')
  for i = 1, #old, 2 do
    local field, expiry = prefix .. old[i], tonumber(old[i + 1])
    local held = tonumber(redis.call('HGET', user_key, field) or '')
    if not held or held < expiry then
      redis.call('HSET', user_key, field, string.format('%d', expiry))
    end
  end
  redis.call('DEL', old_key)
end

-- A user's session index: fields 's:<sid>' of the user's hash, each valued by the session's idle
-- expiry (its key's expiry, the score the index is read by). A few fields of the hash every user has
-- cost less than a sorted set with a key of its own. An entry outlives its session by the forget
-- window, so an expired session answers EXPIRED; past it (an idle expiry before `forget_before`,
-- now - forget) the entry reads as gone, as the old set's expiry made it for a dormant user, and
-- the user's next login deletes it (prune). Versions before kept the index as a sorted set of its
-- own (old_key): it is read beside the fields, the later expiry winning, until the first write
-- through the index moves it into them; a script that only reads (Validate's, ListSessions') never
-- writes, since Redis may be out of memory. Each script makes one index and goes through it.
local function session_index(user_key, old_key, forget_before)
  local index = {}
  local entries -- sid -> idle expiry, every field and old entry, once read
  local moved = false

  local function load()
    if entries then
      return entries
    end
    entries = expiring_fields(user_key, 's:')
    if not moved then
      local old = redis.call('ZRANGE', old_key, 0, -1, 'WITHSCORES')
      for i = 1, #old, 2 do
        local expiry = tonumber(old[i + 1])
        if not entries[old[i]] or entries[old[i]] < expiry then
          entries[old[i]] = expiry
        end
      end
    end
    return entries
  end

  -- Moves the old sorted set's entries into the hash before the first write; costs one EXISTS
  -- when there is none, so a Touch does not read the whole index.
  local function move()
    if moved then
      return
    end
    moved = true
    if redis.call('EXISTS', old_key) == 1 then
      -- Entries already read keep their merged expiries: the same the move writes.
      move_into_user_hash(user_key, old_key, 's:', string.format('%d', forget_before))
    end
  end

  local function remembered(expiry)
    return expiry ~= nil and expiry >= forget_before
  end

  -- The session's idle expiry as indexed, or nil.
  function index.expiry(sid)
    local expiry
    if entries then
      expiry = entries[sid]
    else
      expiry = tonumber(redis.call('HGET', user_key, 's:' .. sid) or '')
      if not moved then
        local old = tonumber(redis.call('ZSCORE', old_key, sid) or '')
        if old and (not expiry or expiry < old) then
          expiry = old
        end
      end
    end
    if remembered(expiry) then
      return expiry
    end
    return nil
  end

  -- The sessions indexed with an idle expiry after `after`, least recently used (lowest idle expiry) first; ties in id order.
  function index.after(after)
    local all, sids = load(), {}
    for sid, expiry in pairs(all) do
      if expiry > after and remembered(expiry) then
        sids[#sids + 1] = sid
      end
    end
    table.sort(sids, function(a, b)
      if all[a] ~= all[b] then
        return all[a] < all[b]
      end
      return a < b
    end)
    return sids
  end

  -- The live sessions at `now`, as after(now); once they are `max` or more, only those whose key
  -- is there and of the user's current generation (or kept by its last revoke-all): an older
  -- replica's revoke deletes the key, and its revoke-all leaves the keys to the generation, but
  -- neither can remove the entry, which must not refuse a login nor push out a real session. One
  -- read per session, and only at the limit.
  function index.live(now, prefix, max)
    local live = index.after(now)
    if #live < max then
      return live
    end
    local generation = redis.call('HMGET', user_key, 'gen', 'genk')
    local current = tonumber(generation[1] or '0')
    local present = {}
    for _, sid in ipairs(live) do
      local session = redis.call('HMGET', prefix .. sid, 'ix', 'g')
      if session[1] and (tonumber(session[2] or '0') >= current or sid == generation[2]) then
        present[#present + 1] = sid
      end
    end
    return present
  end

  -- Every session remembered, least recently used first.
  function index.all()
    return index.after(-math.huge)
  end

  function index.count()
    local count = 0
    for _, expiry in pairs(load()) do
      if remembered(expiry) then
        count = count + 1
      end
    end
    return count
  end

  function index.put(sid, expiry)
    move()
    redis.call('HSET', user_key, 's:' .. sid, string.format('%d', expiry))
    if entries then
      entries[sid] = expiry
    end
  end

  function index.remove(sid)
    move()
    redis.call('HDEL', user_key, 's:' .. sid)
    if entries then
      entries[sid] = nil
    end
  end

  -- Deletes the entries no longer remembered.
  function index.prune()
    move()
    local stale = {}
    for sid, expiry in pairs(load()) do
      if not remembered(expiry) then
        stale[#stale + 1] = 's:' .. sid
        entries[sid] = nil
      end
    end
    call_in_slices('HDEL', user_key, stale)
  end

  return index
end

-- Forgets index entries of sessions that ended more than the forget window ago, expired tombstones, and
-- the end reasons nothing refers to any longer: a reason stays while its session's tombstone or
-- index entry does (the index entry outlives the session by `forget`, and a live session marked 'x'
-- has one), and goes after them (at the first pass that finds more reasons than the two hold, or
-- with the hash's own expiry) even when those keys expired on their own.
local function prune(index, revoked_key, ends_key, now)
  index.prune()
  redis.call('ZREMRANGEBYSCORE', revoked_key, '-inf', '(' .. now)
  -- A reason that something refers to belongs to a session in the index or among the tombstones,
  -- never both (ending a session moves it from one to the other): only more reasons than the two
  -- hold prove some stale, and only then is each looked at. So a login costs a few counts, not a
  -- lookup per reason; the few stale ones this leaves are never read and go in a later pass.
  if redis.call('HLEN', ends_key) <= index.count() + redis.call('ZCARD', revoked_key) then
    return
  end
  local stale = {}
  for _, sid in ipairs(redis.call('HKEYS', ends_key)) do
    if not redis.call('ZSCORE', revoked_key, sid) and not index.expiry(sid) then
      stale[#stale + 1] = sid
    end
  end
  call_in_slices('HDEL', ends_key, stale)
end

-- Moves a key's expiry to `keep_until` unless it already expires later.
local function keep_at_least_until(key, now, keep_until)
  local expires_at = redis.pcall('PEXPIRETIME', key)
  if type(expires_at) ~= 'number' then
    -- Redis before 7.0: the remaining time, on this script's clock.
    local ttl = redis.call('PTTL', key)
    expires_at = ttl >= 0 and now + ttl or -1
  end
  if expires_at < keep_until then
    redis.call('PEXPIREAT', key, keep_until)
  end
end

-- Records why a session ended (or, for 'x', why it will) until at least `keep_until`.
local function record_end(ends_key, sid, reason, now, keep_until)
  redis.call('HSET', ends_key, sid, reason)
  keep_at_least_until(ends_key, now, keep_until)
end

-- A user's own client profile, written by versions before shared profiles (ClientProfiles) and
-- still read for their sessions until those end: its content in slices of at most 64 bytes, under
-- the profile id, then '<id>.1', '<id>.2', ... (ids are URL-safe base64, without dots). Slices may
-- split a character; only their concatenation is ever read.
local function profile_content(clients_key, profile)
  local slices = {}
  local slice = redis.call('HGET', clients_key, profile)
  while slice do
    slices[#slices + 1] = slice
    slice = redis.call('HGET', clients_key, profile .. '.' .. #slices)
  end
  return table.concat(slices)
end

-- A session's stored fields as the service answers them: with the user's username ('un') and, for
-- a session written with a user's own client profile ('c'), that profile's content ('cp'). A shared
-- profile ('p') is in another Cluster slot: the service reads it (ClientProfiles). Sessions stored
-- before profiles hold their own 'un', 'ua' and 'dn'; the user's username wins.
local function described(flat, user_key, clients_key)
  local profile
  for i = 1, #flat, 2 do
    if flat[i] == 'c' then
      profile = flat[i + 1]
    end
  end
  local username = redis.call('HGET', user_key, 'un')
  if username then
    flat[#flat + 1] = 'un'
    flat[#flat + 1] = username
  end
  if profile then
    flat[#flat + 1] = 'cp'
    flat[#flat + 1] = profile_content(clients_key, profile)
  end
  return flat
end

-- Forgets the client profiles (all their slices) that no stored session uses. A session hash is
-- there until Redis expires or deletes it, and no replica can read one that is gone, so no reader
-- ever finds a live session's profile missing, whatever its clock says. Looks only when there are
-- more profile fields than indexed sessions (then at least one is unused): in the common case this
-- costs two counts. A profile of a
-- long User-Agent has 3 slices, so a user with fewer sessions than that looks every time, at the
-- cost of reading those few sessions.
local function forget_unused_profiles(clients_key, index, prefix)
  local profiles = redis.call('HLEN', clients_key)
  if profiles == 0 or profiles <= index.count() then
    return
  end
  local used = {}
  for _, sid in ipairs(index.all()) do
    local profile = redis.call('HGET', prefix .. sid, 'c')
    if profile then
      used[profile] = true
    end
  end
  local unused = {}
  for _, field in ipairs(redis.call('HKEYS', clients_key)) do
    if not used[string.match(field, '^[^.]*')] then
      unused[#unused + 1] = field
    end
  end
  call_in_slices('HDEL', clients_key, unused)
end

-- Whether presented (a token's validator) is the session's current token: its tk once rotated,
-- else the login's own token (original: generation 0). TokenGenerations.judge is the Java twin,
-- for the reads that need no script.
local function is_current_token(session, presented, original)
  if session.tk then
    return presented == session.tk
  end
  return original
end

-- Whether presented is the token the current one replaced, still within its grace.
local function is_previous_in_grace(session, presented, now)
  return session.tp ~= nil and presented == session.tp and now < tonumber(session.tx)
end

-- Whether presented is the token before the previous one, kept (tq) when the last rotation came
-- within its grace, and still within it (ty).
local function is_earlier_in_grace(session, presented, now)
  return session.tq ~= nil and presented == session.tq and now < tonumber(session.ty)
end

-- Whether presented is a replaced token still accepted: the previous one, or the one before it.
local function in_grace(session, presented, now)
  return is_previous_in_grace(session, presented, now) or is_earlier_in_grace(session, presented, now)
end

-- Whether presented is the first half of a login (level 0), or a replaced copy of one within its
-- grace (as tr, tc or ts recorded it; a record that is not level|time|methods reads as level 0,
-- the safe side): such a token
-- may look at its session but change nothing.
local function is_first_half(session, presented, now)
  local recorded
  if is_previous_in_grace(session, presented, now) then
    recorded = session.tr or session.tc
  elseif is_earlier_in_grace(session, presented, now) then
    recorded = session.ts
  end
  if recorded then
    -- As RedisSessionStore.steppedUpFrom reads it: a record that is not level|time|methods is level 0.
    local _, bars = string.gsub(recorded, '|', '|')
    return bars < 2 or string.sub(recorded, 1, 2) == '0|'
  end
  return session.al == '0'
end

-- What a rotation writes and deletes in a session's hash besides the new token's own fields: the
-- presented token becomes the previous one (tp, accepted until grace_end, tx; tr its holder's
-- authentication when a step-up replaces it, replaced_auth, else nil). A previous token still in
-- its grace is not forgotten, which would end the session when a request already on its way
-- presents it: it moves to tq/ty, with ts its holder's authentication when the session's has risen
-- since (tr or tc said so, or this is a step-up). TokenGenerations.judge reads them.
local function token_replacement(session, presented, grace_end, replaced_auth, now)
  local writes, drops = {}, {}
  local function put(field, value)
    if value then
      writes[#writes + 1] = field
      writes[#writes + 1] = value
    else
      drops[#drops + 1] = field
    end
  end
  put('tp', presented)
  put('tx', grace_end)
  put('tr', replaced_auth)
  put('tc', nil)
  local keep_previous = session.tp and now < tonumber(session.tx)
  put('tq', keep_previous and session.tp or nil)
  put('ty', keep_previous and session.tx or nil)
  put('ts', keep_previous and (session.tr or session.tc or replaced_auth) or nil)
  return writes, drops
end

-- The state of one session at `now`, its stored fields, and why it ended: 'LIVE', 'EXPIRED',
-- 'REVOKED' (deleted, or from before the user's last revoke-all) or 'UNKNOWN'; the reason is an
-- EndReason code ('' when live or unknown).
local function session_state(session_key, user_key, index, revoked_key, ends_key, sid, now)
  local flat = redis.call('HGETALL', session_key)
  if #flat == 0 then
    local forget_at = redis.call('ZSCORE', revoked_key, sid)
    if forget_at and tonumber(forget_at) > now then
      return 'REVOKED', flat, redis.call('HGET', ends_key, sid) or ''
    end
    local expiry = index.expiry(sid)
    if expiry and expiry <= now then
      -- Expired by its key's TTL: absolute if the last slide was capped at the absolute expiry
      -- (recorded then as 'x'), idle otherwise.
      return 'EXPIRED', flat, redis.call('HGET', ends_key, sid) == 'x' and 'x' or 'i'
    end
    return 'UNKNOWN', flat, ''
  end
  local session = to_map(flat)
  -- Revoke-all bumps the user's generation: a session from an older one is revoked even if its
  -- hash survived (restored from an older copy), unless it is the one session that revoke kept.
  local generation = redis.call('HMGET', user_key, 'gen', 'genk', 'genr')
  if generation[1] and tonumber(session.g or '0') < tonumber(generation[1]) and generation[2] ~= sid then
    return 'REVOKED', flat, generation[3] or ''
  end
  local absolute_expiry = tonumber(session.ax)
  if now >= tonumber(session.ix) then
    -- A Touch while Redis was out of memory could move only the key's expiry (PEXPIREAT is not
    -- refused under OOM), not its ix field: the later of the two is the idle expiry. Looked up only
    -- when ix says expired, so the live path costs nothing more.
    local expires_at = redis.pcall('PEXPIRETIME', session_key)
    if type(expires_at) ~= 'number' then
      -- Redis before 7.0: the remaining time, on this script's clock.
      local ttl = redis.call('PTTL', session_key)
      expires_at = ttl > 0 and now + ttl or -1
    end
    if expires_at <= now then
      -- Whichever came first ended it: idle expiry is capped at the absolute one.
      local ended_at = math.max(tonumber(session.ix), expires_at)
      return 'EXPIRED', flat, ended_at < absolute_expiry and 'i' or 'x'
    end
    for i = 1, #flat, 2 do
      if flat[i] == 'ix' then
        flat[i + 1] = tostring(expires_at)
      end
    end
  end
  if now >= absolute_expiry then
    return 'EXPIRED', flat, 'x'
  end
  return 'LIVE', flat, ''
end

-- Ends one session for `reason` (an EndReason code), leaving a tombstone so Validate can answer
-- REVOKED and why for `forget` ms. Answers 1 when a stored session was deleted, 0 when there was none.
-- An index entry without a hash is an expired session: it stays, so Validate can answer EXPIRED.
local function end_session(prefix, index, revoked_key, ends_key, sid, reason, now, forget)
  local existed = redis.call('DEL', prefix .. sid)
  if existed == 1 then
    index.remove(sid)
    redis.call('ZADD', revoked_key, now + forget, sid)
    record_end(ends_key, sid, reason, now, now + forget)
  end
  return existed
end

-- Makes sid one of the user's indexed sessions: ends the least recently used live sessions past
-- max (reason 'n'; their ids appended to ended), then indexes sid by its idle expiry. The one place
-- of the per-user limit, for a login and for the completion of a two-factor login.
local function join_index(prefix, index, revoked_key, ends_key, sid, idle, absolute, now, max, forget, ended)
  -- Lowest idle expiry first: the least recently used sessions.
  local live = index.live(now, prefix, max)
  for i = 1, #live - max + 1 do
    if end_session(prefix, index, revoked_key, ends_key, live[i], 'n', now, forget) == 1 then
      ended[#ended + 1] = live[i]
    end
  end
  index.put(sid, idle)
  if idle == absolute then
    -- Born capped (idle timeout at least the absolute lifetime): its expiry will be the absolute one.
    record_end(ends_key, sid, 'x', now, idle + forget)
  end
  expire_after_top(revoked_key, 0)
end

-- A user's known devices are fields 'd:<device id>' of the user's hash, each valued by when it is
-- forgotten: a few fields of the hash every user has cost less than a sorted set with a key of its
-- own. Answers device id -> expiry ms.
local function known_devices(user_key)
  return expiring_fields(user_key, 'd:')
end

-- Versions before kept the known devices in a sorted set of their own (old_key): the first write
-- to a user's devices moves those still known into the user's hash.
local function move_known_devices(user_key, old_key, now)
  move_into_user_hash(user_key, old_key, 'd:', '(' .. now)
end

-- Forgets every known device of a user but `keep` ('' for none): after a password change or a
-- revoke-all, a device the user logged in from before is a stranger again (a stolen device token
-- buys nothing any more), unless it is the one the user acted from.
local function forget_devices(user_key, old_key, keep, now)
  move_known_devices(user_key, old_key, now)
  local forgotten = {}
  for device in pairs(known_devices(user_key)) do
    if device ~= keep then
      forgotten[#forgotten + 1] = 'd:' .. device
    end
  end
  call_in_slices('HDEL', user_key, forgotten)
end

-- Ends every session of a user but `except` ('' for none) for `reason` and starts a new
-- generation of the user's sessions: a session of an older generation reads as revoked (for the
-- reason of the latest revoke-all) even if its hash comes back from an older copy of the data. The
-- kept session is recorded only if it is live now, so a revoke-all-but-one can never bring back a
-- session an earlier revoke-all ended.
-- Answers the number of sessions deleted.
local function revoke_all(user_key, index, revoked_key, ends_key, clients_key, prefix, except, reason, now, forget)
  local count = 0
  for _, sid in ipairs(index.all()) do
    if sid ~= except then
      count = count + end_session(prefix, index, revoked_key, ends_key, sid, reason, now, forget)
    end
  end
  local kept = ''
  if except ~= '' and session_state(prefix .. except, user_key, index, revoked_key, ends_key, except, now) == 'LIVE' then
    kept = except
  end
  redis.call('HINCRBY', user_key, 'gen', 1)
  redis.call('HSET', user_key, 'genk', kept, 'genr', reason)
  expire_after_top(revoked_key, 0)
  forget_unused_profiles(clients_key, index, prefix)
  return count
end
