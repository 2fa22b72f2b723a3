-- Stores a new, not yet confirmed TOTP secret for a user, unless the user's factor is active.
-- Keys and fields as named in store.RedisSchema.
-- KEYS: user
-- ARGV: sealed secret
-- Answers 1 (stored), 0 (the factor is active: nothing written) or -1 (no such user).
if redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
if redis.call('HGET', KEYS[1], 'tf') == 'a' then
  return 0
end
redis.call('HDEL', KEYS[1], 'tfl', 'tfr')
redis.call('HSET', KEYS[1], 'tf', 'p', 'tfs', ARGV[1])
return 1
