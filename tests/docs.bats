#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# docs.bats - the documentation agrees with the tools.  For every built
# $ZVM_BUILD/zvm-* tool: --help and --version work, and every option --help
# prints is in the man page, its SYNOPSIS and both completion files.  Every
# page in man/ lints clean and has a NAME line whatis can index; every
# completion file parses, and bash completion offers every long option.
#
# Options are taken from text, not from a table: "--long" and "-x" tokens,
# plus the letters of style(9) bundles such as "[-cqz]" in the usage.  Each
# test lists every problem it finds before it fails.

load helper

ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
MANDIR=$ROOT/man
BASHDIR=$ROOT/completions/bash
ZSHDIR=$ROOT/completions/zsh

setup() {
	local f

	TOOLS=()
	for f in "$ZVM_BUILD"/zvm-*; do
		[ -f "$f" ] && [ -x "$f" ] && TOOLS+=("${f##*/}")
	done
	PAGES=()
	for f in "$MANDIR"/*.[1-9]; do
		[ -f "$f" ] && PAGES+=("$f")
	done
	PROBLEMS=
}

need_tools() {
	[ "${#TOOLS[@]}" -gt 0 ] || skip "no zvm-* tool built in $ZVM_BUILD yet"
}

# Record one problem; the test goes on to find the others.
problem() {
	PROBLEMS+="$*"$'\n'
}

# Fail with every recorded problem, one a line.
report() {
	if [ -n "$PROBLEMS" ]; then
		printf '%s' "$PROBLEMS" >&2
		return 1
	fi
}

# Options in text on stdin: "--long" and "-x" tokens that stand alone, and
# the letters of bundles such as "[-cqz]".  One a line, sorted, unique.
opts_of_text() {
	perl -ne '
		while (/\[-([a-zA-Z0-9]{2,})\]/g) { print "-$_\n" for split //, $1 }
		while (/(?<![\w-])(--[a-zA-Z0-9][\w-]*|-[a-zA-Z])(?![\w-])/g) {
			print "$1\n";
		}
	' | LC_ALL=C sort -u
}

# The usage block of a --help text on stdin: the "usage:" line and the lines
# that continue it (indented, starting with the tool name or "[").
usage_of_help() {
	awk -v tool="$1" '
		/^usage: / { f = 1; print; next }
		f && ($0 ~ "^[ \t]+" tool "([ \t]|$)" || /^[ \t]+\[/) { print; next }
		{ f = 0 }
	'
}

# Options a roff page on stdin marks: the word after each mdoc "Fl" ("x",
# "-long", or a bundle "cqz"), and man(7)'s "\-x" and "\-\-long".
opts_of_roff() {
	perl -ne '
		s/\\f(\[[^]]*\]|\(..|.)//g;
		if (/^[.\x27]/) {
			while (/(?<![^\s.])Fl(?:[ \t]+(\S+))?/g) {
				my $w = defined $1 ? $1 : "";
				$w =~ s/\\-/-/g;
				next if $w eq "" || $w =~ /^(?:Ar|Cm|Ns|No|Op|Oo|Oc|Pa|Ic|Li|Sy|Em|Xo|Xc|Pq|Bq|Brq|Dq|Qo|Qc|Ql|Sq|Ev|Va)$/;
				if ($w =~ /^-([\w-]+)/) { print "--$1\n" }
				elsif ($w =~ /^([a-zA-Z0-9]+)/) {
					print "-$_\n" for split //, $1;
				}
			}
		}
		while (/(?<!\w)\\-\\-([a-zA-Z0-9][\w-]*)/g) { print "--$1\n" }
		while (/(?<![\w-])\\-([a-zA-Z])(?![\w\\])/g) { print "-$1\n" }
	' | LC_ALL=C sort -u
}

# The SYNOPSIS section of a roff page on stdin.
synopsis_of_roff() {
	awk '/^\.S[Hh] +"?SYNOPSIS/ { f = 1; next } /^\.S[Hh] / { f = 0 } f'
}

# Lines of file $1 that are not in file $2 (both sorted).
only_in() {
	LC_ALL=C comm -23 "$1" "$2"
}

# Does file $2 contain option $1 as a word of its own?
has_option() {
	grep -qE -- "(^|[^[:alnum:]_-])$1([^[:alnum:]_-]|\$)" "$2"
}

# --help of tool $1 into $BATS_TEST_TMPDIR/$1.help, its options into
# $1.opts; returns 1 when --help fails.
help_opts() {
	local t=$1 d=$BATS_TEST_TMPDIR

	"$t" --help >"$d/$t.help" 2>/dev/null || return 1
	opts_of_text <"$d/$t.help" >"$d/$t.opts"
}

@test "--help exits 0 and prints a usage line" {
	need_tools
	local t rc
	for t in "${TOOLS[@]}"; do
		rc=0
		"$t" --help >"$BATS_TEST_TMPDIR/out" 2>/dev/null || rc=$?
		[ "$rc" -eq 0 ] || problem "$t --help: exit status $rc, expected 0"
		grep -q "^usage: $t\( \|\$\)" "$BATS_TEST_TMPDIR/out" ||
		    problem "$t --help: no line starting 'usage: $t' on stdout"
	done
	report
}

@test "--version prints 'TOOL (zvm) VERSION'" {
	need_tools
	local t rc version line
	version=$(sed -n 's/^VERSION *= *//p' "$ROOT/Makefile")
	[ -n "$version" ]
	for t in "${TOOLS[@]}"; do
		rc=0
		line=$("$t" --version 2>/dev/null) || rc=$?
		line=${line%%$'\n'*}
		[ "$rc" -eq 0 ] || problem "$t --version: exit status $rc"
		[ "$line" = "$t (zvm) $version" ] ||
		    problem "$t --version: '$line', expected '$t (zvm) $version'"
	done
	report
}

