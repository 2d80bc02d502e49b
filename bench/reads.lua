-- wrk script: the read-only comparison: GET a conversation's transcript.
-- args: <chat key> <file with one conversation id per line>
local ids = {}
local counter = 0
local key

function init(args)
  key = args[1]
  for line in io.lines(args[2]) do
    if #line > 0 then table.insert(ids, line) end
  end
end

function request()
  counter = counter + 1
  return wrk.format("GET", "/api/v1/conversations/" .. ids[(counter % #ids) + 1] .. "/messages?after=0&limit=20",
    { ["Authorization"] = "Bearer " .. key })
end
