# SPDX-License-Identifier: ISC
# streams.awk - pair each stream's two ends from "node uri alias etag puts"
# lines of the nodes' reports: a write to tcp:P: by node N (puts > 0) is
# the read of tcp:N: by node P.  Prints "N -> P etag etag ok|MISMATCH" and
# exits 1 on a mismatch or an end without its other end.
{
	split($2, u, ":")
	if ($5 > 0)
		wr[$1 " " u[2]] = $4
	else
		rd[u[2] " " $1] = $4
}
END {
	bad = 0
	for (k in wr) {
		split(k, e, " ")
		ok = (k in rd) && rd[k] == wr[k]
		printf "%s -> %s %s %s %s\n", e[1], e[2], wr[k], rd[k],
		    ok ? "ok" : "MISMATCH"
		bad += !ok
		delete rd[k]
	}
	for (k in rd) {
		printf "%s: a read with no writer\n", k
		bad++
	}
	exit bad != 0
}
