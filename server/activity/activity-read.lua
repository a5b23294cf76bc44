-- KEYS: msglist, head, read markers
-- ARGV: user id
-- Moves the user's marker to the room's newest message (never back); answers that seq (-1: none).
local seq = tonumber(redis.call('GET', KEYS[2]) or '0') + redis.call('LLEN', KEYS[1]) - 1
if seq < 0 then return -1 end
local marker = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '-1')
if seq > marker then redis.call('HSET', KEYS[3], ARGV[1], seq) end
return seq
