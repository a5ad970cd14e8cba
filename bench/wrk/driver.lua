-- The load generator's script for wrk (bench/loadgen.py runs it; see there for the modes).
--
-- wrk runs with as many threads as connections, so in each thread a request and its response
-- strictly alternate: every latency is measured here, per request and per kind, with the wall
-- clock, and none of wrk's own coordinated-omission correction is applied to it.
--
-- Environment (read in every thread):
--   BENCH_MODE     get | book | mix
--   BENCH_THREADS  the number of wrk threads (each takes every BENCH_THREADS-th plan line)
--   BENCH_PLAN     book/mix: a file of "token slot_id idempotency_key" lines, one a participant
--   BENCH_PATHS    get/mix: space-separated paths a page view picks from uniformly
--   BENCH_BOOKING  mix: the share of registrations among requests (0.2)
--   BENCH_OUT      where the main thread writes the raw results
--   BENCH_DONE     book/mix: a thread appends a line here once its share is answered

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clk_id, bench_timespec *tp);
]]
local clock = ffi.new("bench_timespec[1]")

local function now()
  ffi.C.clock_gettime(0, clock) -- CLOCK_REALTIME: comparable with the database's timestamps
  return tonumber(clock[0].tv_sec) + tonumber(clock[0].tv_nsec) / 1e9
end

-- Main thread ------------------------------------------------------------------------------------

local threads = {}

function setup(thread)
  thread:set("index", #threads)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local out = assert(io.open(os.getenv("BENCH_OUT"), "w"))
  for _, thread in ipairs(threads) do
    out:write("thread ", thread:get("index"), " ", thread:get("first") or 0, " ",
      thread:get("last") or 0, "\n")
    local records = thread:get("records") or {}
    for _, line in ipairs(records) do
      out:write(line, "\n")
    end
  end
  out:close()
end

-- Worker threads ---------------------------------------------------------------------------------

local mode, mine, paths, booking_share
local position = 0 -- participants of this thread sent so far
local verifying = false
local kind, sent_at
local body = '{"companions":[],"waitlist_ok":false}'
records = {}
first = nil
last = nil

function init(args)
  mode = os.getenv("BENCH_MODE")
  local count = tonumber(os.getenv("BENCH_THREADS"))
  booking_share = tonumber(os.getenv("BENCH_BOOKING") or "0.2")
  paths = {}
  for path in string.gmatch(os.getenv("BENCH_PATHS") or "", "%S+") do
    table.insert(paths, path)
  end
  mine = {}
  if mode ~= "get" then
    local n = 0
    for line in io.lines(os.getenv("BENCH_PLAN")) do
      if n % count == index then
        local token, slot, key = line:match("(%S+) (%S+) (%S+)")
        table.insert(mine, { token = token, slot = slot, key = key })
      end
      n = n + 1
    end
  end
  math.randomseed(1000 + index)
  -- wrk calls request() once on thread 0 before the run to inspect it: that call sends nothing.
  verifying = index == 0
end

local function registration(p)
  return wrk.format("POST", "/api/v1/slots/" .. p.slot .. "/registrations", {
    ["Authorization"] = "Bearer " .. p.token,
    ["Idempotency-Key"] = p.key,
    ["Content-Type"] = "application/json",
  }, body)
end

local page_path

local function page()
  return wrk.format("GET", page_path)
end

function request()
  if verifying then
    verifying = false
    if mode == "get" then return wrk.format("GET", paths[1]) end
    return registration(mine[1])
  end
  if mode == "get" or (mode == "mix" and math.random() >= booking_share) then
    page_path = paths[math.random(#paths)]
    -- JSON reads and HTML pages are told apart in the results.
    kind = page_path:sub(1, 5) == "/api/" and "json" or "page"
  else
    kind = "book"
  end
  sent_at = now()
  if first == nil then first = sent_at end
  if kind ~= "book" then return page() end
  position = position + 1
  return registration(mine[position])
end

function response(status, headers, response_body)
  local at = now()
  last = at
  local code = "-"
  local id = "-"
  if kind == "book" then
    code = response_body:match('"code"%s*:%s*"([%w_]+)"') or "-"
    if status == 201 then
      id = response_body:match('"id"%s*:%s*(%d+)') or "?"
    end
  end
  table.insert(records, string.format("%s %d %s %s %.6f %.6f", kind, status, code, id,
    at - sent_at, at))
  if mode ~= "get" and position >= #mine then
    local marker = assert(io.open(os.getenv("BENCH_DONE"), "a"))
    marker:write(index, "\n")
    marker:close()
    wrk.thread:stop()
  end
end
