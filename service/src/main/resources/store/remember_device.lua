-- Remembers a known device of a user (the one-way id of a device token a successful login handed
-- out) until its expiry, forgets expired devices and, past the cap, the ones that expire first.
-- The token a device presented to that login, if any, is rotated out: it stays known only until the
-- grace expiry (requests of one browser racing each other may still present it), never longer.
-- Keys and fields as named in store.RedisSchema.
-- KEYS: devices
-- ARGV: device id, expiry ms, now ms, max devices, replaced device id ('' for none), its grace expiry ms
-- Answers the number of devices remembered.
local expiry, now, max_devices = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZADD', KEYS[1], expiry, ARGV[1])
if ARGV[5] and ARGV[5] ~= '' then
  redis.call('ZADD', KEYS[1], 'XX', 'LT', tonumber(ARGV[6]), ARGV[5])
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local count = redis.call('ZCARD', KEYS[1])
if count > max_devices then
  redis.call('ZPOPMIN', KEYS[1], count - max_devices)
  count = max_devices
end
expire_after_top(KEYS[1], 0)
return count
