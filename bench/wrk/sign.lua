-- The real sign flow: each wrk thread GETs the campaign page once (session cookie, CSRF token if the
-- page has one, the form's hidden render time), then POSTs the sign form as a browser sends it (the
-- empty honeypot and hidden fields included) with a new email each time; a 303 is a success.
-- Each signer comes from its own address (X-Forwarded-For, read by the app with PROXY_FIX_X_FOR=1, as
-- behind a load balancer), so the soft per-network limit runs at its production setting.
-- args: slug run-tag origin [email prefix, "s" unless given]
function init(args)
  slug, tag, origin, prefix = args[1], args[2], args[3], args[4] or "s"
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
  local body = "given_name=Bench&family_name=Signer&postal_code=60614&comment=&email=" .. prefix .. "-" .. tag .. "-" .. id .. "-" .. n
    .. "%40example.org&website=&source=&started=" .. (started or "")
  if token then body = body .. "&csrf_token=" .. token end
  local headers = form_headers(origin, cookie)
  headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", id, math.floor(n / 250) % 250, n % 250 + 1)
  return wrk.format("POST", page .. "/sign", headers, body)
end

function response(status, headers, body)
  count(status)
  if not ready and status == 200 then
    cookie, token = take_session(headers, body)
    started = body:match('name="started" type="hidden" value="([^"]*)"')
    ready = true
  end
end
