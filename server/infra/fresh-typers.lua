-- Ids of a typing hash (user id -> ms of the last typing:start) whose entry is at or after the
-- cut-off; the hash's version field is no user.
local function freshTypers(key, cutoff)
  local entries = redis.call('HGETALL', key)
  local users = {}
  for i = 1, #entries, 2 do
    if entries[i] ~= TYPING_VERSION and tonumber(entries[i + 1]) >= tonumber(cutoff) then users[#users + 1] = entries[i] end
  end
  return users
end
