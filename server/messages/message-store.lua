-- KEYS: message, msglist, head, send rate, typing, last message, read markers, the author's messages
-- ARGV: JSON without its seq, TTL seconds, message id, user id, send interval (0: no limit), typing cut-off,
--       preview JSON without its seq, the author's entry ('{roomId} {messageId}')
if ARGV[5] ~= '0' and not redis.call('SET', KEYS[4], '1', 'EX', ARGV[5], 'NX') then
  return {0}
end
local length = redis.call('RPUSH', KEYS[2], ARGV[3])
local head = tonumber(redis.call('GET', KEYS[3]) or '0')
local seq = head + length - 1
redis.call('SET', KEYS[1], ARGV[1] .. seq .. '}', 'EX', ARGV[2])
-- The room list's preview lives as long as the message; writing in a room means having read it.
redis.call('SET', KEYS[6], ARGV[7] .. seq .. '}', 'EX', ARGV[2])
redis.call('HSET', KEYS[7], ARGV[4], seq)
-- What deleting the account must find again, in rooms the author has left too; kept as long as
-- the newest message it names.
redis.call('SADD', KEYS[8], ARGV[8])
redis.call('EXPIRE', KEYS[8], ARGV[2])
-- Sending a message ends its author's typing.
if redis.call('HDEL', KEYS[5], ARGV[4]) == 1 then
  return {1, seq, bumpTyping(KEYS[5]), freshTypers(KEYS[5], ARGV[6])}
end
return {1, seq, 0}
