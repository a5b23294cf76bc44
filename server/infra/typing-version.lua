-- A typing hash also holds `_v`, the version of who is typing, bumped by every script that
-- changes the list so clients can drop snapshots that arrive late
-- (docs/architecture.md#snapshots-carry-versions). It starts from Redis's clock, in microseconds,
-- so a Redis that lost its data still counts on from above every version handed out before.
local TYPING_VERSION = '_v'
local function bumpTyping(key)
  if redis.call('HEXISTS', key, TYPING_VERSION) == 0 then
    local now = redis.call('TIME')
    redis.call('HSET', key, TYPING_VERSION, now[1] .. string.format('%06d', tonumber(now[2])))
  end
  return redis.call('HINCRBY', key, TYPING_VERSION, 1)
end
