-- KEYS: msglist, head, last message, read markers
-- ARGV: user id, message key prefix, most unread counted, scan budget
-- The room list's view of one room for one user: its last message, the user's marker, and how
-- many messages of others lie after it (tombstones skipped; a missing key means expired, and so
-- is everything before it). Only the head of each message is read, never a whole drawing.
local marker = tonumber(redis.call('HGET', KEYS[4], ARGV[1]) or '-1')
local head = tonumber(redis.call('GET', KEYS[2]) or '0')
local index = redis.call('LLEN', KEYS[1]) - 1
local most, budget = tonumber(ARGV[3]), tonumber(ARGV[4])
local unread = 0
local mine = ',"userId":' .. ARGV[1] .. ','
while index >= 0 and head + index > marker and unread < most and budget > 0 do
  local top = redis.call('GETRANGE', ARGV[2] .. redis.call('LINDEX', KEYS[1], index), 0, 2047)
  if top == '' then break end
  if string.sub(top, 1, 1) == '{' and not string.find(top, mine, 1, true) then unread = unread + 1 end
  index = index - 1
  budget = budget - 1
end
return {redis.call('GET', KEYS[3]) or '', marker, unread}
