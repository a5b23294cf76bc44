-- KEYS: message, msglist, head, last message
-- ARGV: room id, user id, '1' when the user owns the room (may delete anyone's message),
--       message key prefix, scan budget
local raw = redis.call('GET', KEYS[1])
if not raw or string.sub(raw, 1, 1) ~= '{' then return {'missing'} end
local room, _, roomEnd = roomOf(raw)
if room ~= ARGV[1] then return {'missing'} end
if ARGV[3] ~= '1' and string.match(raw, '^,"userId":(%d+)', roomEnd + 1) ~= ARGV[2] then return {'forbidden'} end
local seq = tonumber(string.match(raw, '"seq":(%d+)}$'))
redis.call('SET', KEYS[1], 'x:' .. room .. ':' .. seq, 'KEEPTTL')

-- Was it the room list's preview? Then find the message before it (tombstones skipped; a missing
-- key means expired, and so is everything before it) for the caller to preview instead.
local last = redis.call('GET', KEYS[4])
local id = string.sub(KEYS[1], #ARGV[4] + 1)
if not last or string.sub(last, 1, #id + 8) ~= '{"id":"' .. id .. '"' then return {'ok', raw, 0} end
local head = tonumber(redis.call('GET', KEYS[3]) or '0')
local index = seq - head - 1
local budget = tonumber(ARGV[5])
while index >= 0 and budget > 0 do
  local key = ARGV[4] .. redis.call('LINDEX', KEYS[2], index)
  local body = redis.call('GET', key)
  if not body then break end
  if string.sub(body, 1, 1) == '{' then return {'ok', raw, 1, body, redis.call('PTTL', key)} end
  index = index - 1
  budget = budget - 1
end
return {'ok', raw, 1}
