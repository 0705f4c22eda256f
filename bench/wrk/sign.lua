-- The real sign flow: each wrk thread GETs the campaign page once (session cookie, CSRF token if the
-- page has one), then POSTs the sign form with a new email each time; a 303 is a success.
-- args: slug run-tag origin
function init(args)
  slug, tag, origin = args[1], args[2], args[3]
  page = "/campaigns/" .. slug
  n = 0
end

function request()
  if not ready then
    gets = gets + 1
    return wrk.format("GET", page)
  end
  n = n + 1
  posts = posts + 1
  local body = "full_name=Bench+Signer&postal_code=60614&comment=&email=s-" .. tag .. "-" .. id .. "-" .. n
    .. "%40example.org"
  if token then body = body .. "&csrf_token=" .. token end
  return wrk.format("POST", page .. "/sign", form_headers(origin, cookie), body)
end

function response(status, headers, body)
  count(status)
  if not ready and status == 200 then
    cookie, token = take_session(headers, body)
    ready = true
  end
end
