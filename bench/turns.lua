-- wrk script: POSTs customer turns, spreading requests over many conversations so no two in-flight
-- requests share one (a conversation answers one turn at a time).
-- args: <chat key> <file with one conversation id per line>
local ids = {}
local counter = 0
local first, slice, key
local messages = {
  "Hi, I want a refund for order A-10442, it arrived broken.",
  "My email is sam@example.com and my phone is +1 415 555 0199.",
  "Can you tell me where my delivery is? Tracking number ZX-88123.",
  "Thanks. Also, I was charged $45.99 twice on 2026-11-02.",
}
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  key = args[1]
  for line in io.lines(args[2]) do
    if #line > 0 then table.insert(ids, line) end
  end
  local nthreads = tonumber(args[3] or "1")
  slice = math.floor(#ids / nthreads)
  first = tid * slice
end

-- per-thread tallies of answer statuses, reported by done()
s200, s409, s413, s429, s503, s5xx, sother = 0, 0, 0, 0, 0, 0, 0

function response(status, headers, body)
  if status == 200 then s200 = s200 + 1
  elseif status == 409 then s409 = s409 + 1
  elseif status == 429 then s429 = s429 + 1
  elseif status == 503 then s503 = s503 + 1
  elseif status >= 500 then s5xx = s5xx + 1
  else sother = sother + 1 end
end

function done(summary, latency, requests)
  local totals = { s200 = 0, s409 = 0, s429 = 0, s503 = 0, s5xx = 0, sother = 0 }
  for _, t in ipairs(threads) do
    for k, _ in pairs(totals) do totals[k] = totals[k] + (t:get(k) or 0) end
  end
  io.write(string.format("statuses: 200=%d 409=%d 429=%d 503=%d other5xx=%d other=%d\n",
    totals.s200, totals.s409, totals.s429, totals.s503, totals.s5xx, totals.sother))
end

function request()
  counter = counter + 1
  local id = ids[first + (counter % slice) + 1]
  local body = '{"content":"' .. messages[(counter % #messages) + 1] .. '"}'
  return wrk.format("POST", "/api/v1/conversations/" .. id .. "/messages",
    { ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json" }, body)
end
