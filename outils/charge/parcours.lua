-- A mix of pages for the load test: dashboard, conventions, comparisons, bilans, exports.
-- PAGES and COOKIE are filled in by lancer.sh. Each connection is a user who reads a page for
-- PAUSE_MIN to PAUSE_MAX milliseconds before the next (0 and 0: no pause, the saturation test).
local pages = {}
local pause_min = tonumber(os.getenv("PAUSE_MIN") or "1000")
local pause_max = tonumber(os.getenv("PAUSE_MAX") or "5000")
for chemin in string.gmatch(os.getenv("PAGES"), "[^,]+") do pages[#pages + 1] = chemin end
local cookie = os.getenv("COOKIE")
local compteur = 0

init = function(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

delay = function()
  if pause_max <= 0 then return 0 end
  return math.random(pause_min, pause_max)
end

request = function()
  compteur = compteur + 1
  local chemin = pages[(compteur % #pages) + 1]
  return wrk.format("GET", chemin, { ["Cookie"] = cookie, ["Host"] = "127.0.0.1" })
end

local erreurs = 0
response = function(status, headers, body)
  if status >= 500 then erreurs = erreurs + 1 end
end

done = function(summary, latency, requests)
  io.write(string.format("requetes=%d\n", summary.requests))
  io.write(string.format("erreurs_socket=%d\n", summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout))
  io.write(string.format("non_2xx_3xx=%d\n", summary.errors.status))
  for _, p in ipairs({50, 95, 99}) do
    io.write(string.format("p%d_ms=%.1f\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("duree_s=%.1f\n", summary.duration / 1e6))
end
