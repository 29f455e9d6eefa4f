-- One fixed request, sent over and over: `wrk ... -- BODY_FILE`.
function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = read_file(args[1])
end
