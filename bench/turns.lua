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

function request()
  counter = counter + 1
  local id = ids[first + (counter % slice) + 1]
  local body = '{"content":"' .. messages[(counter % #messages) + 1] .. '"}'
  return wrk.format("POST", "/api/v1/conversations/" .. id .. "/messages",
    { ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json" }, body)
end
