-- KEYS: conns, online, typing, this instance's rooms
-- ARGV: connection field, user id, room id, instance key prefix, this instance id
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[4], ARGV[3])
local gone = prune(KEYS[1], KEYS[2], KEYS[3], ARGV[4], ARGV[5])
local added = redis.call('SADD', KEYS[2], ARGV[2])
return {added, gone, redis.call('SMEMBERS', KEYS[2])}
