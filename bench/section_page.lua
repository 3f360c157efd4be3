-- wrk: read a busy section page as people do: mostly the first page, sometimes a later one, either order.
local path = os.getenv("BENCH_PAGE")
local pages = tonumber(os.getenv("BENCH_PAGES") or "1")

function request()
  local r = math.random(10)
  if r <= 6 then
    return wrk.format("GET", path)
  elseif r <= 8 then
    return wrk.format("GET", path .. "?order=newest")
  end
  return wrk.format("GET", path .. "?page=" .. math.random(pages))
end
