-- Remembers a known device of a user (the one-way id of a device token a successful login handed
-- out) until its expiry, forgets expired devices and, past the cap, the ones that expire first.
-- The token a device presented to that login, if any, is rotated out: it stays known only until the
-- grace expiry (requests of one browser racing each other may still present it), never longer.
-- Keys and fields as named in store.RedisSchema.
-- KEYS: user, devices (where versions before kept them: moved into the user's hash here)
-- ARGV: device id, expiry ms, now ms, max devices, replaced device id ('' for none), its grace expiry ms
-- Answers the number of devices remembered: 0 for a user deleted meanwhile, for whom nothing is written.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
local now, max_devices = tonumber(ARGV[3]), tonumber(ARGV[4])
move_known_devices(KEYS[1], KEYS[2], now)
redis.call('HSET', KEYS[1], 'd:' .. ARGV[1], ARGV[2])
if ARGV[5] and ARGV[5] ~= '' then
  local replaced = 'd:' .. ARGV[5]
  local held = tonumber(redis.call('HGET', KEYS[1], replaced) or '')
  if held and held > tonumber(ARGV[6]) then
    redis.call('HSET', KEYS[1], replaced, ARGV[6])
  end
end
local live, forgotten = {}, {}
for device, expiry in pairs(known_devices(KEYS[1])) do
  if expiry <= now then
    forgotten[#forgotten + 1] = 'd:' .. device
  else
    live[#live + 1] = {'d:' .. device, expiry}
  end
end
if #live > max_devices then
  table.sort(live, function(a, b)
    return a[2] < b[2] or (a[2] == b[2] and a[1] < b[1])
  end)
  for i = 1, #live - max_devices do
    forgotten[#forgotten + 1] = live[i][1]
  end
end
call_in_slices('HDEL', KEYS[1], forgotten)
return math.min(#live, max_devices)
