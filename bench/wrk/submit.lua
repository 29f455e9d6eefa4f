-- Distinct commenters: every request has its own email and its own X-Forwarded-For address
-- (the server trusts 127.0.0.1 as a proxy). `wrk ... -- BODY_FILE RUN_ID`; the body holds
-- __N__ where the commenter's number goes. A body without `"errors":[]` counts as failed.
local template
local prefix
local counter = 0

function init(args)
  template = read_file(args[1])
  prefix = args[2] .. "-" .. thread_id
end

function request()
  counter = counter + 1
  local n = prefix .. "-" .. counter
  local address = string.format("10.%d.%d.%d", thread_id % 256,
    math.floor(counter / 256) % 256, counter % 256)
  return wrk.format("POST", nil,
    { ["Content-Type"] = "application/json", ["X-Forwarded-For"] = address },
    (template:gsub("__N__", n)))
end

function response(status, headers, body)
  if status ~= 200 or not body:find('"errors":[]', 1, true) then
    failed = failed + 1
  end
end