@test "every built tool has a man page and both completion files" {
	need_tools
	local t
	for t in "${TOOLS[@]}"; do
		[ -f "$MANDIR/$t.1" ] || problem "$t: man/$t.1 missing"
		[ -f "$BASHDIR/$t" ] || problem "$t: completions/bash/$t missing"
		[ -f "$ZSHDIR/_$t" ] || problem "$t: completions/zsh/_$t missing"
	done
	report
}

@test "every option --help prints is in the man page" {
	need_tools
	local t o n=0 d=$BATS_TEST_TMPDIR
	for t in "${TOOLS[@]}"; do
		[ -f "$MANDIR/$t.1" ] || continue
		n=$((n + 1))
		help_opts "$t" || { problem "$t --help failed"; continue; }
		opts_of_roff <"$MANDIR/$t.1" >"$d/$t.man"
		for o in $(only_in "$d/$t.opts" "$d/$t.man"); do
			problem "$t: $o is in --help, not in man/$t.1"
		done
	done
	[ "$n" -gt 0 ] || skip "no built tool has a man page yet"
	report
}

@test "the man page SYNOPSIS and the usage list the same options" {
	need_tools
	local t o n=0 d=$BATS_TEST_TMPDIR
	for t in "${TOOLS[@]}"; do
		[ -f "$MANDIR/$t.1" ] || continue
		n=$((n + 1))
		"$t" --help 2>/dev/null | usage_of_help "$t" | opts_of_text \
		    >"$d/$t.usage"
		synopsis_of_roff <"$MANDIR/$t.1" | opts_of_roff >"$d/$t.syn"
		[ -s "$d/$t.syn" ] || [ ! -s "$d/$t.usage" ] ||
		    problem "$t: man/$t.1 has no options in its SYNOPSIS"
		for o in $(only_in "$d/$t.usage" "$d/$t.syn"); do
			problem "$t: $o is in the usage, not in the SYNOPSIS"
		done
		for o in $(only_in "$d/$t.syn" "$d/$t.usage"); do
			problem "$t: $o is in the SYNOPSIS, not in the usage"
		done
	done
	[ "$n" -gt 0 ] || skip "no built tool has a man page yet"
	report
}

@test "every option --help prints is in the bash completion" {
	need_tools
	local t o n=0
	for t in "${TOOLS[@]}"; do
		[ -f "$BASHDIR/$t" ] || continue
		n=$((n + 1))
		help_opts "$t" || { problem "$t --help failed"; continue; }
		while read -r o; do
			has_option "$o" "$BASHDIR/$t" ||
			    problem "$t: $o is in --help, not in completions/bash/$t"
		done <"$BATS_TEST_TMPDIR/$t.opts"
	done
	[ "$n" -gt 0 ] || skip "no built tool has a bash completion yet"
	report
}

