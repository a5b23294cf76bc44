-- KEYS: conns, online, typing, this instance's rooms, announced
-- ARGV: connection field, user id, room id, instance key prefix, this instance id
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[4], ARGV[3])
local gone = prune(KEYS[1], KEYS[2], KEYS[3], ARGV[4], ARGV[5])
local added = redis.call('SADD', KEYS[2], ARGV[2])
-- The room hears of the arrival only when it was told the user had gone (or never heard of them).
local announce = 0
if added == 1 then announce = redis.call('HSETNX', KEYS[5], ARGV[2], '1') end
return {added, gone, redis.call('SMEMBERS', KEYS[2]), announce}
