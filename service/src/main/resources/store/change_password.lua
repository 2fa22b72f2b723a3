-- Replaces a password hash if it is still the expected one (compare-and-set) and, when asked,
-- revokes the user's other sessions in the same step: a password change and the revocation it
-- implies happen together or not at all.
-- Keys and fields as named in store.RedisSchema.
-- KEYS: user, index (where versions before kept it), revoked, ends, clients, devices (where versions before kept them)
-- ARGV: expected hash, new hash, revoke ('1' or '0'), now, forget ms, session id to keep, session key prefix,
--       end reason code, device id to keep ('' for none)
-- With revoke, the user's known devices are forgotten too, but the one to keep.
-- Answers the number of sessions revoked, or -1 when the hash was not the expected one.
if redis.call('HGET', KEYS[1], 'pw') ~= ARGV[1] then
  return -1
end
redis.call('HSET', KEYS[1], 'pw', ARGV[2])
if ARGV[3] ~= '1' then
  -- A rehash (the same password, a stronger hash): a login verified against the hash it replaces
  -- may still be about to start its session (create_session.lua accepts it by 'pwp'). Only its
  -- digest is kept: an imported hash may be weak, and is never needed again at rest.
  redis.call('HSET', KEYS[1], 'pwp', redis.sha1hex(ARGV[1]))
  return 0
end
-- A new password: no login verified against an earlier hash may start a session any more.
redis.call('HDEL', KEYS[1], 'pwp')
local now, forget = tonumber(ARGV[4]), tonumber(ARGV[5])
local index = session_index(KEYS[1], KEYS[2], now - forget)
local count = revoke_all(KEYS[1], index, KEYS[3], KEYS[4], KEYS[5], ARGV[7], ARGV[6], ARGV[8], now, forget)
forget_devices(KEYS[1], KEYS[6], ARGV[9] or '', tonumber(ARGV[4]))
return count
