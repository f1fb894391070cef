-- wrk script of ops/bench/run.sh (issue 15): POST /transfers, one fresh transfer per request, between two
-- distinct seeded accounts drawn as the C# load generator draws them (Workload.Next in Ledger.Bench.Load):
--   uniform: both sides uniform among all accounts;
--   hot: 80 % of transfers have one side (debit or credit, at random) among the first ten accounts.
-- Arguments after wrk's "--": the accounts file the harness wrote (one id a line, the hot ones first), the mix
-- (uniform|hot) and the currency. The API key comes from BENCH_CLIENT_KEY, never from the command line.
-- Answers are counted by status; done() prints one "wrk-result {json}" line that Ledger.Bench.Load reads.

local HOT_ACCOUNTS = 10
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

-- 16 random bits from the kernel: two runs started in the same second must not draw the same ids.
local function random16(bytes, i)
  return bytes:byte(i) * 256 + bytes:byte(i + 1)
end

function init(args)
  local path, mix = args[1], args[2]
  currency = args[3] or "USD"
  local file = assert(io.open(path or "", "r"), "cannot read the accounts file '" .. tostring(path) .. "'")
  ids = {}
  for line in file:lines() do
    if #line > 0 then ids[#ids + 1] = line end
  end
  file:close()
  assert(#ids >= HOT_ACCOUNTS + 2, path .. " holds " .. #ids .. " accounts; seed at least " .. (HOT_ACCOUNTS + 2))
  assert(mix == "uniform" or mix == "hot", "mix must be uniform or hot, got '" .. tostring(mix) .. "'")
  hot = mix == "hot"

  local urandom = assert(io.open("/dev/urandom", "rb"))
  local bytes = urandom:read(10)
  urandom:close()
  math.randomseed(random16(bytes, 9) * 65536 + tid)
  -- An id is a random 64-bit prefix of this run and thread, then a counter: unique by construction. The
  -- version (4) and variant (8..b) nibbles make it a well-formed UUID.
  prefix = string.format("%04x%04x-%04x-4%03x-%04x-", random16(bytes, 1), random16(bytes, 3),
    (random16(bytes, 5) + tid) % 65536, random16(bytes, 7) % 4096, 0x8000 + tid % 0x4000)
  sent = 0
  statuses = {}
  headers = { ["Content-Type"] = "application/json", ["X-Api-Key"] = os.getenv("BENCH_CLIENT_KEY") or "" }
end

local function other_than(index)
  local other = math.random(#ids - 1)
  if other >= index then other = other + 1 end
  return other
end

function request()
  local from, to
  if hot and math.random(100) <= 80 then
    local h = math.random(HOT_ACCOUNTS)
    local other = other_than(h)
    if math.random(2) == 1 then from, to = h, other else from, to = other, h end
  else
    from = math.random(#ids)
    to = other_than(from)
  end
  sent = sent + 1
  local body = '{"id":"' .. prefix .. string.format("%012x", sent) .. '","fromAccountId":"' .. ids[from] ..
    '","toAccountId":"' .. ids[to] .. '","amount":' .. math.random(100) .. ',"currency":"' .. currency .. '"}'
  return wrk.format("POST", "/transfers", headers, body)
end

function response(status)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency)
  local totals = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      totals[status] = (totals[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(totals) do
    parts[#parts + 1] = string.format('"%d":%d', status, count)
  end
  io.write(string.format(
    'wrk-result {"requests":%d,"durationUs":%d,"statuses":{%s},"connectErrors":%d,"readErrors":%d,' ..
    '"writeErrors":%d,"timeouts":%d,"p50Us":%d,"p99Us":%d,"p999Us":%d,"maxUs":%d,"meanUs":%.1f}\n',
    summary.requests, summary.duration, table.concat(parts, ","), summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, latency:percentile(50), latency:percentile(99),
    latency:percentile(99.9), latency.max, latency.mean))
end
