-- Drops connections of processes without a heartbeat (never selfInstance); users left with no
-- connection go offline and stop typing. Returns those users.
local function prune(conns, online, typing, instancePrefix, selfInstance)
  local entries = redis.call('HGETALL', conns)
  local alive, liveUsers = {}, {}
  for i = 1, #entries, 2 do
    local field, user = entries[i], entries[i + 1]
    local instance = string.match(field, '^([^/]+)/')
    if instance and alive[instance] == nil then
      alive[instance] = instance == selfInstance or redis.call('EXISTS', instancePrefix .. instance) == 1
    end
    if instance and alive[instance] then
      liveUsers[user] = true
    else
      redis.call('HDEL', conns, field)
    end
  end
  local gone = {}
  for _, user in ipairs(redis.call('SMEMBERS', online)) do
    if not liveUsers[user] then
      redis.call('SREM', online, user)
      if redis.call('HDEL', typing, user) == 1 then bumpTyping(typing) end
      gone[#gone + 1] = user
    end
  end
  return gone
end
