-- Plain GETs of one path (the campaign page, its JSON, the hello baseline); 200 is a success.
-- args: path
function init(args)
  path = args[1]
end

function request()
  gets = gets + 1
  return wrk.format("GET", path)
end

function response(status, headers, body)
  count(status)
end
