-- The room and where its header ends, read from the fixed layout without decoding the message.
local function roomOf(raw)
  local s, e = string.find(raw, ',"roomId":"', 1, true)
  if not s then return nil end
  local close = string.find(raw, '"', e + 1, true)
  return string.sub(raw, e + 1, close - 1), s, close
end
