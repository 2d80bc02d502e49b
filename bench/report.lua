-- wrk script: a finance client reading one tenant's monthly report. args: <finance key> <tenant id> [csv]
local key, tenant, accept
function init(args)
  key = args[1]
  tenant = args[2]
  accept = args[3] == "csv" and "text/csv" or "application/json"
end
function request()
  return wrk.format("GET", "/api/v1/costs/monthly/" .. tenant,
    { ["Authorization"] = "Bearer " .. key, ["Accept"] = accept })
end
