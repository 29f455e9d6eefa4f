-- A build fetch: each connection walks every page, following `endCursor` until
-- `hasNextPage` is false, then starts again. Run with one connection per thread (-t N -c N)
-- so that each thread's cursor belongs to its one connection. `wrk ... -- BODY_FILE`; the
-- body holds __AFTER__ where the cursor (or null) goes.
local template
local cursor = nil
walks = 0

function init(args)
  template = read_file(args[1])
end

function request()
  local value = cursor and ('"' .. cursor .. '"') or "null"
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json" },
    (template:gsub("__AFTER__", value)))
end

function response(status, headers, body)
  local next_cursor = body:match('"endCursor":%s*"([^"]+)"')
  if status ~= 200 or not body:find('"data"', 1, true) then
    failed = failed + 1
    cursor = nil
  elseif next_cursor and body:find('"hasNextPage":%s*true') then
    cursor = next_cursor
  else
    cursor = nil
    walks = walks + 1
  end
end
