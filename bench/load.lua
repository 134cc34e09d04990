-- wrk script for bench/load.py: a mix of feeds, keyword feeds, API pages and
-- conditional requests (each connection remembers the last ETag of every path and sends
-- it back, so unchanged data answers 304). Counts 5xx separately from other answers.
local paths = {
  "/feeds/trending.atom", "/feeds/trending.rss", "/feeds/trending.json",
  "/feeds/trending.atom?scope=all", "/feeds/keyword/diffusion.atom",
  "/feeds/keyword/graph+neural.rss", "/feeds/keyword/agents.json?q=-video",
  "/api/v1/papers", "/api/v1/papers?scope=all&limit=50",
  "/api/v1/papers?q=diffusion&sort=-upvotes", "/api/v1/snapshots/latest",
}
local etags = {}
counts = {}  -- a global: the main thread reads it with thread:get()
local current = nil
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  counts = {ok = 0, not_modified = 0, server_error = 0, other = 0}
end

function request()
  current = paths[math.random(#paths)]
  local headers = {}
  if etags[current] ~= nil and math.random() < 0.5 then
    headers["If-None-Match"] = etags[current]
  end
  return wrk.format("GET", current, headers)
end

function response(status, headers, body)
  if status == 200 then
    counts.ok = counts.ok + 1
    etags[current] = headers["ETag"]
  elseif status == 304 then
    counts.not_modified = counts.not_modified + 1
  elseif status >= 500 then
    counts.server_error = counts.server_error + 1
  else
    counts.other = counts.other + 1
  end
end

function done(summary, latency, requests)
  local total = {ok = 0, not_modified = 0, server_error = 0, other = 0}
  for _, thread in ipairs(threads) do
    local c = thread:get("counts")
    for k, v in pairs(c) do total[k] = total[k] + v end
  end
  io.write(string.format("LOAD ok=%d not_modified=%d server_error=%d other=%d\n",
    total.ok, total.not_modified, total.server_error, total.other))
  io.write(string.format("LOAD socket connect=%d read=%d write=%d timeout=%d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout))
  io.write(string.format("LOAD latency p50=%.1f p99=%.1f max=%.1f ms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
