# summary.awk - a table of zvm-run reports (the manifest's syntax): the
# job, its state and exit status, the bytes its /dev/1.* channel read and
# its /dev/stdout wrote, and its time.  Run with -F' = '.
function flush() {
	if (job != "")
		printf "%-12s %-8s %4s %10s %10s %8s\n", job, state, code, bin,
		    bout, t
}
FNR == 1 {
	flush()
	job = FILENAME
	sub(/^.*\//, "", job)
	sub(/\.report$/, "", job)
	state = code = t = "-"
	bin = bout = 0
	if (NR == 1)
		printf "%-12s %-8s %4s %10s %10s %8s\n", "job", "state",
		    "exit", "bytes_in", "bytes_out", "time"
}
$1 == "State" { state = $2 }
$1 == "Exit" || $1 == "Signal" { code = $2 }
$1 == "Time" { t = $2 }
$1 == "Channel" {
	split($2, f, ",")
	if (f[2] ~ /^\/dev\/1\./)
		bin = f[6]
	else if (f[2] == "/dev/stdout")
		bout = f[8]
}
END { flush() }
