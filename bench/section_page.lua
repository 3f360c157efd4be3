-- wrk: read a busy section page as people do: mostly the first page, sometimes a later one, either order.
local path = os.getenv("BENCH_PAGE")
local pages = tonumber(os.getenv("BENCH_PAGES") or "1")
local sep = string.find(path, "?", 1, true) and "&" or "?"  -- the API's path carries ?section=… already

function request()
  local r = math.random(10)
  if r <= 6 then
    return wrk.format("GET", path)
  elseif r <= 8 then
    return wrk.format("GET", path .. sep .. "order=newest")
  end
  return wrk.format("GET", path .. sep .. "page=" .. math.random(pages))
end
