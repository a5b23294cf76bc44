-- KEYS: msglist, head, last message, read markers
-- ARGV: user id, message key prefix, most unread counted, scan budget, then the ids of senders hidden
--       from the user (people they blocked), if any
-- The room list's view of one room for one user: its last message, the user's marker, and how
-- many messages of others lie after it (tombstones and hidden senders skipped; a missing key means
-- expired, and so is everything before it). Only the head of each message is read, never a whole
-- drawing, except the newest shown message when the last one is hidden: the fourth answer is then
-- 1 and the first is that whole message ('' for none found).
local marker = tonumber(redis.call('HGET', KEYS[4], ARGV[1]) or '-1')
local head = tonumber(redis.call('GET', KEYS[2]) or '0')
local index = redis.call('LLEN', KEYS[1]) - 1
local most, budget = tonumber(ARGV[3]), tonumber(ARGV[4])
local unread = 0
local mine = ',"userId":' .. ARGV[1] .. ','
local hidden = {}
for i = 5, #ARGV do hidden[#hidden + 1] = ',"userId":' .. ARGV[i] .. ',' end
local function isHidden(top)
  for _, pattern in ipairs(hidden) do
    if string.find(top, pattern, 1, true) then return true end
  end
  return false
end
local last = redis.call('GET', KEYS[3]) or ''
local seeking = #hidden > 0 and last ~= '' and isHidden(last)
local shown = ''
while index >= 0 and budget > 0 and ((head + index > marker and unread < most) or seeking) do
  local id = redis.call('LINDEX', KEYS[1], index)
  local top = redis.call('GETRANGE', ARGV[2] .. id, 0, 2047)
  if top == '' then break end
  if string.sub(top, 1, 1) == '{' and not isHidden(top) then
    if seeking then
      shown = redis.call('GET', ARGV[2] .. id) or ''
      seeking = false
    end
    if head + index > marker and unread < most and not string.find(top, mine, 1, true) then unread = unread + 1 end
  end
  index = index - 1
  budget = budget - 1
end
if #hidden > 0 and last ~= '' and isHidden(last) then return {shown, marker, unread, 1} end
return {last, marker, unread, 0}
