-- KEYS: message, reaction rate
-- ARGV: room id, user id, emoji, '1' to add / '0' to remove, reactions allowed per second
local count = redis.call('INCR', KEYS[2])
if count == 1 then redis.call('EXPIRE', KEYS[2], 1) end
if count > tonumber(ARGV[5]) then return {'rate'} end

local raw = redis.call('GET', KEYS[1])
local prefix = '{"reactions":'
if not raw or string.sub(raw, 1, #prefix) ~= prefix then return {'missing'} end
local room, headerEnd = roomOf(raw)
if room ~= ARGV[1] then return {'missing'} end

-- The header is the reaction list, then its version (absent in messages stored before versions).
local header = string.sub(raw, #prefix + 1, headerEnd - 1)
local versionLabel = ',"reactionsVersion":'
local versionAt = string.find(header, versionLabel, 1, true)
local version = 0
if versionAt then
  version = tonumber(string.sub(header, versionAt + #versionLabel))
  header = string.sub(header, 1, versionAt - 1)
end
local reactions = cjson.decode(header)
local userId, emoji, adding = tonumber(ARGV[2]), ARGV[3], ARGV[4] == '1'
local entry, entryIndex
for i, r in ipairs(reactions) do
  if r.emoji == emoji then entry, entryIndex = r, i end
end
local changed = false
if adding then
  if not entry then
    entry = {emoji = emoji, userIds = {}}
    reactions[#reactions + 1] = entry
  end
  local present = false
  for _, id in ipairs(entry.userIds) do if id == userId then present = true end end
  if not present then
    entry.userIds[#entry.userIds + 1] = userId
    changed = true
  end
elseif entry then
  local rest = {}
  for _, id in ipairs(entry.userIds) do
    if id == userId then changed = true else rest[#rest + 1] = id end
  end
  entry.userIds = rest
  if #rest == 0 then table.remove(reactions, entryIndex) end
end

-- Written by hand: cjson would turn an empty list into {} and big numbers into exponents.
local parts = {}
for _, r in ipairs(reactions) do
  local ids = {}
  for i, id in ipairs(r.userIds) do ids[i] = string.format('%d', id) end
  parts[#parts + 1] = '{"emoji":"' .. r.emoji .. '","userIds":[' .. table.concat(ids, ',') .. ']}'
end
local json = '[' .. table.concat(parts, ',') .. ']'
if changed then
  version = version + 1
  redis.call('SET', KEYS[1], prefix .. json .. versionLabel .. version .. string.sub(raw, headerEnd), 'KEEPTTL')
end
return {'ok', changed and 1 or 0, json, version}
