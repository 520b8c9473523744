-- wrk script for bench/webservice_load.py: rotate through many distinct requests.
--
--   wrk -s bench/webservice_load.lua http://127.0.0.1:PORT -- requests.tsv
--
-- requests.tsv holds one request per line: a path, then optional tab-separated
-- "Name: value" headers. Every line is a different device or pass, so the load
-- does not sit on one hot row. Each thread starts at a different line.
-- done() prints one machine-readable RESULT line that the Python driver parses.

local requests = {}
local position = 0
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_number", thread_count)
end

function init(args)
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    local headers = {}
    local path = nil
    for part in line:gmatch("[^\t]+") do
      if path == nil then
        path = part
      else
        local name, value = part:match("^([^:]+):%s*(.*)$")
        headers[name] = value
      end
    end
    requests[#requests + 1] = wrk.format("GET", path, headers)
  end
  file:close()
  -- Spread the threads over the file instead of walking it in step.
  position = ((thread_number or 1) - 1) * 7919 % #requests
end

function request()
  position = position % #requests + 1
  return requests[position]
end

function done(summary, latency, _requests)
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d mean_us=%.1f " ..
    "connect_errors=%d read_errors=%d write_errors=%d timeouts=%d status_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50.0), latency:percentile(99.0),
    latency.mean, errors.connect, errors.read, errors.write, errors.timeout, errors.status))
end
