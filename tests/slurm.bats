#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# examples/slurm on a throwaway one-host Slurm cluster: munged, slurmctld
# and slurmd started here on 127.0.0.1 with their keys, sockets, state and
# logs in a temporary directory, and stopped, with everything they
# started, after each test.
load helper

# free_port: a TCP port nothing listens on.
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		[ -z "$(ss -Htln "sport = :$p")" ] && break
	done
	echo "$p"
}

# sl CMD...: a Slurm client command of this cluster.
sl() {
	SLURM_CONF=$C/slurm.conf "$@"
}

# logs: the daemons' logs, for a failing test's output.
logs() {
	local f
	for f in "$C"/*.log; do
		echo "--- $f"
		tail -n 30 "$f"
	done
}

setup() {
	umask 022
	W=$(mktemp -d /tmp/zvm-slurm-test.XXXXXX)
	chmod 755 "$W"
	C=$W/cluster
	mkdir -p "$C/state" "$C/spool"
	pids=()
	# munge: its own key and socket, nothing of the host's.
	dd if=/dev/urandom of="$C/munge.key" bs=128 count=1 status=none
	chmod 600 "$C/munge.key"
	munged -F -f --key-file="$C/munge.key" --socket="$C/munge.sock" \
	    --pid-file="$C/munged.pid" --log-file="$C/munged.log" \
	    --seed-file="$C/munged.seed" 2>>"$C/munged.log" &
	pids+=($!)
	# Four CPUs whatever the host has (config_overrides), so the four
	# one-task steps of the example run at once on a 2-core machine.
	cat >"$C/slurm.conf" <<EOF
ClusterName=zvmtest
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$C/munge.sock
StateSaveLocation=$C/state
SlurmdSpoolDir=$C/spool
SlurmctldPidFile=$C/slurmctld.pid
SlurmdPidFile=$C/slurmd.pid
SlurmctldLogFile=$C/slurmctld.log
SlurmdLogFile=$C/slurmd.log
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
NodeName=localhost NodeAddr=127.0.0.1 CPUs=4 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
	local i
	for i in $(seq 100); do
		[ -S "$C/munge.sock" ] && break
		sleep 0.1
	done
	SLURM_CONF=$C/slurm.conf slurmctld -D -i >/dev/null 2>&1 &
	pids+=($!)
	SLURM_CONF=$C/slurm.conf slurmd -D -N localhost >/dev/null 2>&1 &
	pids+=($!)
	for i in $(seq 300); do
		[ "$(sl sinfo -h -o %T 2>/dev/null)" = idle ] && return 0
		sleep 0.1
	done
	echo "the node did not come up in 30 s" >&2
	logs >&2
	return 1
}

teardown() {
	local i p e left
	sl scancel --quiet --full --signal=KILL --user=nobody 2>/dev/null || :
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || :
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null || :
	done
	# What the daemons started (slurmstepd, the job, its steps) carries
	# this cluster's SLURM_CONF in its environment: end those, by id.
	for i in 1 2 3 4 5 6 7 8 9 10; do
		left=()
		for e in /proc/[0-9]*/environ; do
			p=${e#/proc/}
			p=${p%/environ}
			[ "$p" = "$$" ] && continue
			tr '\0' '\n' <"$e" 2>/dev/null |
			    grep -qxF "SLURM_CONF=$C/slurm.conf" && left+=("$p")
		done
		[ "${#left[@]}" -eq 0 ] && break
		if [ "$i" -lt 10 ]; then
			kill "${left[@]}" 2>/dev/null || :
		else
			kill -KILL "${left[@]}" 2>/dev/null || :
		fi
		sleep 0.2
	done
	rm -rf "$W"
}

# job_wait ID: wait for job ID to end (at most 60 s); its state and exit
# code, "COMPLETED 0:0", on stdout.
job_wait() {
	local i s e
	for i in $(seq 600); do
		s=$(sl scontrol -o show job "$1" 2>/dev/null) || s=
		case $s in
		*JobState=PENDING* | *JobState=RUNNING* | *JobState=CONFIGURING* | \
		    *JobState=COMPLETING* | '') ;;
		*)
			s=${s#*JobState=}
			e=${s#*ExitCode=}
			echo "${s%% *} ${e%% *}"
			return 0
			;;
		esac
		sleep 0.1
	done
	echo "job $1 still not done after 60 s"
	return 1
}

@test "examples/slurm: an sbatch job of four srun steps counts the words as directly, reports checked" {
	mkdir -p "$W/examples"
	cp -r "$BATS_TEST_DIRNAME/../examples/slurm" \
	    "$BATS_TEST_DIRNAME/../examples/wordcount" "$W/examples/"
	rm -rf "$W/examples/slurm/out"
	chmod -R a+rwX "$W/examples"
	cd "$W/examples/slurm"
	# The job runs as nobody, like every sandboxed program of the suite.
	id=$(sl sbatch --parsable --uid=65534 --gid=65534 wordcount.sbatch)
	run job_wait "$id"
	if [ "$output" != "COMPLETED 0:0" ]; then
		echo "job $id: $output"
		cat "wordcount-$id.log"
		logs
		false
	fi
	cat "wordcount-$id.log"
	grep -q '^wordcount.sbatch: 4 nodes ok, etags ok' "wordcount-$id.log"
	awk -f ../wordcount/map.awk /usr/share/common-licenses/GPL-3 |
	    awk -f ../wordcount/reduce.awk | sort -k1,1nr -k2,2 |
	    cmp - out/counts.txt
	for n in 1 2 3 4; do
		grep -qx 'State = ok' "out/node$n.report"
		grep -q '^Channel = tcp:' "out/node$n.report"
	done
	[ "$(stat -c %U out/counts.txt)" = nobody ]

	# A node that fails fails the job: reduce exits 3 at once.
	echo 'BEGIN { exit 3 }' >../wordcount/reduce.awk
	id=$(sl sbatch --parsable --uid=65534 --gid=65534 wordcount.sbatch)
	run job_wait "$id"
	[ "$output" = "FAILED 1:0" ]
	grep -qx 'wordcount.sbatch: node 3 failed' "wordcount-$id.log"
	run -1 grep -q 'etags ok' "wordcount-$id.log"
}
