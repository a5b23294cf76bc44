-- KEYS: typing; ARGV: user id, now, cut-off
if redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) == 0 then return false end
return freshTypers(KEYS[1], ARGV[3])
