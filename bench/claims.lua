-- wrk script: agents claiming the next handoff. args: <agent key>
local key
function init(args)
  key = args[1]
end
function request()
  return wrk.format("POST", "/api/v1/handoffs/claim-next",
    { ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json" }, "{}")
end
