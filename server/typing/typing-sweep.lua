-- KEYS: typing hashes of several rooms; ARGV: cut-off
-- Answers, for each room where an entry was dropped: its position in KEYS, the new version, how
-- many are still typing, and their ids.
local out = {}
for k = 1, #KEYS do
  local entries = redis.call('HGETALL', KEYS[k])
  local users, removed = {}, 0
  for i = 1, #entries, 2 do
    if entries[i] == TYPING_VERSION then
      -- not a user
    elseif tonumber(entries[i + 1]) < tonumber(ARGV[1]) then
      redis.call('HDEL', KEYS[k], entries[i])
      removed = removed + 1
    else
      users[#users + 1] = entries[i]
    end
  end
  if removed > 0 then
    out[#out + 1] = k
    out[#out + 1] = bumpTyping(KEYS[k])
    out[#out + 1] = #users
    for _, user in ipairs(users) do out[#out + 1] = user end
  end
end
return out
