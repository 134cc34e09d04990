-- wrk: a different query string on every request, optionally stopping after N responses
-- per thread. Arguments: <path prefix> [<path suffix>] [<responses per thread>]
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  prefix = args[1]
  suffix = args[2] or ""
  limit = tonumber(args[3] or "0")
  sent = 0
  received = 0
end

function request()
  sent = sent + 1
  return wrk.format(nil, prefix .. "zq" .. id .. "x" .. sent .. suffix)
end

function response(status, headers, body)
  received = received + 1
  if limit > 0 and received >= limit then
    wrk.thread:stop()
  end
end
