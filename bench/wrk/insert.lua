-- Baseline A: POST one new email to the minimal Flask + psycopg app (bench/baseline_app.py).
-- args: run-tag
function init(args)
  tag = args[1]
  n = 0
end

function request()
  n = n + 1
  posts = posts + 1
  return wrk.format("POST", "/insert", {["Content-Type"] = "application/x-www-form-urlencoded"},
    "email=b-" .. tag .. "-" .. id .. "-" .. n .. "%40example.org")
end

function response(status, headers, body)
  count(status)
end
