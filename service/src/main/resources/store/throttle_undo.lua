-- Takes back one attempt counted by throttle_attempt (it succeeded, or failed for another reason
-- than the password, or its caller never learned how it went), lifting the lock if the count falls
-- below the threshold again. Only an attempt whose id is still beside the count is taken back: one
-- that was never counted (refused while locked, or never run) or already settled changes nothing,
-- so taking back is safe to repeat and to send before knowing whether the attempt ran.
-- Keys and fields as named in store.RedisSchema.
-- KEYS: counter
-- ARGV: max failures, attempt id
-- Answers the failures left, or -1 when there was nothing to take back.
if redis.call('HDEL', KEYS[1], 'a:' .. ARGV[2]) == 0 then
  return -1
end
local failures = redis.call('HINCRBY', KEYS[1], 'f', -1)
if failures <= 0 then
  redis.call('DEL', KEYS[1])
elseif failures < tonumber(ARGV[1]) then
  redis.call('HDEL', KEYS[1], 'lu')
end
return failures
