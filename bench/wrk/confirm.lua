-- Confirming: each wrk thread GETs the campaign page once (session, CSRF token if any), then POSTs
-- its share of the confirm links gathered from the outbox (file: one path a line); 303 (on to the
-- confirmed page) is a success. With a fifth argument "page" it GETs those confirmed pages instead
-- (200). A thread that has been through all its links stops.  args: slug links-file threads origin [page]
function init(args)
  slug, origin, page_mode = args[1], args[4], args[5] == "page"
  local all = {}
  for line in io.lines(args[2]) do table.insert(all, line) end
  paths = {}
  for i = id, #all, tonumber(args[3]) do table.insert(paths, all[i]) end
  i = 0
end

function request()
  if not ready then
    gets = gets + 1
    return wrk.format("GET", "/campaigns/" .. slug)
  end
  if i >= #paths then  -- all pressed: stop; the one request wrk still wants is a health check
    wrk.thread:stop()
    gets = gets + 1
    return wrk.format("GET", "/healthz")
  end
  i = i + 1
  posts = posts + 1  -- the measured requests ("gets" are the helper GETs bench/http.py leaves out)
  if page_mode then
    return wrk.format("GET", (paths[i]:gsub("/signatures/confirm/", "/signatures/confirmed/")))
  end
  local body = token and ("csrf_token=" .. token) or ""
  return wrk.format("POST", paths[i], form_headers(origin, cookie), body)
end

function response(status, headers, body)
  count(status)
  if not ready and status == 200 then
    cookie, token = take_session(headers, body)
    ready = true
  end
end
