-- wrk script for `make soak`: cycles through pages and checks every answer.
--   * status classes (2xx/3xx/4xx/5xx) are counted;
--   * a 200 HTML page must be complete: from <!DOCTYPE html> to its last
--     bytes `</body></html>`, with its `</main>` (islands pages carry no
--     hydration data script to look for);
--   * one snapshot: every `gen-N;` marker in a 200 body must carry the same N
--     (the content rewriter puts the current generation in every soak post;
--     the `;` ends a marker, so one cut short by a search snippet is skipped).
-- Totals are printed as one `soak-result` JSON line in done().

local paths = {
  "/", "/posts/soak-rotating", "/tags/soak", "/search?q=soak",
  "/posts/netlify", "/about", "/api/posts?page=1", "/api/post?slug=soak-rotating",
}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

-- The first bad body of each thread is kept as evidence.
local function keep(kind, body)
  local dir = os.getenv("SOAK_OUT") or "."
  local f = io.open(string.format("%s/bad-%s-%d.txt", dir, kind, id), "w")
  if f then
    f:write(body)
    f:close()
  end
end

function init(args)
  n = 0
  s2, s3, s4, s5 = 0, 0, 0, 0
  incomplete, mixed, marked = 0, 0, 0
  first_bad = ""
end

function request()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end

local function html_complete(body)
  return body:sub(1, 15) == "<!DOCTYPE html>"
    and body:find("</main>", 1, true) ~= nil
    and body:sub(-14) == "</body></html>"
end

function response(status, headers, body)
  local class = math.floor(status / 100)
  if class == 2 then s2 = s2 + 1
  elseif class == 3 then s3 = s3 + 1
  elseif class == 4 then s4 = s4 + 1
  else s5 = s5 + 1 end
  if status ~= 200 then return end
  local ct = headers["Content-Type"] or headers["content-type"] or ""
  if ct:find("text/html", 1, true) and not html_complete(body) then
    incomplete = incomplete + 1
    if first_bad == "" then
      first_bad = "incomplete page"
      keep("incomplete", body)
    end
  end
  local seen = nil
  for g in body:gmatch("gen%-(%d+);") do
    if seen == nil then
      seen = g
      marked = marked + 1
    elseif g ~= seen then
      mixed = mixed + 1
      if first_bad == "" then
        first_bad = "mixed gen-" .. seen .. "/gen-" .. g
        keep("mixed", body)
      end
      break
    end
  end
end

function done(summary, latency, requests)
  local t = { s2 = 0, s3 = 0, s4 = 0, s5 = 0, incomplete = 0, mixed = 0, marked = 0 }
  local bad = ""
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do
      t[k] = t[k] + (thread:get(k) or 0)
    end
    local fb = thread:get("first_bad")
    if bad == "" and fb then bad = fb end
  end
  local e = summary.errors
  io.write(string.format(
    'soak-result {"requests":%d,"2xx":%d,"3xx":%d,"4xx":%d,"5xx":%d,' ..
    '"html_incomplete":%d,"mixed_snapshot":%d,"bodies_with_markers":%d,' ..
    '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d},' ..
    '"p50_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,"first_bad":"%s"}\n',
    summary.requests, t.s2, t.s3, t.s4, t.s5, t.incomplete, t.mixed, t.marked,
    e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000, bad))
end
