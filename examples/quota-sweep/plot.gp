# plot.gp - a sweep's TSV as a PNG: the bytes the channel moved against its
# quota, up to twice the smallest quota that works, runs that exited 0
# and runs that did not.  gnuplot -e "in='X.tsv'; out='X.png'" plot.gp
q = real(system("sed -n 's/^# smallest //p' '".in."'"))
set terminal pngcairo size 640,400
set output out
set datafile separator "\t"
set key bottom right
set xrange [0:2 * q]
set yrange [0:*]
set xlabel "quota (bytes)"
set ylabel "bytes moved"
set title sprintf("%s: smallest quota %d", in, q) noenhanced
plot in using 1:(column(3) == 0 ? column(4) : 1/0) skip 1 with points pt 7 lc "dark-green" title "exit 0", \
     in using 1:(column(3) != 0 ? column(4) : 1/0) skip 1 with points pt 2 lc "red" title "failed", \
     q with lines dt 2 lc "gray" notitle
