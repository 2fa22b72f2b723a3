-- Bytes per session of four Redis layouts for a real population (issue 28), measured in Redis
-- itself: redis-cli -p PORT flushall; redis-cli -p PORT --eval bench/layouts/memory-layouts.lua , A 10000
-- (then B, C, D). A approximates today's layout (a hash per session with its TTL, the index zset, the
-- known-devices zset); B keeps a user's sessions and their index as one hash (a record of at most 64
-- bytes per session, so Redis keeps the listpack encoding, and the address beside it), with the
-- key's TTL the latest expiry; C is B with the known devices as fields of the user's hash; D keeps
-- A's session hashes with their TTLs and moves the index and the known devices into the user's hash.
-- ARGV[1]: layout A, B, C or D; ARGV[2]: users; ARGV[3], optional: 'indexes' to give each user
-- the username and look-alike keys the service writes with it (they move Redis' key dictionaries to
-- the doubling the bench's population reaches).
local layout, users = ARGV[1], tonumber(ARGV[2])
local now = 1765137600000
local function id(n, salt) return string.sub(redis.sha1hex(salt .. n), 1, 22) end
local function b36(x) local d='0123456789abcdefghijklmnopqrstuvwxyz'; local s=''; while x > 0 do local r = x % 36; s = string.sub(d, r+1, r+1) .. s; x = math.floor(x / 36) end; return s end
for u = 1, users do
  local uid = id(u, 'u')
  redis.call('HSET', 'sa:{'..uid..'}:user', 'un', 'user-'..u, 'pw', string.rep('x', 60), 'ct', now)
  if ARGV[3] == 'indexes' then
    redis.call('SET', 'sa:username:user-' .. u, uid)
    redis.call('SET', 'sa:lookalike:user-' .. u, uid)
  end
end
local before = tonumber(string.match(redis.call('INFO', 'memory'), 'used_memory:(%d+)'))
for u = 1, users do
  local uid = id(u, 'u')
  for s = 1, 2 do
    local sid = id(u * 10 + s, 's')
    local dev = id(u * 10 + s, 'd')
    local ip = '198.51.100.' .. (u % 250)
    local p = string.sub(id(s + (u % 25), 'p'), 1, 16)
    if layout == 'D' then
      local k = 'sa:{'..uid..'}:s:'..sid
      redis.call('HSET', k, 'ct', now, 'ax', now + 43200000, 'ix', now + 1800000, 'ls', now, 'ip', ip, 'p', p)
      redis.call('PEXPIREAT', k, now + 1800000 + 86400000*400)
      redis.call('HSET', 'sa:{'..uid..'}:user', 's:'..sid, now + 1800000, 'd:'..dev, now + 86400000*90)
    elseif layout == 'A' then
      local k = 'sa:{'..uid..'}:s:'..sid
      redis.call('HSET', k, 'ct', now, 'ax', now + 43200000, 'ix', now + 1800000, 'ls', now, 'ip', ip, 'p', p)
      redis.call('PEXPIREAT', k, now + 1800000 + 86400000*400)
      redis.call('ZADD', 'sa:{'..uid..'}:sessions', now + 1800000, sid)
      redis.call('PEXPIREAT', 'sa:{'..uid..'}:sessions', now + 86400000*400)
      redis.call('ZADD', 'sa:{'..uid..'}:devices', now + 86400000*90, dev)
      redis.call('PEXPIREAT', 'sa:{'..uid..'}:devices', now + 86400000*400)
    else
      local k = 'sa:{'..uid..'}:sessions'
      redis.call('HSET', k, sid, b36(now)..','..b36(now + 43200000)..','..b36(now + 1800000)..','..b36(now)..','..p, sid..'.i', ip)
      redis.call('PEXPIREAT', k, now + 86400000*400)
      if layout == 'B' then
        redis.call('ZADD', 'sa:{'..uid..'}:devices', now + 86400000*90, dev)
        redis.call('PEXPIREAT', 'sa:{'..uid..'}:devices', now + 86400000*400)
      else
        redis.call('HSET', 'sa:{'..uid..'}:user', 'd:'..dev, b36(now + 86400000*90))
      end
    end
  end
end
local after = tonumber(string.match(redis.call('INFO', 'memory'), 'used_memory:(%d+)'))
return tostring((after - before) / (users * 2))
