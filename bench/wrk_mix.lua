-- wrk script: POSTs a weighted mix of request bodies, spread evenly (not in blocks) over a
-- shuffled cycle of 100 requests per thread. MIX="95:a.json,4:b.json,1:c.json" (weights
-- summing to 100). The RESULT line comes from the floor's own wrk_report.lua (REPORT_LUA),
-- so a mix run and a single-body run are reported by the same code.
dofile(os.getenv("REPORT_LUA"))

local cycle = {}
local next_i = 0

function init(args)
  local bodies = {}
  for weight, path in string.gmatch(os.getenv("MIX"), "(%d+):([^,]+)") do
    local f = assert(io.open(path, "rb"))
    local req = wrk.format("POST", nil, {["Content-Type"] = "application/json"}, f:read("*a"))
    f:close()
    for _ = 1, tonumber(weight) do
      table.insert(bodies, req)
    end
  end
  math.randomseed(18) -- the same order in every run and for both servers
  for i = #bodies, 2, -1 do
    local j = math.random(i)
    bodies[i], bodies[j] = bodies[j], bodies[i]
  end
  cycle = bodies
end

function request()
  next_i = next_i % #cycle + 1
  return cycle[next_i]
end
