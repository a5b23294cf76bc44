-- KEYS: conns, online, typing; ARGV: instance key prefix, this instance id
return prune(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2])
