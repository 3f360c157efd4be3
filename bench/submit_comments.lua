-- wrk: submit comments as a browser would. Each wrk thread first GETs the section page (BENCH_PAGE) to
-- obtain its session cookie and CSRF token, then POSTs comments (BENCH_POST) with that token: varied
-- text (2-3 of the sentences below and a number), a stance, sometimes a name and an e-mail, on a random
-- section among BENCH_SECTIONS (comma-separated ids). Each comment comes from one of 50,000 citizens: a random
-- address in X-Forwarded-For, which the portal believes from the one proxy it is told it sits behind
-- (PORTAL_TRUST_PROXY=1, as behind nginx), so that its comment rate limit counts each citizen's comments.
local page = os.getenv("BENCH_PAGE")
local post = os.getenv("BENCH_POST")
local sections = {}
for id in string.gmatch(os.getenv("BENCH_SECTIONS") or "", "%d+") do sections[#sections + 1] = id end

local sentences = {
  "建议在每个社区建设老年食堂，方便老人就近吃饭。", "希望增加家庭养老床位的补贴标准。",
  "上门服务的收费标准应当公开透明。", "农村互助养老要有稳定的资金来源。",
  "养老机构的护理人员工资太低，留不住人。", "建议把老年人能力评估结果和补贴挂钩。",
  "无障碍改造要先从老旧小区做起。", "希望医保能够覆盖更多的康复护理项目。",
  "智能养老设备要考虑老人不会用手机的情况。", "政府购买服务要引入第三方评估。",
  "民办养老机构的审批手续应当简化。", "建议设立养老服务热线，二十四小时有人接听。",
  "社区养老服务中心的开放时间应该延长到晚上。", "对失能老人的长期照护保险要尽快推开。",
  "老年大学的名额太少，很多人报不上名。", "希望公园里多设置适合老人的健身器材。",
  "医养结合绿色通道要落到实处，不要只写在纸上。", "建议明确各部门的职责分工，避免互相推诿。",
  "养老服务质量的监督结果应当向社会公布。", "子女异地工作的老人需要更多的上门探访。",
}
local stances = { "support", "oppose", "suggest" }
local names = { "", "", "王大爷", "李阿姨", "张先生", "居民" }

local function encode(s)
  return (string.gsub(s, "[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
for i, s in ipairs(sentences) do sentences[i] = encode(s) end
for i, s in ipairs(names) do names[i] = encode(s) end

local token, cookie = nil, nil
local counter = 0

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000)
end

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

function request()
  if not token then
    return wrk.format("GET", page)
  end
  counter = counter + 1
  local body = sentences[math.random(#sentences)] .. sentences[math.random(#sentences)]
  if math.random(2) == 1 then body = body .. sentences[math.random(#sentences)] end
  body = body .. encode(tostring(math.random(1000000)))
  local contact = ""
  if math.random(4) == 1 then contact = encode("citizen" .. math.random(100000) .. "@example.com") end
  -- the form's one-use key, its own for each form a browser is shown (migration 0055)
  local key = {}
  for i = 1, 32 do local n = math.random(#alphabet); key[i] = string.sub(alphabet, n, n) end
  local form = "csrf_token=" .. token .. "&section_id=" .. sections[math.random(#sections)] ..
    "&parent_id=&stance=" .. stances[math.random(#stances)] .. "&body=" .. body ..
    "&author_name=" .. names[math.random(#names)] .. "&author_contact=" .. contact .. "&website=" ..
    "&submission_key=" .. table.concat(key)
  local citizen = math.random(50000)
  local address = "10." .. math.floor(citizen / 65536) .. "." .. (math.floor(citizen / 256) % 256) .. "." .. (citizen % 256)
  return wrk.format("POST", post, {
    ["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = cookie, ["X-Forwarded-For"] = address,
  }, form)
end

function response(status, headers, body)
  if not token and status == 200 then
    local found = string.match(body, 'name="csrf_token" type="hidden" value="([^"]+)"')
    local set = headers["Set-Cookie"] or headers["set-cookie"]
    if found and set then
      token = encode(found)
      cookie = string.match(set, "^([^;]+)")
    end
  end
end
