-- wrk script for bench/callback.py: replays pre-generated, signed and encrypted WeChat callbacks,
-- each exactly once (a repeated MsgId would be a retry, a different and cheaper path).
--
--   wrk -t1 -c32 -d10s --latency -s bench/callback.lua http://127.0.0.1:PORT -- REQUESTS_FILE
--
-- REQUESTS_FILE has one request a line: the query string, a tab, the XML body. Meant for ONE
-- wrk thread (the counter lives in that thread). When the file runs out the thread stops and
-- `done` reports `exhausted=1`; wrk's own rate then counts the idle rest of the duration, so
-- `done` also reports the responses seen and the time elapsed (LuaJIT's ffi clock) from the first
-- request to that moment, for the caller to compute the rate from.

local ok_ffi, ffi = pcall(require, "ffi")
if ok_ffi then
   pcall(ffi.cdef, [[
      typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
      int clock_gettime(int clock_id, bench_timespec *tp);
   ]])
end

function now_us() -- global: bench/paced.lua uses it
   if not ok_ffi then
      return 0
   end
   local ts = ffi.new("bench_timespec")
   ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
   return tonumber(ts.tv_sec) * 1000000 + tonumber(ts.tv_nsec) / 1000
end

-- main state: the thread handles, read back in done()
threads = {} -- global: bench/paced.lua reads it

function setup(thread)
   table.insert(threads, thread)
end

-- thread state; globals, so that done() can read them with thread:get()
local prepared = {}
count = 0      -- requests in the file
handed = 0     -- requests handed to wrk (the first one goes to wrk's own check, unsent)
answered = 0   -- responses seen
bad = 0        -- responses under 400 that are not a 200 with an <Encrypt> reply
extra = 0      -- repeats handed out after the file ran out
first_us = 0   -- when the first real request was handed out
stop_us = 0    -- when the file ran out
answered_at_stop = 0
exhausted = 0

function init(args)
   local path = args[1]
   for line in io.lines(path) do
      local tab = line:find("\t", 1, true)
      if tab then
         count = count + 1
         prepared[count] = wrk.format(
            "POST",
            "/wechat/mp?" .. line:sub(1, tab - 1),
            { ["Content-Type"] = "text/xml" },
            line:sub(tab + 1)
         )
      end
   end
   if count == 0 then
      error("no requests in " .. tostring(path))
   end
end

function request()
   if handed < count then
      handed = handed + 1
      if handed == 2 then
         first_us = now_us()
      end
      return prepared[handed]
   end
   -- Out of fresh messages: note the time, stop the thread, and hand out a repeat of the last
   -- message (a retry for the server; counted in `extra`) since wrk writes whatever we return.
   if exhausted == 0 then
      exhausted = 1
      stop_us = now_us()
      answered_at_stop = answered
      wrk.thread:stop()
   end
   extra = extra + 1
   return prepared[count]
end

function response(status, headers, body)
   answered = answered + 1
   -- (wrk itself counts statuses of 400 and above)
   if status < 400 and (status ~= 200 or not body:find("<Encrypt>", 1, true)) then
      bad = bad + 1
   end
end

function done(summary, latency, _)
   local t = threads[1]
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d connect=%d read=%d "
         .. "write=%d timeout=%d bad=%d answered=%d available=%d exhausted=%d extra=%d "
         .. "answered_at_stop=%d active_us=%d\n",
      summary.requests,
      summary.duration,
      latency:percentile(50),
      latency:percentile(99),
      e.status,
      e.connect,
      e.read,
      e.write,
      e.timeout,
      t:get("bad"),
      t:get("answered"),
      t:get("count"),
      t:get("exhausted"),
      t:get("extra"),
      t:get("answered_at_stop"),
      math.max(t:get("stop_us") - t:get("first_us"), 0)
   ))
end
