-- Admits one login attempt on a failure counter, counting it as a failure before the password is
-- even checked: concurrent guesses cannot all slip past a check that only counts afterwards. The
-- attempt leaves its id ('a:<id>') beside the count until it is settled: a wrong password keeps the
-- count (HDEL of the id), anything else takes it back (throttle_undo), a success of the username's
-- own counters deletes them. The id is what makes taking back exact: an attempt whose caller never
-- learned the outcome (a command that timed out and ran later, when Redis came back) is taken back
-- once, and only if it was counted.
-- The counter locks once it reaches its threshold, for one step, growing by a step per further
-- failure, up to a maximum; a locked counter admits nothing and counts nothing.
-- Keys and fields as named in store.RedisSchema.
-- KEYS: counter
-- ARGV: now, max failures, step ms, max lockout ms, window ms, attempt id
-- Answers the time the counter is locked until, when the attempt is refused; 0 when admitted.
local now, max_failures = tonumber(ARGV[1]), tonumber(ARGV[2])
local step, max_lockout, window = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local locked_until = tonumber(redis.call('HGET', KEYS[1], 'lu') or '0')
if locked_until > now then
  return locked_until
end
local failures = redis.call('HINCRBY', KEYS[1], 'f', 1)
redis.call('HSET', KEYS[1], 'a:' .. ARGV[6], 1)
local lock = 0
if failures >= max_failures then
  lock = now + math.min(step * (failures - max_failures + 1), max_lockout)
  redis.call('HSET', KEYS[1], 'lu', lock)
end
redis.call('PEXPIREAT', KEYS[1], math.max(lock, now + window))
return 0
