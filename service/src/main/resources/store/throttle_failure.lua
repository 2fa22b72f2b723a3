-- Counts one failed login on a counter and locks it once it reaches its threshold: the lockout
-- is one step at the threshold and grows by a step per further failure, up to a maximum.
-- KEYS: counter
-- ARGV: now, max failures, step ms, max lockout ms, window ms
-- Answers the time the counter is locked until (0 when it is not locked).
local now, max_failures = tonumber(ARGV[1]), tonumber(ARGV[2])
local step, max_lockout, window = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local failures = redis.call('HINCRBY', KEYS[1], 'f', 1)
local locked_until = 0
if failures >= max_failures then
  locked_until = now + math.min(step * (failures - max_failures + 1), max_lockout)
  redis.call('HSET', KEYS[1], 'lu', locked_until)
end
redis.call('PEXPIREAT', KEYS[1], math.max(locked_until, now + window))
return locked_until
