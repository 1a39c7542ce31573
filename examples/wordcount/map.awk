# SPDX-License-Identifier: ISC
# map.awk - a map node: count the words of its part of the text (letters
# only, lower case), one "word count" line each.
{
	n = split(tolower($0), w, /[^a-z]+/)
	for (i = 1; i <= n; i++)
		if (w[i] != "")
			c[w[i]]++
}
END {
	for (x in c)
		print x, c[x]
}
