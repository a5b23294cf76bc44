-- KEYS: typing; ARGV: user id, cut-off
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return false end
return freshTypers(KEYS[1], ARGV[2])
