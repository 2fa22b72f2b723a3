-- Takes back one attempt counted by throttle_attempt (it succeeded, or failed for another reason
-- than the password), lifting the lock if the count falls below the threshold again.
-- Keys and fields as named in store.RedisSchema.
-- KEYS: counter
-- ARGV: max failures
local failures = redis.call('HINCRBY', KEYS[1], 'f', -1)
if failures <= 0 then
  redis.call('DEL', KEYS[1])
elseif failures < tonumber(ARGV[1]) then
  redis.call('HDEL', KEYS[1], 'lu')
end
return failures
