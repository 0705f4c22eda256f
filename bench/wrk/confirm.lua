-- Confirming: each wrk thread GETs the campaign page once (session, CSRF token if any), then POSTs
-- its share of the confirm links gathered from the outbox (file: one path a line); 200 is a success.
-- A thread that has pressed all its links stops.  args: slug links-file threads origin
function init(args)
  slug, origin = args[1], args[4]
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
  posts = posts + 1
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
