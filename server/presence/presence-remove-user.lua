-- KEYS: conns, online, typing
-- ARGV: user id
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  if entries[i + 1] == ARGV[1] then redis.call('HDEL', KEYS[1], entries[i]) end
end
return {redis.call('SREM', KEYS[2], ARGV[1]), redis.call('HDEL', KEYS[3], ARGV[1])}
