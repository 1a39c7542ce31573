#!/bin/sh
# SPDX-License-Identifier: ISC
# repeat - run one job twice and compare what the two reports say the
# channels carried: same etags, same bytes.  sh repeat.sh [MANIFEST]
set -eu
m=${1:-job.manifest}
[ -f "$m" ] || zvm-manifest -E --stdout "$PWD/out.txt" -- sort @/usr/share/common-licenses/GPL-3 >"$m"
zvm-run -r run1.report "$m" && cp out.txt out1.txt
zvm-run -r run2.report "$m"
grep '^Channel' run1.report >run1.channels
grep '^Channel' run2.report >run2.channels
diff run1.channels run2.channels && cmp -s out1.txt out.txt &&
    echo "identical: $(grep -c ',[0-9a-f]\{32\},' run1.channels) channel etags, $(wc -c <out.txt) bytes of output"
