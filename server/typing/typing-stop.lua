-- KEYS: typing; ARGV: user id, cut-off
-- Answers false when the user was not typing, else the new version and who still types.
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return false end
return {bumpTyping(KEYS[1]), freshTypers(KEYS[1], ARGV[2])}
