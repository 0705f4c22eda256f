-- Shared by every bench/wrk script (bench/http.py prepends it): counts answers by status per thread
-- and prints one "WRKJSON {...}" line at the end for bench/http.py to read.
local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

statuses = {}
gets = 0
posts = 0

function count(status)
  statuses[status] = (statuses[status] or 0) + 1
end

function form_headers(origin, cookie)
  local h = {["Content-Type"] = "application/x-www-form-urlencoded", ["Origin"] = origin,
             ["Sec-Fetch-Site"] = "same-origin"}
  if cookie then h["Cookie"] = cookie end
  return h
end

-- The session cookie and CSRF token (if the page has one) from a page's answer.
function take_session(headers, body)
  local c = headers["Set-Cookie"] or headers["set-cookie"]
  local cookie = c and c:match("^([^;]+)") or nil
  local token = body:match('name="csrf_token" type="hidden" value="([^"]+)"')
    or body:match('name="csrf_token" value="([^"]+)"')
  return cookie, token
end

function done(summary, latency, requests)
  local all, g, p = {}, 0, 0
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do all[code] = (all[code] or 0) + n end
    g = g + t:get("gets")
    p = p + t:get("posts")
  end
  local parts = {}
  for code, n in pairs(all) do table.insert(parts, string.format('"%d": %d', code, n)) end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"duration_us": %d, "requests": %d, "gets": %d, "posts": %d, "statuses": {%s}, ' ..
    '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.duration, summary.requests, g, p, table.concat(parts, ", "),
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
