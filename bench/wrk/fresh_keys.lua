-- wrk script: POST /payments with a fresh Idempotency-Key on every request (the execute path).
-- Keys are UUID v4 shaped; uniqueness comes from a per-thread id and a counter, not from luck.
local thread_counter = 0
function setup(thread)
  thread_counter = thread_counter + 1
  thread:set("thread_id", thread_counter)
end

local counter = 0
local run = 0
function init(args)
  math.randomseed(os.time() + (thread_id or 0) * 7919)
  run = math.random(0, 0xfffffff)
end

wrk.method = "POST"
wrk.body = '{"amount":1000,"currency":"EUR"}'
wrk.headers["Content-Type"] = "application/json"

function request()
  counter = counter + 1
  wrk.headers["Idempotency-Key"] = string.format("%08x-%04x-4%03x-a%03x-%04x%08x",
    run, thread_id or 0, math.random(0, 0xfff), math.random(0, 0xfff),
    math.floor(counter / 0x100000000) % 0x10000, counter % 0x100000000)
  return wrk.format()
end
