# SPDX-License-Identifier: ISC
# reduce.awk - the reduce node: add up the map nodes' counts, read from
# every input in turn, and print "count word" lines.
{
	c[$1] += $2
}
END {
	for (x in c)
		print c[x], x
}
