-- KEYS: online, announced; ARGV: user id
-- 1 when the user is offline and the room still believes them online: now it is to be told.
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 0 end
return redis.call('HDEL', KEYS[2], ARGV[1])
