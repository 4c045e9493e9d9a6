-- A mix of pages for the load test: dashboard, conventions, comparisons, bilans, exports.
-- PAGES and COOKIE are filled in by lancer.sh.
local pages = {}
for chemin in string.gmatch(os.getenv("PAGES"), "[^,]+") do pages[#pages + 1] = chemin end
local cookie = os.getenv("COOKIE")
local compteur = 0

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
