#!lua flags=allow-oom
-- Appends one event to the revocation log, trimming what is older than the retention. Allowed
-- while Redis is out of memory (noeviction): ending sessions must keep working in a memory
-- incident, and a revoke is acknowledged only once its event is in the log. Events are small.
-- Runs without the shared prelude: the flags line must come first. Keys as in store.RedisSchema.
-- KEYS: revocations
-- ARGV: trim below this id (MINID ~), field, value, ...
return redis.call('XADD', KEYS[1], 'MINID', '~', ARGV[1], '*', unpack(ARGV, 2))
