-- Stores a shared client profile (ClientProfiles): written once, since its key names a hash of its
-- content, and kept at least as long as the session about to use it can live.
-- Keys as named in store.RedisSchema.
-- KEYS: client profile
-- ARGV: content, keep until ms, now ms
-- Answers 1 when it wrote the profile, 0 when it was there already.
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
  return 1
end
keep_at_least_until(KEYS[1], tonumber(ARGV[3]), tonumber(ARGV[2]))
return 0
