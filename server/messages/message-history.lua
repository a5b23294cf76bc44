-- KEYS: msglist, head
-- ARGV: message key prefix, room id, before id ('' for the newest page), page size, scan budget, page bytes
local list, headKey, prefix, roomId, beforeId = KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3]
local pageSize, budget, maxBytes = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local head = tonumber(redis.call('GET', headKey) or '0')
local len = redis.call('LLEN', list)

local function trim(count)
  redis.call('LTRIM', list, count, -1)
  redis.call('INCRBY', headKey, count)
  head = head + count
  len = len - count
end
local function kept(index)
  local id = redis.call('LINDEX', list, index)
  return id and redis.call('EXISTS', prefix .. id) == 1
end

local stop
if beforeId == '' then
  -- Trim the expired prefix: gallop to a kept id, then binary search its start. One EXISTS when
  -- nothing expired; O(log n) steps otherwise, however long the history.
  if len > 0 and not kept(0) then
    local lo, hi = 0, 1
    while hi < len and not kept(hi) do lo = hi; hi = hi * 2 end
    if hi > len then hi = len end
    while hi - lo > 1 do
      local mid = math.floor((lo + hi) / 2)
      if kept(mid) then hi = mid else lo = mid end
    end
    trim(hi)
  end
  stop = len
else
  local raw = redis.call('GET', prefix .. beforeId)
  if not raw then return {'expired'} end
  local room, seq
  if string.sub(raw, 1, 1) == '{' then
    room = roomOf(raw)
    seq = string.match(raw, '"seq":(%d+)}$')
  else
    room, seq = string.match(raw, '^x:([^:]*):(%d+)$')
  end
  if room ~= roomId or not seq then return {'missing'} end
  stop = math.min(tonumber(seq) - head, len)
end

-- Walk back from stop until the page is full (in count or bytes), skipping tombstones. Small
-- batches: a room of large drawings fills the byte budget after a few, and reading more would
-- copy megabytes inside Redis for nothing.
local found = {}
local bytes = 0
local scanned = 0
local expiredAt = -1
local full = false
while #found < pageSize and stop > 0 do
  local start = math.max(0, stop - math.min(pageSize - #found, 10))
  local ids = redis.call('LRANGE', list, start, stop - 1)
  if #ids == 0 then break end
  local keys = {}
  for i = 1, #ids do keys[i] = prefix .. ids[i] end
  local bodies = redis.call('MGET', unpack(keys))
  for i = #bodies, 1, -1 do
    local body = bodies[i]
    if not body then expiredAt = start + i - 1; break end
    if string.sub(body, 1, 1) == '{' then
      -- The page ends before the message that would pass the budget: that one starts the next page.
      if #found > 0 and bytes + #body > maxBytes then full = true; stop = start + i; break end
      found[#found + 1] = body
      bytes = bytes + #body
    end
  end
  if expiredAt >= 0 or full then break end
  stop = start
  scanned = scanned + #ids
  if scanned >= budget and #found > 0 then break end
end
if expiredAt >= 0 then
  trim(expiredAt + 1)
  stop = 0
end
local reply = {'ok', stop > 0 and 1 or 0}
for i = 1, #found do reply[#reply + 1] = found[i] end
return reply
