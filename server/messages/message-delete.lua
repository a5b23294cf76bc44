-- KEYS: message
-- ARGV: room id, user id
local raw = redis.call('GET', KEYS[1])
if not raw or string.sub(raw, 1, 1) ~= '{' then return {'missing'} end
local room, _, roomEnd = roomOf(raw)
if room ~= ARGV[1] then return {'missing'} end
if string.match(raw, '^,"userId":(%d+)', roomEnd + 1) ~= ARGV[2] then return {'forbidden'} end
local seq = string.match(raw, '"seq":(%d+)}$')
redis.call('SET', KEYS[1], 'x:' .. room .. ':' .. seq, 'KEEPTTL')
return {'ok', raw}
