-- wrk script for `python -m bench`, row (b): bench/callback.lua's fresh signed requests, sent at
-- a fixed rate instead of as fast as the server answers.
--
--   wrk -t1 -c32 -d10s --latency -s bench/paced.lua http://127.0.0.1:PORT -- REQUESTS_FILE RATE
--
-- wrk asks delay() before each request on a connection; here every call takes the next slot of
-- one schedule (start + k / RATE) and waits until it, so requests leave at RATE whatever the
-- latency, as long as a connection is free. A slot taken late (all connections busy, or the
-- timer's millisecond grain) is sent at once and counted: `late` slots over 1 ms behind, and
-- the worst lag. wrk times a request from when it is written, so with many late slots the
-- latencies would be too kind; the bench flags a run whose rate fell short.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "callback.lua")

local base_init, base_done = init, done
local interval_us, next_us = 0, 0
rate = 0
late = 0
max_late_us = 0
slots = 0

function init(args)
   base_init(args)
   rate = tonumber(args[2]) or 0
   if rate <= 0 then
      error("paced.lua needs a rate (requests per second) after the requests file")
   end
   interval_us = 1000000 / rate
end

function delay()
   local now = now_us()
   if next_us == 0 then
      next_us = now
   end
   local wait = next_us - now
   next_us = next_us + interval_us
   slots = slots + 1
   if wait < -1000 then
      late = late + 1
      max_late_us = math.max(max_late_us, -wait)
   end
   if wait <= 0 then
      return 0
   end
   return math.floor(wait / 1000 + 0.5)
end

function done(summary, latency, requests)
   base_done(summary, latency, requests)
   local t = threads[1]
   io.write(string.format(
      "PACE rate=%d slots=%d late=%d max_late_us=%d\n",
      t:get("rate"), t:get("slots"), t:get("late"), t:get("max_late_us")
   ))
end
