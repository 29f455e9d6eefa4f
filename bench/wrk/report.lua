-- Shared by every benchmark script: collects each thread's counters and prints one
-- machine-readable line that bench/loadgen.py parses (latencies in microseconds).
local threads = {}
local next_thread_id = 0
failed = 0

function setup(thread)
  next_thread_id = next_thread_id + 1
  thread:set("thread_id", next_thread_id)
  table.insert(threads, thread)
end

local function read_file(path)
  local file = assert(io.open(path, "rb"))
  local content = file:read("*a")
  file:close()
  return content
end

function done(summary, latency, requests)
  local failures = 0
  local walks = 0
  for _, thread in ipairs(threads) do
    failures = failures + (thread:get("failed") or 0)
    walks = walks + (thread:get("walks") or 0)
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, ' ..
    '"p99_us": %d, "non2xx": %d, "socket_errors": %d, "timeouts": %d, "failed": %d, ' ..
    '"walks": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(99), errors.status,
    errors.connect + errors.read + errors.write, errors.timeout, failures, walks))
end