@test "every option --help prints is in the zsh completion" {
	need_tools
	local t o n=0
	for t in "${TOOLS[@]}"; do
		[ -f "$ZSHDIR/_$t" ] || continue
		n=$((n + 1))
		help_opts "$t" || { problem "$t --help failed"; continue; }
		while read -r o; do
			has_option "$o" "$ZSHDIR/_$t" ||
			    problem "$t: $o is in --help, not in completions/zsh/_$t"
		done <"$BATS_TEST_TMPDIR/$t.opts"
	done
	[ "$n" -gt 0 ] || skip "no built tool has a zsh completion yet"
	report
}

@test "bash completion of '--' offers every long option" {
	need_tools
	[ -r /usr/share/bash-completion/bash_completion ] ||
	    skip "bash-completion is not installed"
	local t o n=0 d=$BATS_TEST_TMPDIR
	for t in "${TOOLS[@]}"; do
		[ -f "$BASHDIR/$t" ] || continue
		n=$((n + 1))
		help_opts "$t" || { problem "$t --help failed"; continue; }
		if ! bash --norc --noprofile -c '
			source /usr/share/bash-completion/bash_completion
			source "$1" || exit 2
			spec=$(complete -p "$2" 2>/dev/null) || exit 3
			[[ $spec == *" -F "* ]] || exit 4
			fn=${spec##*-F }
			fn=${fn%% *}
			COMP_WORDS=("$2" --)
			COMP_CWORD=1
			COMP_LINE="$2 --"
			COMP_POINT=${#COMP_LINE}
			COMPREPLY=()
			"$fn" "$2" -- "$2"
			printf "%s\n" "${COMPREPLY[@]}"
		' _ "$BASHDIR/$t" "$t" >"$d/$t.compreply" 2>"$d/$t.err"; then
			problem "$t: completions/bash/$t does not register a" \
			    "-F function for $t, or it failed:" \
			    "$(head -n 3 "$d/$t.err")"
			continue
		fi
		sed 's/[= ]*$//' "$d/$t.compreply" | LC_ALL=C sort -u \
		    >"$d/$t.offered"
		while read -r o; do
			grep -qxF -- "$o" "$d/$t.offered" ||
			    problem "$t: completing '$t --' does not offer $o"
		done < <(grep -- '^--' "$d/$t.opts")
	done
	[ "$n" -gt 0 ] || skip "no built tool has a bash completion yet"
	report
}

@test "every man page passes mandoc -Tlint -W warning" {
	[ "${#PAGES[@]}" -gt 0 ] || skip "no man page in man/ yet"
	local p out
	for p in "${PAGES[@]}"; do
		out=$(mandoc -Tlint -W warning "$p" 2>&1) ||
		    problem "man/${p##*/}: mandoc -Tlint failed"
		[ -z "$out" ] || problem "$out"
	done
	report
}

@test "lexgrog finds the NAME line of every man page" {
	[ "${#PAGES[@]}" -gt 0 ] || skip "no man page in man/ yet"
	command -v lexgrog >/dev/null || skip "lexgrog (man-db) not installed"
	local p name out
	for p in "${PAGES[@]}"; do
		name=${p##*/}
		name=${name%.*}
		if ! out=$(lexgrog "$p" 2>&1); then
			problem "man/${p##*/}: lexgrog: $out"
			continue
		fi
		[[ $out == *": \"$name - "?* ]] ||
		    problem "man/${p##*/}: lexgrog: $out (expected '$name - ...')"
	done
	report
}

@test "every zvm page a man page refers to exists" {
	[ "${#PAGES[@]}" -gt 0 ] || skip "no man page in man/ yet"
	local p ref
	for p in "${PAGES[@]}"; do
		while read -r ref; do
			[ -f "$MANDIR/$ref" ] ||
			    problem "man/${p##*/}: refers to man/$ref, missing"
		done < <(grep -oE 'Xr +zvm[a-z-]* +[1-9]' "$p" |
		    awk '{ print $2 "." $3 }' | sort -u)
	done
	report
}

@test "bash -n accepts every bash completion" {
	local f n=0 out
	for f in "$BASHDIR"/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		out=$(bash -n "$f" 2>&1) || problem "completions/bash/${f##*/}: $out"
	done
	[ "$n" -gt 0 ] || skip "no bash completion yet"
	report
}

@test "zsh -n accepts every zsh completion" {
	command -v zsh >/dev/null || skip "zsh not installed"
	local f n=0 out
	for f in "$ZSHDIR"/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		out=$(zsh -n "$f" 2>&1) || problem "completions/zsh/${f##*/}: $out"
	done
	[ "$n" -gt 0 ] || skip "no zsh completion yet"
	report
}
