-- KEYS: typing; ARGV: user id, now, cut-off
-- Answers false when the user was already typing, else the new version and who types.
if redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) == 0 then return false end
return {bumpTyping(KEYS[1]), freshTypers(KEYS[1], ARGV[3])}
