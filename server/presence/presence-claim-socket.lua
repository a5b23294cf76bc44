-- KEYS: the user's sockets
-- ARGV: connection field, most sockets allowed, instance key prefix, this instance id, key TTL seconds
-- Sockets of processes without a heartbeat are forgotten first, so a crash frees its slots.
local count, alive = 0, {}
for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
  local instance = string.match(f, '^([^/]+)/')
  if instance and alive[instance] == nil then
    alive[instance] = instance == ARGV[4] or redis.call('EXISTS', ARGV[3] .. instance) == 1
  end
  if instance and alive[instance] then count = count + 1 else redis.call('HDEL', KEYS[1], f) end
end
if count >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], '1')
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
