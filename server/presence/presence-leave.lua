-- KEYS: conns, online, typing
-- ARGV: connection field, user id
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return {0, 0} end
for _, user in ipairs(redis.call('HVALS', KEYS[1])) do
  if user == ARGV[2] then return {0, 0} end
end
redis.call('SREM', KEYS[2], ARGV[2])
local stoppedTyping = redis.call('HDEL', KEYS[3], ARGV[2])
if stoppedTyping == 1 then bumpTyping(KEYS[3]) end
return {1, stoppedTyping}
