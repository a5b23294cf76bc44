-- KEYS: last message
-- ARGV: id of the deleted message it showed, new preview JSON ('' for none), its TTL in ms
-- Replaces the room list's preview only if it still shows the deleted message: a message sent
-- meanwhile has written its own.
local last = redis.call('GET', KEYS[1])
if not last or string.sub(last, 1, #ARGV[1] + 8) ~= '{"id":"' .. ARGV[1] .. '"' then return 0 end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return 1
