# Turn frame-path's key=value lines into side-by-side tables, one per
# format/size/pace, with the issue's two ratios:
#   netcam fps / v4l2loopback fps          (target >= 1)
#   netcam cpu per frame / memcpy cpu      (target <= 1.5)
#   netcam cpu per frame / memcpy-rep cpu  (the copy as the kernel does it)
# usage: awk -f bench/frame-path-table.awk LINES...   (other lines ignored)
# A line "frame-path backend=X format=F size=S pace=P unavailable=WHY" shows
# the backend as n/a.
function fmt(v, d) { return v == "" ? "n/a" : sprintf("%." d "f", v) }
$1 == "frame-path" {
    delete kv
    for (i = 2; i <= NF; i++) { split($i, a, "="); kv[a[1]] = substr($i, length(a[1]) + 2) }
    g = kv["size"] " " kv["format"] " pace=" kv["pace"]
    if (!(g in seen)) { seen[g] = 1; order[ng++] = g }
    b = kv["backend"]
    key = g SUBSEP b
    if ("unavailable" in kv) { na[key] = substr($0, index($0, "unavailable=") + 12); next }
    have[key] = 1
    for (k in kv) val[key, k] = kv[k]
}
END {
    nb = split("netcam v4l2loopback memcpy memcpy-rep", bes, " ")
    for (gi = 0; gi < ng; gi++) {
        g = order[gi]
        printf "\n%s\n", g
        printf "  %-13s %9s %8s %8s %10s %10s %10s %10s %10s  %s\n", "backend", "fps", "sent", "dropped", "cpu/frame", "prod_cpu", "cons_cpu", "lat_p50", "lat_p99", "(cpu and latency in us)"
        for (bi = 1; bi <= nb; bi++) {
            b = bes[bi]; key = g SUBSEP b
            if (key in have)
                printf "  %-13s %9s %8s %8s %10s %10s %10s %10s %10s\n", b,
                    fmt(val[key, "fps"], 1), val[key, "sent"], val[key, "dropped"],
                    fmt(val[key, "cpu_us"], 1), fmt(val[key, "prod_cpu_us"], 1), fmt(val[key, "cons_cpu_us"], 1),
                    fmt(val[key, "lat_p50_us"], 0), fmt(val[key, "lat_p99_us"], 0)
            else
                printf "  %-13s %9s  (%s)\n", b, "n/a", (key in na) ? na[key] : "not run"
        }
        n = g SUBSEP "netcam"; l = g SUBSEP "v4l2loopback"; m = g SUBSEP "memcpy"
        r1 = (n in have && l in have && val[l, "fps"] > 0) ? sprintf("%.2fx", val[n, "fps"] / val[l, "fps"]) : "n/a"
        r2 = (n in have && m in have && val[m, "cpu_us"] > 0) ? sprintf("%.2fx", val[n, "cpu_us"] / val[m, "cpu_us"]) : "n/a"
        r3 = (n in have && l in have && val[l, "cpu_us"] > 0) ? sprintf("%.2fx", val[n, "cpu_us"] / val[l, "cpu_us"]) : "n/a"
        mr = g SUBSEP "memcpy-rep"
        r4 = (n in have && mr in have && val[mr, "cpu_us"] > 0) ? sprintf("%.2fx", val[n, "cpu_us"] / val[mr, "cpu_us"]) : "n/a"
        printf "  netcam/v4l2loopback fps:          %s (target >= 1)\n", r1
        printf "  netcam/memcpy cpu per frame:      %s (target <= 1.5)\n", r2
        printf "  netcam/memcpy-rep cpu per frame:  %s (rep movsb, the kernel's copy)\n", r4
        printf "  netcam/v4l2loopback cpu per frame: %s\n", r3
    }
}
