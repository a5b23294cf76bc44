-- KEYS: conns, online, typing
-- ARGV: user id
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  if entries[i + 1] == ARGV[1] then redis.call('HDEL', KEYS[1], entries[i]) end
end
local stoppedTyping = redis.call('HDEL', KEYS[3], ARGV[1])
if stoppedTyping == 1 then bumpTyping(KEYS[3]) end
return {redis.call('SREM', KEYS[2], ARGV[1]), stoppedTyping}
