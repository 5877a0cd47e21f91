-- wrk request script for bench/redis.sh: POST /payments with an Idempotency-Key.
-- IDEM_KEY unset: every request gets a fresh UUID v4 (the new-key path: claim + complete).
-- IDEM_KEY set:   every request reuses that key (the replay path: one claim).
local fixed_key = os.getenv("IDEM_KEY")
local body = '{"amount":1000,"currency":"EUR"}'
local thread_counter = 0

function setup(thread)
  thread_counter = thread_counter + 1
  thread:set("thread_id", thread_counter)
end

function init(args)
  -- Distinct seeds per thread, so threads never draw the same keys.
  math.randomseed(os.time() * 1000 + (thread_id or 0) * 7919 + math.floor(os.clock() * 1e6))
end

local function hex(n)
  local out = {}
  for i = 1, n do out[i] = string.format("%x", math.random(0, 15)) end
  return table.concat(out)
end

local function uuid4()
  local variant = string.format("%x", math.random(8, 11))
  return hex(8) .. "-" .. hex(4) .. "-4" .. hex(3) .. "-" .. variant .. hex(3) .. "-" .. hex(12)
end

function request()
  local headers = {
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = fixed_key or uuid4(),
  }
  return wrk.format("POST", "/payments", headers, body)
end
