/* SPDX-License-Identifier: ISC */
/*
 * test_manifest - lib/manifest/manifest and channel against DESIGN.md
 * section 1.
 * A table of inputs gives, for each, the exact diagnostics of parse and of
 * check ("E fields t:5: Channel: ...": severity, code, line, message) and
 * that the bytes are written back unchanged.  Then the model, the change
 * primitives with exact output text, a 100,000-channel manifest, and load.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "manifest/args.h"
#include "manifest/channel.h"
#include "manifest/manifest.h"
#include "base/util.h"
#include "mtest.h"
#include "tap.h"

/* A failure the library owes a fix for: reported, not counted (TAP TODO). */
static int
todo_ok(int cond, const char *name, const char *why)
{
	tap_n++;
	printf("%sok %d - %s # TODO %s\n", cond ? "" : "not ", tap_n, name,
	    why);
	return cond;
}

/* Check-after-syntax-error cascade: see the report to the lead. */

#define VER	"Version = 20130611\n"
#define PRG	"Program = /bin/true\n"
#define TMO	"Timeout = 5\n"
#define MEM	"Memory = 1048576,0\n"
#define CIN	"Channel = /dev/stdin,/dev/stdin,0,0,1,1,0,0\n"
#define COUT	"Channel = /dev/stdout,/dev/stdout,0,0,0,0,1,1\n"
#define CERR	"Channel = /dev/stderr,/dev/stderr,0,0,0,0,1,1\n"
#define HDR	VER PRG TMO MEM		/* lines 1-4 */
#define STD	CIN COUT CERR		/* lines 5-7 */
#define GOOD	HDR STD			/* extra lines start at 8 */
#define CRLF(a)	a "\r\n"

#define FIELDS8	"(uri,alias,type,etag,gets,get_size,puts,put_size)"
#define MISS_IN	"E missing t: missing channel /dev/stdin (the three " \
	"standard channels are required)\n"
#define MISS_OUT "E missing t: missing channel /dev/stdout (the three " \
	"standard channels are required)\n"
#define MISS_ERR "E missing t: missing channel /dev/stderr (the three " \
	"standard channels are required)\n"
#define NS_HOST	"host is not a dotted IPv4 address\n"

struct row {
	const char *name;
	const char *in;
	size_t len;		/* 0: strlen(in) */
	int prc;		/* parse's return */
	const char *pdiag;	/* parse's diagnostics */
	int crc;		/* check's return */
	const char *cdiag;	/* check's diagnostics */
	const char *todo;
};

#define N(s) s, sizeof(s) - 1	/* a literal with NUL bytes */

static const struct row rows[] = {
	/* ---- lexical rules ---- */
	{ "valid, LF", GOOD, 0, 0, "", 0, "", NULL },
	{ "valid, CRLF", CRLF("Version = 20130611") CRLF("Program = /bin/true")
	    CRLF("Timeout = 5") CRLF("Memory = 1048576,0")
	    CRLF("Channel = /dev/stdin,/dev/stdin,0,0,1,1,0,0")
	    CRLF("Channel = /dev/stdout,/dev/stdout,0,0,0,0,1,1")
	    CRLF("Channel = /dev/stderr,/dev/stderr,0,0,0,0,1,1"), 0,
	    0, "", 0, "", NULL },
	{ "valid, lone CR", "Version = 20130611\rProgram = /bin/true\r"
	    "Timeout = 5\rMemory = 1048576,0\r"
	    "Channel = /dev/stdin,/dev/stdin,0,0,1,1,0,0\r"
	    "Channel = /dev/stdout,/dev/stdout,0,0,0,0,1,1\r"
	    "Channel = /dev/stderr,/dev/stderr,0,0,0,0,1,1\r", 0,
	    0, "", 0, "", NULL },
	{ "valid, mixed line ends", "Version = 20130611\r\nProgram = /bin/true\r"
	    "Timeout = 5\nMemory = 1048576,0\r\n\r\r\n" STD, 0,
	    0, "", 0, "", NULL },
	{ "valid, no final newline", HDR CIN COUT
	    "Channel = /dev/stderr,/dev/stderr,0,0,0,0,1,1", 0,
	    0, "", 0, "", NULL },
	{ "tabs and blanks around '='", "Version\t=\t20130611\t\n"
	    "  Program   =   /bin/true  \nTimeout=5\n\tMemory =1048576 , 0\n"
	    "Channel =  /dev/stdin , /dev/stdin ,\t0, 0,1 ,1,0,0 \n"
	    COUT CERR, 0, 0, "", 0, "", NULL },
	{ "comments: #, indented #, '=' banners, '= value', '==Channel'",
	    "# c\n   # indented\n== banner ==\n= Timeout = 9\n"
	    "==Channel = /x,/x,0,0,1,1,0,0\n\n   \n\t\n\v\f\n" GOOD, 0,
	    0, "", 0, "", NULL },
	{ "'#' comment holding a NUL", N("# a\0b\n" GOOD),
	    0, "", 0, "", NULL },
	{ "text line without '='", GOOD "hello world\n", 0,
	    -1, "E syntax t:8: expected Key = value, got 'hello world' "
	    "(comment lines start with '#')\n", 0, "", NULL },
	{ "'key =' with an empty value", VER "Program =\n" TMO MEM STD, 0,
	    -1, "E value t:2: Program: empty value\n", 0, "", NULL },
	{ "Version with an empty value", "Version =\n" PRG TMO MEM STD, 0,
	    -1, "E value t:1: Version: empty value\n", 0, "", NULL },
	{ "NUL byte in a line", N(VER "Program = /bin/\0true\n" TMO MEM STD),
	    -1, "E syntax t:2: NUL byte in line\n",
	    -1, "E missing t: missing required key Program\n", NULL },
	{ "value holding '=' is kept", VER "Program = /tmp/a=b\n" TMO MEM STD,
	    0, 0, "", 0, "", NULL },
	{ "line of two '=' is a key line", GOOD "Env = A=b=c\n", 0,
	    0, "", 0, "", NULL },
	{ "unknown key: warning, kept", GOOD "Foo = bar\n", 0,
	    0, "W unknown key t:8: warning: unknown key 'Foo' kept as is\n",
	    0, "", NULL },
	{ "pre-2013 key MemMax", GOOD "MemMax = 1\n", 0,
	    0, "W unknown key t:8: warning: unknown key 'MemMax' kept as is\n",
	    0, "", NULL },
	{ "key holding a blank", GOOD "Time out = 5\n", 0,
	    0, "W unknown key t:8: warning: unknown key 'Time out' kept as "
	    "is\n", 0, "", NULL },
	{ "keys are case-sensitive: timeout", VER PRG "timeout = 5\n" MEM STD,
	    0, 0, "W unknown key t:3: warning: unknown key 'timeout' kept as "
	    "is (keys are case-sensitive: did you mean Timeout?)\n",
	    -1, "E missing t: missing required key Timeout\n", NULL },
	{ "keys are case-sensitive: CHANNEL",
	    GOOD "CHANNEL = /a,/a,0,0,1,1,0,0\n", 0,
	    0, "W unknown key t:8: warning: unknown key 'CHANNEL' kept as is "
	    "(keys are case-sensitive: did you mean Channel?)\n", 0, "",
	    NULL },
	{ "empty input", "", 0, 0, "",
	    -1, "E missing t: missing required key Version\n"
	    "E missing t: missing required key Program\n"
	    "E missing t: missing required key Timeout\n"
	    "E missing t: missing required key Memory\n"
	    MISS_IN MISS_OUT MISS_ERR, NULL },
	{ "comments only", "== empty manifest\n# nothing\n", 0, 0, "",
	    -1, "E missing t: missing required key Version\n"
	    "E missing t: missing required key Program\n"
	    "E missing t: missing required key Timeout\n"
	    "E missing t: missing required key Memory\n"
	    MISS_IN MISS_OUT MISS_ERR, NULL },

	/* ---- singleton keys ---- */
	{ "duplicate Timeout", GOOD "Timeout = 6\n", 0, 0, "",
	    -1, "E duplicate t:8: duplicate Timeout (first on line 3)\n",
	    NULL },
	{ "Version three times", VER VER PRG TMO MEM STD VER, 0, 0, "",
	    -1, "E duplicate t:2: duplicate Version (first on line 1)\n"
	    "E duplicate t:9: duplicate Version (first on line 1)\n", NULL },
	{ "duplicate with a bad value", GOOD "Timeout = x\n", 0,
	    -1, "E number t:8: Timeout: 'x': not a number\n",
	    -1, "E duplicate t:8: duplicate Timeout (first on line 3)\n",
	    NULL },
	{ "missing keys", STD, 0, 0, "",
	    -1, "E missing t: missing required key Version\n"
	    "E missing t: missing required key Program\n"
	    "E missing t: missing required key Timeout\n"
	    "E missing t: missing required key Memory\n", NULL },
	{ "Version 20140509", "Version = 20140509\n" PRG TMO MEM STD, 0,
	    0, "", -1, "E value t:1: Version: '20140509' is not supported "
	    "(expected 20130611)\n", NULL },
	{ "Timeout 0", VER PRG "Timeout = 0\n" MEM STD, 0, 0, "",
	    -1, "E value t:3: Timeout: must be at least 1 second, got 0\n",
	    NULL },
	{ "Timeout 0x10 and 010", VER PRG "Timeout = 0x10\n" MEM STD, 0,
	    0, "", 0, "", NULL },
	{ "Timeout -1", VER PRG "Timeout = -1\n" MEM STD, 0,
	    -1, "E number t:3: Timeout: '-1': sign not allowed\n", 0, "", NULL },
	{ "Timeout empty", VER PRG "Timeout =\n" MEM STD, 0,
	    -1, "E number t:3: Timeout: '': empty number\n", 0, "", NULL },
	{ "Timeout 08", VER PRG "Timeout = 08\n" MEM STD, 0,
	    -1, "E number t:3: Timeout: '08': invalid octal digit (a leading "
	    "0 means octal)\n", 0, "", NULL },
	{ "Timeout 2^64", VER PRG "Timeout = 18446744073709551616\n" MEM STD,
	    0, -1, "E number t:3: Timeout: '18446744073709551616': out of "
	    "range (max 9223372036854775807)\n", 0, "", NULL },
	{ "Timeout 2^63-1", VER PRG "Timeout = 9223372036854775807\n" MEM STD,
	    0, 0, "", 0, "", NULL },
	{ "Memory without the etag flag", VER PRG TMO "Memory = 1048576\n" STD,
	    0, -1, "E fields t:4: Memory: expected bytes,etag (e.g. "
	    "4294967296,0), got '1048576'\n", 0, "", NULL },
	{ "Memory with three parts", VER PRG TMO "Memory = 1,0,0\n" STD, 0,
	    -1, "E fields t:4: Memory: expected bytes,etag (e.g. "
	    "4294967296,0), got '1,0,0'\n", 0, "", NULL },
	{ "Memory etag 2", VER PRG TMO "Memory = 33554432, 2\n" STD, 0, 0, "",
	    -1, "E value t:4: Memory: etag flag must be 0 or 1, got 2\n",
	    NULL },
	{ "Memory etag 1, blanks", VER PRG TMO "Memory =  33554432 ,  1 \n"
	    STD, 0, 0, "", 0, "", NULL },
	{ "Memory -1", VER PRG TMO "Memory = -1, 1\n" STD, 0,
	    -1, "E number t:4: Memory: '-1': sign not allowed\n", 0, "", NULL },
	{ "Memory empty size", VER PRG TMO "Memory = ,0\n" STD, 0,
	    -1, "E number t:4: Memory: '': empty number\n", 0, "", NULL },
	{ "Memory empty etag", VER PRG TMO "Memory = 1,\n" STD, 0,
	    -1, "E number t:4: Memory: etag flag '': empty number\n", 0, "", NULL },
	{ "Memory 2^63", VER PRG TMO "Memory = 9223372036854775808,0\n" STD, 0,
	    -1, "E number t:4: Memory: '9223372036854775808': out of range "
	    "(max 9223372036854775807)\n", 0, "", NULL },
	{ "Memory 0", VER PRG TMO "Memory = 0,0\n" STD, 0, 0, "",
	    -1, "E value t:4: Memory: must be at least 1 byte, got 0\n",
	    NULL },
	{ "Node 0", GOOD "Node = 0\n", 0, 0, "",
	    -1, "E value t:8: Node: must be at least 1, got 0\n", NULL },
	{ "Node not numeric", GOOD "Node = usidramki\n", 0,
	    -1, "E number t:8: Node: 'usidramki': not a number\n", 0, "", NULL },
	{ "Node 3", GOOD "Node = 3\n", 0, 0, "", 0, "", NULL },

	/* ---- NameServer ---- */
	{ "NameServer udp:ip:port", GOOD "Node = 1\n"
	    "NameServer = udp:10.0.0.1:54321\n", 0, 0, "", 0, "", NULL },
	{ "NameServer node id host", GOOD "Node = 1\n"
	    "NameServer = udp:3:54321\n", 0, 0, "", 0, "", NULL },
	{ "NameServer UDP, edge values", GOOD "Node = 1\n"
	    "NameServer = UDP:255.255.255.255:65535\n", 0, 0, "", 0, "",
	    NULL },
	{ "NameServer 0.0.0.0:0", GOOD "Node = 1\n"
	    "NameServer = udp:0.0.0.0:0\n", 0, 0, "", 0, "", NULL },
	{ "NameServer without Node", GOOD "NameServer = udp:10.0.0.1:54321\n",
	    0, 0, "", -1, "E missing t:8: NameServer needs a Node key\n",
	    NULL },
	{ "NameServer tcp", GOOD "Node = 1\nNameServer = tcp:127.0.0.1:54321\n",
	    0, 0, "", -1, "E value t:9: NameServer: 'tcp:127.0.0.1:54321': "
	    "only udp:host:port is supported\n", NULL },
	{ "NameServer 127.0.1", GOOD "Node = 1\nNameServer = udp:127.0.1:54321"
	    "\n", 0, 0, "", -1, "E value t:9: NameServer: "
	    "'udp:127.0.1:54321': " NS_HOST, NULL },
	{ "NameServer 256.0.0.1", GOOD "Node = 1\nNameServer = udp:256.0.0.1:1"
	    "\n", 0, 0, "", -1, "E value t:9: NameServer: "
	    "'udp:256.0.0.1:1': " NS_HOST, NULL },
	{ "NameServer 01.2.3.4", GOOD "Node = 1\nNameServer = udp:01.2.3.4:1"
	    "\n", 0, 0, "", -1, "E value t:9: NameServer: "
	    "'udp:01.2.3.4:1': " NS_HOST, NULL },
	{ "NameServer 1.2.3.4.5", GOOD "Node = 1\nNameServer = udp:1.2.3.4.5:1"
	    "\n", 0, 0, "", -1, "E value t:9: NameServer: "
	    "'udp:1.2.3.4.5:1': " NS_HOST, NULL },
	{ "NameServer 1.2.3.", GOOD "Node = 1\nNameServer = udp:1.2.3.:1\n", 0,
	    0, "", -1, "E value t:9: NameServer: 'udp:1.2.3.:1': " NS_HOST,
	    NULL },
	{ "NameServer 1..3.4", GOOD "Node = 1\nNameServer = udp:1..3.4:1\n", 0,
	    0, "", -1, "E value t:9: NameServer: 'udp:1..3.4:1': " NS_HOST,
	    NULL },
	{ "NameServer 1.2.3.4a", GOOD "Node = 1\nNameServer = udp:1.2.3.4a:1\n",
	    0, 0, "", -1, "E value t:9: NameServer: 'udp:1.2.3.4a:1': "
	    NS_HOST, NULL },
	{ "NameServer without a port", GOOD "Node = 1\n"
	    "NameServer = udp:127.0.0.1\n", 0, 0, "", -1, "E value t:9: "
	    "NameServer: 'udp:127.0.0.1': expected udp:host:port\n", NULL },
	{ "NameServer empty port", GOOD "Node = 1\n"
	    "NameServer = udp:127.0.0.1:\n", 0, 0, "", -1, "E value t:9: "
	    "NameServer: 'udp:127.0.0.1:': port must be a number 0..65535\n",
	    NULL },
	{ "NameServer port 65536", GOOD "Node = 1\n"
	    "NameServer = udp:127.0.0.1:65536\n", 0, 0, "", -1, "E value t:9: "
	    "NameServer: 'udp:127.0.0.1:65536': port must be a number "
	    "0..65535\n", NULL },
	{ "NameServer empty host", GOOD "Node = 1\nNameServer = udp::1\n", 0,
	    0, "", -1, "E value t:9: NameServer: 'udp::1': expected "
	    "udp:host:port\n", NULL },
	{ "NameServer bad node id", GOOD "Node = 1\n"
	    "NameServer = udp:4294967296:1\n", 0, 0, "", -1, "E value t:9: "
	    "NameServer: 'udp:4294967296:1': host must be an IPv4 address or "
	    "a node number\n", NULL },

	/* ---- Job, Etag, Args, Env ---- */
	{ "Job, Etag", GOOD "Job = /tmp/zvm.sock\nEtag = 0\n", 0, 0, "", 0, "",
	    NULL },
	{ "Job of 108 bytes", GOOD "Job = /"
	    "23456789012345678901234567890123456789012345678901234567890"
	    "123456789012345678901234567890123456789012345678\n", 0,
	    0, "", 0, "", NULL },
	{ "Job of 109 bytes", GOOD "Job = /"
	    "23456789012345678901234567890123456789012345678901234567890"
	    "1234567890123456789012345678901234567890123456789\n", 0,
	    0, "", -1, "E value t:8: Job: socket path longer than 108 bytes\n",
	    NULL },
	{ "Etag empty", GOOD "Etag =\n", 0,
	    -1, "E value t:8: Etag: empty value\n", 0, "", NULL },
	{ "Args", GOOD "Args = prog \"a b\" c\\x2Cd\n", 0, 0, "", 0, "", NULL },
	{ "Args unterminated quote", GOOD "Args = prog \"a b\n", 0, 0, "",
	    -1, "E value t:8: Args: unterminated quote\n", NULL },
	{ "Args \\x00", GOOD "Args = prog a\\x00b\n", 0, 0, "",
	    -1, "E value t:8: Args: \\x00 (NUL) is not allowed\n", NULL },
	{ "Env", GOOD "Env = A=1\nEnv = B=\nEnv = C=x=y\n", 0, 0, "", 0, "",
	    NULL },
	{ "Env without a name", GOOD "Env = =x\n", 0,
	    -1, "E value t:8: Env: expected NAME=value (NAME without blanks), got "
	    "'=x'\n", 0, "",
	    NULL },
	{ "Env without '='", GOOD "Env = NOEQ\n", 0,
	    -1, "E value t:8: Env: expected NAME=value (NAME without blanks), got "
	    "'NOEQ'\n", 0, "",
	    NULL },
	{ "Env empty", GOOD "Env =\n", 0,
	    -1, "E value t:8: Env: expected NAME=value (NAME without blanks), got "
	    "''\n", 0, "",
	    NULL },
	{ "Env name holding a blank", GOOD "Env = A B=1\n", 0,
	    -1, "E value t:8: Env: expected NAME=value (NAME without blanks), got "
	    "'A B=1'\n", 0, "", NULL },
	{ "Env blanks around its '='", GOOD "Env = A = 1\n", 0, 0, "", 0, "",
	    NULL },
	{ "Env twice", GOOD "Env = A=1\nEnv = B=2\nEnv = A=3\n", 0, 0, "",
	    -1, "E duplicate t:10: duplicate Env A (first on line 8)\n", NULL },

	/* ---- Channel syntax ---- */
	{ "channel of 7 fields", HDR "Channel = /dev/stdin,/dev/stdin,0,0,1,1,0"
	    "\n" COUT CERR, 0, -1, "E fields t:5: Channel: expected 8 fields "
	    FIELDS8 ", got 7\n", 0, "", NULL },
	{ "channel of 9 fields", HDR
	    "Channel = /dev/stdin, /dev/stdin, 0, 1, 32, 32, 0, 0, 0\n" COUT
	    CERR, 0, -1, "E fields t:5: Channel: expected 8 fields " FIELDS8
	    ", got 9\n", 0, "", NULL },
	{ "channel with a trailing comma", HDR
	    "Channel = /dev/stdin,/dev/stdin,0,0,1,1,0,0,\n" COUT CERR, 0,
	    -1, "E fields t:5: Channel: expected 8 fields " FIELDS8
	    ", got 9\n", 0, "", NULL },
	{ "channel of 1 field", HDR "Channel = /dev/stdin\n" COUT CERR, 0,
	    -1, "E fields t:5: Channel: expected 8 fields " FIELDS8
	    ", got 1\n", 0, "", NULL },
	{ "channel with an empty value", HDR "Channel =\n" COUT CERR, 0,
	    -1, "E fields t:5: Channel: expected 8 fields " FIELDS8
	    ", got 1\n", 0, "", NULL },
	{ "channel empty number field", HDR
	    "Channel = /dev/stdin,/dev/stdin,0,,1,1,0,0\n" COUT CERR, 0,
	    -1, "E number t:5: Channel: field 4 (etag): '': empty number\n",
	    0, "", NULL },
	{ "channel empty uri", HDR "Channel = ,/dev/stdin,0,0,1,1,0,0\n" COUT
	    CERR, 0, -1, "E fields t:5: Channel: field 1 (uri): empty\n",
	    0, "", NULL },
	{ "channel blank alias", HDR "Channel = /dev/stdin, \t,0,0,1,1,0,0\n"
	    COUT CERR, 0, -1, "E fields t:5: Channel: field 2 (alias): "
	    "empty\n", 0, "", NULL },
	{ "channel gets -1", HDR
	    "Channel = /dev/stdin, /dev/stdin, 0, 1, -1, 32, 0, 0\n" COUT CERR,
	    0, -1, "E number t:5: Channel: field 5 (gets): '-1': sign not "
	    "allowed\n", 0, "", NULL },
	{ "channel put_size 2^64", HDR CIN
	    "Channel = /dev/stdout,/dev/stdout,0,0,0,0,1,18446744073709551616\n"
	    CERR, 0, -1, "E number t:6: Channel: field 8 (put_size): "
	    "'18446744073709551616': out of range\n", 0, "", NULL },
	{ "channel puts 2^63", HDR CIN
	    "Channel = /dev/stdout,/dev/stdout,0,0,0,0,9223372036854775808,1\n"
	    CERR, 0, -1, "E number t:6: Channel: field 7 (puts): "
	    "'9223372036854775808': out of range\n", 0, "", NULL },
	{ "channel quotas 2^63-1, hex, octal", HDR CIN
	    "Channel = /dev/stdout,/dev/stdout,0,0,0x0,00,"
	    "9223372036854775807,0x7fffffffffffffff\n" CERR, 0, 0, "", 0, "",
	    NULL },
	{ "channel quota 08", HDR CIN
	    "Channel = /dev/stdout,/dev/stdout,0,0,0,0,1,08\n" CERR, 0,
	    -1, "E number t:6: Channel: field 8 (put_size): '08': invalid "
	    "octal digit (a leading 0 means octal)\n", 0, "", NULL },
	{ "channel type 1x", HDR CIN
	    "Channel = /dev/stdout,/dev/stdout,1x,0,0,0,1,1\n" CERR, 0,
	    -1, "E number t:6: Channel: field 3 (type): '1x': not a number\n",
	    0, "", NULL },

	/* ---- channel rules ---- */
	{ "missing stderr", HDR CIN COUT, 0, 0, "", -1, MISS_ERR, NULL },
	{ "no channels", HDR, 0, 0, "", -1, MISS_IN MISS_OUT MISS_ERR, NULL },
	{ "no std channels", HDR "Channel = /dev/null, /c1, 0, 1, 0, 0, 16, 256"
	    "\nChannel = /dev/null, /c2, 0, 1, 0, 0, 16, 256\n", 0, 0, "",
	    -1, MISS_IN MISS_OUT MISS_ERR, NULL },
	{ "nil channel", HDR "Channel = /dev/stdin, /dev/stdin, 0, 1, 0, 0, 0, 0"
	    "\n" COUT CERR, 0, 0, "", -1, "E channel t:5: Channel /dev/stdin: "
	    "neither readable (gets, get_size > 0) nor writable (puts, "
	    "put_size > 0)\n", NULL },
	{ "gets without get_size is nil", GOOD
	    "Channel = /tmp/f,/dev/3.f,0,0,5,0,0,7\n", 0, 0, "",
	    -1, "E channel t:8: Channel /dev/3.f: neither readable (gets, "
	    "get_size > 0) nor writable (puts, put_size > 0)\n", NULL },
	{ "read-write, type 0", GOOD "Channel = /tmp/f,/dev/3.f,0,0,1,1,1,1\n",
	    0, 0, "", -1, "E channel t:8: Channel /dev/3.f: a read-write "
	    "channel needs type 1 or 3, got 0\n", NULL },
	{ "read-write, type 2", GOOD "Channel = /tmp/f,/dev/3.f,2,0,1,1,1,1\n",
	    0, 0, "", -1, "E channel t:8: Channel /dev/3.f: a read-write "
	    "channel needs type 1 or 3, got 2\n", NULL },
	{ "read-write, types 1 and 3", GOOD
	    "Channel = /tmp/f,/dev/3.f,1,0,1,1,1,1\n"
	    "Channel = /tmp/g,/dev/4.g,3,1,1,1,1,1\n", 0, 0, "", 0, "", NULL },
	{ "read-only and write-only, type 2", GOOD
	    "Channel = /tmp/f,/dev/3.f,2,0,1,1,0,0\n"
	    "Channel = /tmp/g,/dev/4.g,2,0,0,0,1,1\n", 0, 0, "", 0, "", NULL },
	{ "type 5", HDR "Channel = /dev/stdin, /dev/stdin, 5, 1, 32, 32, 0, 0\n"
	    COUT CERR, 0, 0, "", -1, "E channel t:5: Channel /dev/stdin: "
	    "type 5 is invalid (expected 0..3)\n", NULL },
	{ "type 4, read-write", GOOD "Channel = /tmp/f,/dev/3.f,4,0,1,1,1,1\n",
	    0, 0, "", -1, "E channel t:8: Channel /dev/3.f: type 4 is invalid "
	    "(expected 0..3)\n", NULL },
	{ "etag 2", GOOD "Channel = /tmp/f,/dev/3.f,0,2,1,1,0,0\n", 0, 0, "",
	    -1, "E channel t:8: Channel /dev/3.f: etag 2 is invalid (expected "
	    "0 or 1)\n", NULL },
	{ "relative uri", HDR
	    "Channel = data.txt, /dev/stdin, 0, 1, 32, 32, 0, 0\n" COUT CERR,
	    0, 0, "", -1, "E channel t:5: Channel /dev/stdin: uri 'data.txt' "
	    "must be an absolute path or tcp:host:port\n", NULL },
	{ "relative alias", GOOD "Channel = /tmp/f,3.f,0,0,1,1,0,0\n", 0, 0, "",
	    -1, "E channel t:8: Channel: alias '3.f' must be an absolute "
	    "path\n", NULL },
	{ "duplicate alias", GOOD "Channel = /dev/null, /dup, 0, 1, 0, 0, 32, 32"
	    "\nChannel = /dev/null, /dup, 0, 1, 0, 0, 32, 32\n", 0, 0, "",
	    -1, "E duplicate t:9: Channel: duplicate alias /dup (first on line "
	    "8)\n", NULL },
	{ "std alias twice", GOOD CIN, 0, 0, "", -1, "E duplicate t:8: "
	    "Channel: duplicate alias /dev/stdin (first on line 5)\n", NULL },
	{ "':' in a file path is allowed", GOOD
	    "Channel = /tmp/a:b,/dev/3.a:b,0,0,1,1,0,0\n", 0, 0, "", 0, "",
	    NULL },
	{ "tcp channels", GOOD "Channel = tcp:10.0.0.2:5000,/dev/in,0,0,1,1,0,0"
	    "\nChannel = tcp:2:,/dev/out,0,0,0,0,1,1\n"
	    "Channel = TCP:1.2.3.4:0,/dev/out2,0,0,0,0,1,1\n", 0, 0, "", 0, "",
	    NULL },
	{ "tcp IPv6 and names", GOOD "Channel = tcp:[::1]:5000,/dev/in,0,0,1,"
	    "1,0,0\nChannel = tcp:node-7.example.org:80,/dev/out,0,0,0,0,1,1\n",
	    0, 0, "", 0, "", NULL },
	{ "tcp bad IPv6", GOOD "Channel = tcp:[::g]:80,/dev/net,0,0,1,1,0,0\n",
	    0, 0, "", -1, "E channel t:8: Channel /dev/net: uri 'tcp:[::g]:80':"
	    " expected tcp:host:port\n", NULL },
	{ "tcp bad name", GOOD "Channel = tcp:a-.b:80,/dev/net,0,0,1,1,0,0\n",
	    0, 0, "", -1, "E channel t:8: Channel /dev/net: uri 'tcp:a-.b:80':"
	    " expected tcp:host:port\n", NULL },
	{ "tcp read-write", GOOD "Channel = tcp:2:,/dev/net,1,0,1,1,1,1\n", 0,
	    0, "", -1, "E channel t:8: Channel /dev/net: network channels are "
	    "read-only or write-only\n", NULL },
	{ "tcp bad host", GOOD "Channel = tcp:1.2.3:80,/dev/net,0,0,1,1,0,0\n",
	    0, 0, "", -1, "E channel t:8: Channel /dev/net: uri 'tcp:1.2.3:80':"
	    " expected tcp:host:port\n", NULL },
	{ "tcp URL syntax", GOOD "Channel = tcp://10.0.0.1:80,/dev/net,0,0,1,1,"
	    "0,0\n", 0, 0, "", -1, "E channel t:8: Channel /dev/net: uri "
	    "'tcp://10.0.0.1:80': expected tcp:host:port\n", NULL },
	{ "tcp without a port", GOOD "Channel = tcp:10.0.0.1,/dev/net,0,0,1,1,"
	    "0,0\n", 0, 0, "", -1, "E channel t:8: Channel /dev/net: uri "
	    "'tcp:10.0.0.1': expected tcp:host:port\n", NULL },
	{ "';' list of files", GOOD "Channel = /tmp/a;/tmp/b,/dev/m,0,0,0,0,1,1"
	    "\n", 0, 0, "", -1, "E channel t:8: Channel /dev/m: multi-source "
	    "uris (';') are not supported but as several tcp:host:port\n",
	    NULL },
	{ "';' list of tcp uris to read", GOOD "Channel = tcp:1:;tcp:2:,/dev/m,"
	    "0,0,1,1,0,0\n", 0, 0, "", -1, "E channel t:8: Channel /dev/m: "
	    "several sources for one read channel (ZeroVM's vote) are not "
	    "supported; ';' is for a write-only channel's broadcast\n", NULL },
	{ "';' list of tcp uris to write", GOOD "Channel = tcp:1:;tcp:[::1]:80,"
	    "/dev/m,0,0,0,0,1,1\n", 0, 0, "", 0, "", NULL },
	{ "';' with one bad part", GOOD "Channel = tcp:1:;tcp:1.2.3:80,/dev/m,"
	    "0,0,0,0,1,1\n", 0, 0, "", -1, "E channel t:8: Channel /dev/m: "
	    "multi-source uris (';') are not supported but as several "
	    "tcp:host:port\n", NULL },

	/* ---- every bad line, in order ---- */
	{ "many errors, all reported", "Version = 1\nProgram =\nTimeout = 0\n"
	    "Memory = 1,5\njunk\nChannel = a,b,9,3,0,0,0,0\n"
	    "Channel = /dev/stdin,/dev/stdin,0,0,1,1,0,0,\n" COUT
	    "Timeout = 2\n" COUT, 0,
	    -1, "E value t:2: Program: empty value\n"
	    "E syntax t:5: expected Key = value, got 'junk' (comment lines "
	    "start with '#')\n"
	    "E fields t:7: Channel: expected 8 fields " FIELDS8 ", got 9\n",
	    -1, "E duplicate t:9: duplicate Timeout (first on line 3)\n"
	    "E value t:1: Version: '1' is not supported (expected 20130611)\n"
	    "E value t:3: Timeout: must be at least 1 second, got 0\n"
	    "E value t:4: Memory: etag flag must be 0 or 1, got 5\n"
	    "E channel t:6: Channel b: uri 'a' must be an absolute path or "
	    "tcp:host:port\n"
	    "E channel t:6: Channel: alias 'b' must be an absolute path\n"
	    "E channel t:6: Channel b: type 9 is invalid (expected 0..3)\n"
	    "E channel t:6: Channel b: etag 3 is invalid (expected 0 or 1)\n"
	    "E channel t:6: Channel b: neither readable (gets, get_size > 0) "
	    "nor writable (puts, put_size > 0)\n"
	    "E duplicate t:10: Channel: duplicate alias /dev/stdout (first on "
	    "line 8)\n", NULL },
	{ "line numbers with CRLF and CR", "# a\r\n# b\r" VER PRG TMO MEM STD
	    "bad\r\n", 0, -1, "E syntax t:10: expected Key = value, got 'bad' "
	    "(comment lines start with '#')\n", 0, "", NULL },
};

static void
test_rows(void)
{
	for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
		const struct row *r = &rows[i];
		size_t len = r->len ? r->len : strlen(r->in);
		struct zvm_manifest m;
		struct zvm_diag d = ZVM_DIAG_INIT, only;
		struct zvm_buf pd = ZVM_BUF_INIT, cd = ZVM_BUF_INIT;
		struct zvm_buf out = ZVM_BUF_INIT;
		char name[200];
		int prc, crc, good;
		size_t np;

		zvm_manifest_init(&m);
		prc = zvm_manifest_parse(&m, "t", r->in, len, &d);
		np = d.n;
		crc = zvm_manifest_check(&m, &d);
		only = d;
		only.n = np;
		mt_diag_text(&only, 0, 1, &pd);
		mt_diag_text(&d, np, 1, &cd);
		good = prc == r->prc && crc == r->crc &&
		    strcmp(pd.p ? pd.p : "", r->pdiag) == 0 &&
		    strcmp(cd.p ? cd.p : "", r->cdiag) == 0;
		snprintf(name, sizeof name, "%s: diagnostics", r->name);
		if (r->todo)
			todo_ok(good, name, r->todo);
		else
			ok(good, name);
		if (!good)
			printf("#   parse %d (want %d), check %d (want %d)\n"
			    "#   parse got:\n%s#   parse want:\n%s"
			    "#   check got:\n%s#   check want:\n%s", prc, r->prc,
			    crc, r->crc, pd.p ? pd.p : "", r->pdiag,
			    cd.p ? cd.p : "", r->cdiag);
		zvm_manifest_write(&m, &out);
		snprintf(name, sizeof name, "%s: written back byte for byte",
		    r->name);
		ok(mt_same(&out, r->in, len), name);
		zvm_buf_free(&out);
		zvm_buf_free(&pd);
		zvm_buf_free(&cd);
		zvm_diag_free(&d);
		zvm_manifest_free(&m);
	}
}

/* Parse s (must succeed without errors) into m. */
static int
load_str(struct zvm_manifest *m, const char *s)
{
	struct zvm_diag d = ZVM_DIAG_INIT;
	int rc;

	zvm_manifest_init(m);
	rc = zvm_manifest_parse(m, "t", s, strlen(s), &d);
	zvm_diag_free(&d);
	return rc;
}

/* m's written bytes equal want. */
static int
is_text(const struct zvm_manifest *m, const char *want, const char *name)
{
	struct zvm_buf b = ZVM_BUF_INIT;
	int same;

	zvm_manifest_write(m, &b);
	same = mt_same(&b, want, strlen(want));
	if (!ok(same, name))
		printf("#   got:\n%.*s#   want:\n%s", (int)b.len,
		    b.p ? b.p : "", want);
	zvm_buf_free(&b);
	return same;
}

/* Errors (not warnings) of check(m) plus those of re-parsing its text. */
static size_t
errors_after(const struct zvm_manifest *m, int do_check)
{
	struct zvm_manifest m2;
	struct zvm_diag d = ZVM_DIAG_INIT;
	struct zvm_buf b = ZVM_BUF_INIT;
	size_t n;

	zvm_manifest_write(m, &b);
	zvm_manifest_init(&m2);
	zvm_manifest_parse(&m2, "re", b.p ? b.p : "", b.len, &d);
	if (do_check)
		zvm_manifest_check(&m2, &d);
	n = d.nerr;
	zvm_diag_free(&d);
	zvm_buf_free(&b);
	zvm_manifest_free(&m2);
	return n;
}

#define ZVSH "Node=1\nVersion=20130611\nTimeout=50\nMemory=4294967296,0\n" \
	"Program=/bin/cat\n" \
	"Channel=/dev/stdin,/dev/stdin,0,0,4294967296,4294967296,0,0\n" \
	"Channel=/dev/stdout,/dev/stdout,0,0,0,0,4294967296,4294967296\n" \
	"Channel=/dev/stderr,/dev/stderr,0,0,0,0,4294967296,4294967296\n" \
	"Channel=/home/u/file.txt,/dev/3.file.txt,3,0,3,3,3,3\n"

#define ZTEST "=============\n== a test\n=============\n" \
	"Channel = /dev/stdin, /dev/stdin, 0, 0, 1, 1, 0, 0\n" \
	"Channel = /dev/stdout, /dev/stdout, 0, 0, 0, 0, 1, 1\n" \
	"Channel = /dev/stderr, /dev/stderr, 0, 0, 0, 0, 1, 1\n" \
	"\n==== switches\n" \
	"Version = 20130611\nMemory = 33554432, 0\nTimeout = 1\n" \
	"Program = dummy.nexe\n"

static void
test_model(void)
{
	struct zvm_manifest m;
	const struct zvm_channel *c;

	load_str(&m, ZVSH);
	ok(m.value[ZVM_K_VERSION] && strcmp(m.value[ZVM_K_VERSION],
	    "20130611") == 0 && strcmp(m.value[ZVM_K_PROGRAM], "/bin/cat") ==
	    0, "zvsh: Version and Program values");
	ok(m.timeout == 50 && m.memory == 4294967296ULL &&
	    m.memory_etag == 0 && m.node == 1, "zvsh: numbers parsed");
	ok(m.value[ZVM_K_JOB] == NULL && m.nkey[ZVM_K_JOB] == 0,
	    "zvsh: absent key is NULL");
	is_int((long long)m.nchan, 4, "zvsh: four channels");
	c = &m.chan[3];
	ok(strcmp(c->uri, "/home/u/file.txt") == 0 &&
	    strcmp(c->alias, "/dev/3.file.txt") == 0 && c->type == 3 &&
	    c->etag == 0 && c->limit[ZVM_GETS] == 3 &&
	    c->limit[ZVM_GET_SIZE] == 3 && c->limit[ZVM_PUTS] == 3 &&
	    c->limit[ZVM_PUT_SIZE] == 3 && c->line == 9 && !c->spaced,
	    "zvsh: channel 4 fields, line, style");
	ok(m.chan[0].limit[ZVM_GET_SIZE] == 4294967296ULL &&
	    zvm_channel_access(&m.chan[0]) == ZVM_ACC_READ &&
	    zvm_channel_access(&m.chan[1]) == ZVM_ACC_WRITE &&
	    zvm_channel_access(&m.chan[3]) == ZVM_ACC_RW,
	    "zvsh: access classes");
	ok(!m.spaced_eq && !m.spaced_comma && m.eol == ZVM_EOL_LF,
	    "zvsh: compact style detected");
	ok(zvm_manifest_find(&m, "/dev/stdout") == &m.chan[1] &&
	    zvm_manifest_find(&m, "/dev/nope") == NULL &&
	    zvm_manifest_find(&m, "/dev/stdou") == NULL,
	    "find by exact alias");
	is_int((long long)zvm_manifest_nchannels(&m), 4, "nchannels");
	ok(m.nkey[ZVM_K_CHANNEL] == 4 && m.nkey[ZVM_K_NODE] == 1,
	    "nkey counts occurrences");
	zvm_manifest_free(&m);

	load_str(&m, ZTEST);
	ok(m.spaced_eq && m.spaced_comma && m.chan[0].spaced &&
	    m.chan[0].line == 4 && m.memory == 33554432,
	    "ZeroVM test style: spaced style, lines counted with banners");
	ok(strcmp(m.value[ZVM_K_PROGRAM], "dummy.nexe") == 0,
	    "relative Program kept");
	zvm_manifest_free(&m);

	load_str(&m, "Version = 1\r\nProgram = /tmp/a=b\r\n"
	    "Env = A=b=c\r\nEnv = E=\r\n");
	ok(m.eol == ZVM_EOL_CRLF && strcmp(m.value[ZVM_K_PROGRAM],
	    "/tmp/a=b") == 0, "CRLF detected; value keeps '='");
	ok(m.nenv == 2 && strcmp(m.env[0].name, "A") == 0 &&
	    strcmp(m.env[0].value, "b=c") == 0 && m.env[0].line == 3 &&
	    strcmp(m.env[1].name, "E") == 0 && strcmp(m.env[1].value, "") ==
	    0, "Env splits at the first '='");
	zvm_manifest_free(&m);

	load_str(&m, "Env =  A = 1 \nEnv = B=\t\n");
	ok(m.nenv == 2 && strcmp(m.env[0].name, "A") == 0 &&
	    strcmp(m.env[0].value, "1") == 0 && strcmp(m.env[1].value, "") ==
	    0, "Env name and value are trimmed");
	zvm_manifest_free(&m);

	load_str(&m, "Version = 1\rTimeout = 2\r");
	ok(m.eol == ZVM_EOL_CR && m.timeout == 2, "lone CR detected");
	zvm_manifest_free(&m);

	load_str(&m, "Timeout = 7\nTimeout = 9\n");
	ok(m.timeout == 7 && m.nkey[ZVM_K_TIMEOUT] == 2,
	    "duplicate: the first value is the model's");
	zvm_manifest_free(&m);
}

static void
test_names(void)
{
	struct zvm_channel c;
	struct zvm_arena a = ZVM_ARENA_INIT;
	struct zvm_error e;
	struct zvm_buf b = ZVM_BUF_INIT;
	char buf[256];

	ok(zvm_key_lookup("Timeout", 7) == ZVM_K_TIMEOUT &&
	    zvm_key_lookup("NameServer", 10) == ZVM_K_NAMESERVER &&
	    zvm_key_lookup("Env", 3) == ZVM_K_ENV &&
	    zvm_key_lookup("timeout", 7) == -1 &&
	    zvm_key_lookup("Timeouts", 7) == ZVM_K_TIMEOUT &&
	    zvm_key_lookup("Time", 4) == -1 && zvm_key_lookup("", 0) == -1,
	    "key_lookup is exact over n bytes");
	ok(strcmp(zvm_key_name(ZVM_K_MEMORY), "Memory") == 0 &&
	    strcmp(zvm_key_name(-1), "?") == 0 &&
	    strcmp(zvm_key_name(ZVM_NKEYS), "?") == 0, "key_name");
	ok(zvm_field_lookup("get_size", 8) == ZVM_F_GET_SIZE &&
	    zvm_field_lookup("gets", 4) == ZVM_F_GETS &&
	    zvm_field_lookup("uri", 3) == ZVM_F_URI &&
	    zvm_field_lookup("get", 3) == -1 &&
	    zvm_field_lookup("GETS", 4) == -1, "field_lookup");
	ok(strcmp(zvm_field_name(ZVM_F_PUT_SIZE), "put_size") == 0 &&
	    strcmp(zvm_field_name(ZVM_NFIELDS), "?") == 0 &&
	    strcmp(zvm_field_name(-1), "?") == 0, "field_name");
	ok(zvm_std_alias("/dev/stdin") == 0 && zvm_std_alias("/dev/stdout") ==
	    1 && zvm_std_alias("/dev/stderr") == 2 &&
	    zvm_std_alias("/dev/stdinx") == -1 && zvm_std_alias("stdin") == -1,
	    "std_alias");

	/* channel_parse on a value that is not NUL-terminated */
	ok(zvm_channel_parse(&c, "/a, /b, 1, 1, 2, 3, 4, 5XYZ", 24, &a, "f", 9,
	    &e) == 0 && strcmp(c.uri, "/a") == 0 && strcmp(c.alias, "/b") ==
	    0 && c.type == 1 && c.etag == 1 && c.limit[0] == 2 &&
	    c.limit[3] == 5 && c.line == 9 && c.spaced,
	    "channel_parse reads n bytes only");
	ok(zvm_channel_parse(&c, "/a,/b", 5, &a, "f", 9, &e) == -1 &&
	    e.code == ZVM_E_FIELDS && e.line == 9 && strcmp(e.file, "f") == 0,
	    "channel_parse error names file and line");
	is_str(zvm_error_fmt(&e, buf, sizeof buf), "f:9: Channel: expected 8 "
	    "fields (uri,alias,type,etag,gets,get_size,puts,put_size), got 2",
	    "channel_parse field-count message");
	ok(zvm_channel_parse(&c, "/a,/b,0,0,1,1,0,x", 17, &a, "f", 2, &e) ==
	    -1 && e.code == ZVM_E_NUMBER && e.line == 2,
	    "channel_parse number error");

	c.uri = "/u";
	c.alias = "/v";
	c.type = 3;
	c.etag = 1;
	c.limit[0] = 0;
	c.limit[1] = 4294967296ULL;
	c.limit[2] = 7;
	c.limit[3] = 9223372036854775807ULL;
	zvm_channel_format(&c, 1, &b);
	is_str(b.p, "/u, /v, 3, 1, 0, 4294967296, 7, 9223372036854775807",
	    "channel_format spaced");
	b.len = 0;
	zvm_channel_format(&c, 0, &b);
	is_str(b.p, "/u,/v,3,1,0,4294967296,7,9223372036854775807",
	    "channel_format compact");
	zvm_buf_free(&b);
	zvm_arena_free(&a);
}

/* The exported single-channel helpers used by the tools. */
static void
test_channel_helpers(void)
{
	struct zvm_arena a = ZVM_ARENA_INIT;
	struct zvm_diag d = ZVM_DIAG_INIT;
	struct zvm_buf t = ZVM_BUF_INIT;
	struct zvm_channel c;
	struct zvm_error e;
	const char *why = NULL;
	char buf[300];

	ok(zvm_channel_parse_arg(&c, "/in, /dev/3.in, 1, 0, 1K, 1MiB, 0x10, 010",
	    &a, &e) == 0 && strcmp(c.uri, "/in") == 0 &&
	    strcmp(c.alias, "/dev/3.in") == 0 && c.limit[ZVM_GETS] == 1024 &&
	    c.limit[ZVM_GET_SIZE] == 1048576 && c.limit[ZVM_PUTS] == 16 &&
	    c.limit[ZVM_PUT_SIZE] == 8, "parse_arg: size suffixes on quotas");
	ok(zvm_channel_parse_arg(&c, "/a,/b,0,0,1X,1,0,0", &a, &e) == -1 &&
	    e.code == ZVM_E_NUMBER && e.file == NULL, "parse_arg: bad size");
	is_str(zvm_error_fmt(&e, buf, sizeof buf),
	    "Channel: field 5 (gets): '1X': not a number",
	    "parse_arg: message names the field, no file");
	ok(zvm_channel_parse_arg(&c, "/a,/b,1K,0,1,1,0,0", &a, &e) == -1 &&
	    e.code == ZVM_E_NUMBER, "parse_arg: no suffix on type");
	ok(zvm_channel_parse_arg(&c, "/a,/b,0,0,-1K,1,0,0", &a, &e) == -1 &&
	    e.code == ZVM_E_NUMBER, "parse_arg: no sign");
	ok(zvm_channel_parse_arg(&c, "/a,/b,0,0,8388608T,1,0,0", &a, &e) ==
	    -1 && e.code == ZVM_E_NUMBER, "parse_arg: 2^63 by suffix");
	ok(zvm_channel_parse_arg(&c, "/a,/b,0,0,1,1,0", &a, &e) == -1 &&
	    e.code == ZVM_E_FIELDS, "parse_arg: 7 fields");
	ok(zvm_channel_parse_arg(&c, "/a,/b,0,0,1,1,0,0,", &a, &e) == -1 &&
	    e.code == ZVM_E_FIELDS, "parse_arg: trailing comma");

	zvm_channel_parse_arg(&c, "/tmp/f,/dev/3.f,0,2,1,1,1,1", &a, &e);
	c.line = 12;
	is_int(zvm_channel_check(&c, "job.manifest", &d), -1,
	    "channel_check: bad etag and read-write type 0");
	mt_diag_text(&d, 0, 1, &t);
	is_str(t.p, "E channel job.manifest:12: Channel /dev/3.f: etag 2 is "
	    "invalid (expected 0 or 1)\n"
	    "E channel job.manifest:12: Channel /dev/3.f: a read-write channel "
	    "needs type 1 or 3, got 0\n", "channel_check: messages");
	zvm_buf_free(&t);
	zvm_diag_free(&d);
	zvm_channel_parse_arg(&c, "tcp:10.0.0.1:80,/dev/net,0,0,0,0,1,1", &a,
	    &e);
	is_int(zvm_channel_check(&c, "f", &d), 0, "channel_check: tcp output");
	ok(d.n == 0, "channel_check: nothing reported");
	zvm_diag_free(&d);

	ok(zvm_nameserver_ok("udp:10.0.0.1:54321", &why) == 1 &&
	    zvm_nameserver_ok("udp:7:0", &why) == 1, "nameserver_ok: good");
	ok(zvm_nameserver_ok("tcp:10.0.0.1:1", &why) == 0 && why &&
	    strcmp(why, "only udp:host:port is supported") == 0,
	    "nameserver_ok: tcp");
	ok(zvm_nameserver_ok("udp:10.0.1:1", &why) == 0 && why &&
	    strcmp(why, "host is not a dotted IPv4 address") == 0,
	    "nameserver_ok: three-part IPv4");
	ok(zvm_nameserver_ok("", &why) == 0, "nameserver_ok: empty");
	zvm_arena_free(&a);
}

static void
test_set(void)
{
	struct zvm_manifest m;
	struct zvm_error e;
	char buf[300];

	/* zvsh order: a new key goes above the channels. */
	load_str(&m, ZVSH);
	ok(zvm_manifest_set(&m, ZVM_K_ARGS, "cat /dev/3.file.txt", &e) == 0,
	    "set a new key");
	m.chan[3].limit[ZVM_GETS] = 10;
	ok(zvm_manifest_update_channel(&m, 3, &e) == 0,
	    "update a channel whose line moved");
	ok(zvm_manifest_setenv(&m, "LANG", "C", &e) == 0, "setenv new");
	ok(zvm_manifest_set(&m, ZVM_K_TIMEOUT, "100", &e) == 0,
	    "set an existing key");
	is_text(&m, "Node=1\nVersion=20130611\nTimeout=100\n"
	    "Memory=4294967296,0\nProgram=/bin/cat\n"
	    "Args=cat /dev/3.file.txt\nEnv=LANG=C\n"
	    "Channel=/dev/stdin,/dev/stdin,0,0,4294967296,4294967296,0,0\n"
	    "Channel=/dev/stdout,/dev/stdout,0,0,0,0,4294967296,4294967296\n"
	    "Channel=/dev/stderr,/dev/stderr,0,0,0,0,4294967296,4294967296\n"
	    "Channel=/home/u/file.txt,/dev/3.file.txt,3,0,10,3,3,3\n",
	    "zvsh: keys above channels, compact style kept");
	ok(m.timeout == 100 && strcmp(m.value[ZVM_K_TIMEOUT], "100") == 0 &&
	    strcmp(m.value[ZVM_K_ARGS], "cat /dev/3.file.txt") == 0,
	    "model follows set");
	is_int((long long)errors_after(&m, 1), 0, "result parses and checks");
	zvm_manifest_free(&m);

	/* ZeroVM test order: keys after channels; spaced style. */
	load_str(&m, ZTEST);
	ok(zvm_manifest_set(&m, ZVM_K_NODE, "2", &e) == 0, "set Node");
	ok(zvm_manifest_set(&m, ZVM_K_MEMORY, "67108864, 1", &e) == 0 &&
	    m.memory == 67108864 && m.memory_etag == 1, "set Memory");
	ok(zvm_manifest_setenv(&m, "A", "1", &e) == 0, "setenv");
	m.chan[0].limit[ZVM_GETS] = 5;
	ok(zvm_manifest_update_channel(&m, 0, &e) == 0, "update stdin");
	is_text(&m, "=============\n== a test\n=============\n"
	    "Channel = /dev/stdin, /dev/stdin, 0, 0, 5, 1, 0, 0\n"
	    "Channel = /dev/stdout, /dev/stdout, 0, 0, 0, 0, 1, 1\n"
	    "Channel = /dev/stderr, /dev/stderr, 0, 0, 0, 0, 1, 1\n"
	    "\n==== switches\n"
	    "Version = 20130611\nMemory = 67108864, 1\nTimeout = 1\n"
	    "Program = dummy.nexe\nNode = 2\nEnv = A=1\n",
	    "ZeroVM style: keys after the last key, ', ' kept");
	zvm_manifest_free(&m);

	/* Rewriting keeps what surrounds the value. */
	load_str(&m, "Version = 20130611\n  Timeout\t=  5   \nProgram = /p\n");
	ok(zvm_manifest_set(&m, ZVM_K_TIMEOUT, "100", &e) == 0, "set Timeout");
	is_text(&m, "Version = 20130611\n  Timeout\t=  100   \nProgram = /p\n",
	    "existing line keeps its blanks");
	zvm_manifest_free(&m);

	/* Setting the same value changes nothing. */
	load_str(&m, GOOD);
	ok(zvm_manifest_set(&m, ZVM_K_TIMEOUT, "5", &e) == 0 &&
	    zvm_manifest_set(&m, ZVM_K_MEMORY, "1048576,0", &e) == 0,
	    "set to the current values");
	is_text(&m, GOOD, "same value: byte-identical");
	zvm_manifest_free(&m);

	/* Duplicates are dropped. */
	load_str(&m, GOOD "Timeout = 6\n# c\nTimeout = 7\n");
	ok(zvm_manifest_set(&m, ZVM_K_TIMEOUT, "9", &e) == 0, "set duplicated");
	is_text(&m, VER PRG "Timeout = 9\n" MEM STD "# c\n",
	    "duplicates dropped, first rewritten");
	ok(m.nkey[ZVM_K_TIMEOUT] == 1 && m.timeout == 9,
	    "one Timeout left in the model");
	is_int((long long)errors_after(&m, 1), 0, "no duplicate error left");
	{
		struct zvm_diag d = ZVM_DIAG_INIT;

		is_int(zvm_manifest_check(&m, &d), 0,
		    "check of the changed manifest itself passes");
		zvm_diag_free(&d);
	}
	zvm_manifest_free(&m);

	/* Refused values leave the manifest alone. */
	load_str(&m, GOOD);
	ok(zvm_manifest_set(&m, ZVM_K_TIMEOUT, "abc", &e) == -1 &&
	    e.code == ZVM_E_NUMBER && e.file == NULL && e.line == 0,
	    "set Timeout abc: number error, no file");
	is_str(zvm_error_fmt(&e, buf, sizeof buf),
	    "Timeout: 'abc': not a number", "set Timeout abc: message");
	ok(zvm_manifest_set(&m, ZVM_K_TIMEOUT, "", &e) == -1 &&
	    e.code == ZVM_E_NUMBER, "set Timeout empty");
	ok(zvm_manifest_set(&m, ZVM_K_TIMEOUT, "-1", &e) == -1 &&
	    e.code == ZVM_E_NUMBER, "set Timeout -1");
	ok(zvm_manifest_set(&m, ZVM_K_MEMORY, "1", &e) == -1 &&
	    e.code == ZVM_E_FIELDS, "set Memory without etag flag");
	ok(zvm_manifest_set(&m, ZVM_K_PROGRAM, "", &e) == -1 &&
	    e.code == ZVM_E_VALUE, "set Program empty");
	ok(zvm_manifest_set(&m, ZVM_K_PROGRAM, "a\nb", &e) == -1 &&
	    e.code == ZVM_E_VALUE, "set a value with a newline");
	is_str(zvm_error_fmt(&e, buf, sizeof buf),
	    "Program: value contains a line break", "line break message");
	ok(zvm_manifest_set(&m, ZVM_K_PROGRAM, "a\rb", &e) == -1,
	    "set a value with a CR");
	ok(zvm_manifest_set(&m, ZVM_K_CHANNEL, "/a,/a,0,0,1,1,0,0", &e) == -1 &&
	    e.code == ZVM_E_EDIT, "set Channel refused");
	is_str(zvm_error_fmt(&e, buf, sizeof buf),
	    "Channel cannot be set as a single key", "set Channel message");
	ok(zvm_manifest_set(&m, ZVM_K_ENV, "A=1", &e) == -1 &&
	    e.code == ZVM_E_EDIT, "set Env refused");
	ok(zvm_manifest_set(&m, ZVM_NKEYS, "x", &e) == -1 &&
	    zvm_manifest_set(&m, -1, "x", &e) == -1, "set of a bad key index");
	ok(m.timeout == 5 && strcmp(m.value[ZVM_K_PROGRAM], "/bin/true") == 0,
	    "refused sets leave the model alone");
	is_text(&m, GOOD, "refused sets leave the bytes alone");
	/* Values are checked later, so zvm-edit can repair a manifest. */
	ok(zvm_manifest_set(&m, ZVM_K_TIMEOUT, "0", &e) == 0,
	    "set Timeout 0 is accepted");
	{
		struct zvm_diag d = ZVM_DIAG_INIT;
		struct zvm_buf t = ZVM_BUF_INIT;

		zvm_manifest_check(&m, &d);
		mt_diag_text(&d, 0, 1, &t);
		is_str(t.p, "E value t:3: Timeout: must be at least 1 second, "
		    "got 0\n", "check reports it at the key's line");
		zvm_buf_free(&t);
		zvm_diag_free(&d);
	}
	zvm_manifest_free(&m);

	/* Values the reader would read differently must not be written. */
	load_str(&m, GOOD);
	{
		int rc = zvm_manifest_set(&m, ZVM_K_PROGRAM, " /p ", &e);
		struct zvm_manifest m2;
		struct zvm_buf b = ZVM_BUF_INIT;

		zvm_manifest_write(&m, &b);
		load_str(&m2, b.p);
		ok(rc == -1 || strcmp(m2.value[ZVM_K_PROGRAM], " /p ") == 0,
		    "set Program ' /p ': refused or read back the same");
		zvm_manifest_free(&m2);
		zvm_buf_free(&b);
	}
	zvm_manifest_free(&m);

	/* Repairing a line whose value was bad. */
	{
		struct zvm_diag d = ZVM_DIAG_INIT;

		zvm_manifest_init(&m);
		zvm_manifest_parse(&m, "t", VER PRG "Timeout = x\n" MEM STD,
		    strlen(VER PRG "Timeout = x\n" MEM STD), &d);
		zvm_diag_free(&d);
		ok(zvm_manifest_set(&m, ZVM_K_TIMEOUT, "5", &e) == 0 &&
		    m.timeout == 5, "set repairs a bad value");
		is_text(&m, GOOD, "repaired line");
		ok(zvm_manifest_check(&m, &d) == 0, "repaired manifest checks");
		zvm_diag_free(&d);
		zvm_manifest_free(&m);
	}
}

static void
test_set_placement(void)
{
	struct zvm_manifest m;
	struct zvm_error e;
	struct zvm_channel c = { .uri = "/a", .alias = "/a", .limit = { 1, 1,
	    0, 0 }, .spaced = 1 };

	/* Only comments: the key goes at the end. */
	load_str(&m, "# c\n");
	ok(zvm_manifest_set(&m, ZVM_K_VERSION, "20130611", &e) == 0,
	    "set in a comment-only manifest");
	is_text(&m, "# c\nVersion = 20130611\n", "appended, spaced default");
	zvm_manifest_free(&m);

	/* No final newline. */
	load_str(&m, "Version = 20130611\nProgram = /p");
	ok(zvm_manifest_set(&m, ZVM_K_TIMEOUT, "5", &e) == 0,
	    "set after a last line without newline");
	is_text(&m, "Version = 20130611\nProgram = /p\nTimeout = 5\n",
	    "the old last line gets a newline");
	zvm_manifest_free(&m);

	/* Empty manifest: channel first, then a key goes above it. */
	load_str(&m, "");
	ok(zvm_manifest_add_channel(&m, &c, &e) == 0, "add to an empty one");
	ok(zvm_manifest_set(&m, ZVM_K_VERSION, "20130611", &e) == 0,
	    "then set a key");
	is_text(&m, "Version = 20130611\nChannel = /a, /a, 0, 0, 1, 1, 0, 0\n",
	    "key above the only channel; channel style from the record");
	zvm_manifest_free(&m);

	/* CRLF and lone CR files get the same line end on new lines. */
	load_str(&m, "Version = 20130611\r\nChannel = /a,/a,0,0,1,1,0,0\r\n");
	c.alias = "/b";
	ok(zvm_manifest_set(&m, ZVM_K_TIMEOUT, "5", &e) == 0 &&
	    zvm_manifest_add_channel(&m, &c, &e) == 0, "CRLF: set and add");
	is_text(&m, "Version = 20130611\r\nTimeout = 5\r\n"
	    "Channel = /a,/a,0,0,1,1,0,0\r\nChannel = /a,/b,0,0,1,1,0,0\r\n",
	    "CRLF kept on new lines, compact channel style followed");
	zvm_manifest_free(&m);

	load_str(&m, "Version=20130611\rChannel=/a,/a,0,0,1,1,0,0\r");
	ok(zvm_manifest_set(&m, ZVM_K_TIMEOUT, "5", &e) == 0 &&
	    zvm_manifest_add_channel(&m, &c, &e) == 0, "CR: set and add");
	is_text(&m, "Version=20130611\rTimeout=5\rChannel=/a,/a,0,0,1,1,0,0\r"
	    "Channel=/a,/b,0,0,1,1,0,0\r", "lone CR kept, '=' style kept");
	zvm_manifest_free(&m);
}

static void
test_unset(void)
{
	struct zvm_manifest m;
	struct zvm_error e;
	struct zvm_diag d = ZVM_DIAG_INIT;
	struct zvm_buf t = ZVM_BUF_INIT;

	load_str(&m, GOOD "Timeout = 6\n");
	is_int((long long)zvm_manifest_unset(&m, ZVM_K_TIMEOUT), 2,
	    "unset removes every line of the key");
	is_text(&m, VER PRG MEM STD, "unset: lines gone");
	ok(m.value[ZVM_K_TIMEOUT] == NULL && m.nkey[ZVM_K_TIMEOUT] == 0,
	    "unset: model");
	zvm_manifest_check(&m, &d);
	mt_diag_text(&d, 0, 1, &t);
	is_str(t.p, "E missing t: missing required key Timeout\n",
	    "unset: check says it is missing");
	zvm_buf_free(&t);
	zvm_diag_free(&d);
	is_int((long long)zvm_manifest_unset(&m, ZVM_K_JOB), 0,
	    "unset of an absent key: 0");
	is_int((long long)zvm_manifest_unset(&m, ZVM_K_CHANNEL), 0,
	    "unset Channel: 0");
	is_text(&m, VER PRG MEM STD, "nothing else removed");
	ok(zvm_manifest_set(&m, ZVM_K_TIMEOUT, "8", &e) == 0,
	    "set after unset");
	is_text(&m, VER PRG MEM "Timeout = 8\n" STD,
	    "set after unset: after the last header key");
	zvm_manifest_free(&m);

	load_str(&m, GOOD "Env = A=1\nEnv = B=2\n");
	is_int((long long)zvm_manifest_unset(&m, ZVM_K_ENV), 2, "unset Env");
	is_text(&m, GOOD, "unset Env: lines gone");
	is_int((long long)errors_after(&m, 1), 0, "unset Env: checks");
	zvm_manifest_free(&m);
}

static void
test_env(void)
{
	struct zvm_manifest m;
	struct zvm_error e;
	char buf[300];

	load_str(&m, GOOD "Env = A=1\nEnv = B=2\nEnv = A=3\n");
	ok(zvm_manifest_setenv(&m, "A", "x y", &e) == 0, "setenv existing");
	is_text(&m, GOOD "Env = A=x y\nEnv = B=2\n",
	    "setenv: first rewritten, later duplicates dropped");
	is_int((long long)errors_after(&m, 1), 0, "setenv: no duplicate left");
	is_int((long long)zvm_manifest_unsetenv(&m, "B"), 1, "unsetenv B");
	is_int((long long)zvm_manifest_unsetenv(&m, "Z"), 0, "unsetenv absent");
	is_int((long long)zvm_manifest_unsetenv(&m, "B"), 0, "unsetenv again");
	ok(zvm_manifest_setenv(&m, "C", "", &e) == 0, "setenv empty value");
	ok(zvm_manifest_setenv(&m, "D", "p=q", &e) == 0, "setenv value with =");
	is_text(&m, GOOD "Env = A=x y\nEnv = C=\nEnv = D=p=q\n",
	    "setenv: new lines after the last header key");
	zvm_manifest_free(&m);

	load_str(&m, GOOD);
	ok(zvm_manifest_setenv(&m, "", "x", &e) == -1 &&
	    e.code == ZVM_E_VALUE, "setenv empty name refused");
	is_str(zvm_error_fmt(&e, buf, sizeof buf),
	    "Env: invalid name '' (empty, or with '=' or blanks)",
	    "setenv refusal message");
	ok(zvm_manifest_setenv(&m, "A=B", "x", &e) == -1, "name with '='");
	ok(zvm_manifest_setenv(&m, "A", "x\ny", &e) == -1, "value with LF");
	ok(zvm_manifest_setenv(&m, "A\r", "x", &e) == -1, "name with CR");
	is_text(&m, GOOD, "refused setenv leaves the bytes alone");
	{
		int rc = zvm_manifest_setenv(&m, "A", " x ", &e);
		struct zvm_manifest m2;
		struct zvm_buf b = ZVM_BUF_INIT;
		struct zvm_env *v;

		zvm_manifest_write(&m, &b);
		load_str(&m2, b.p);
		v = m2.nenv ? &m2.env[0] : NULL;
		ok(rc == -1 || (v && strcmp(v->value, " x ") == 0),
		    "setenv A=' x ': refused or read back the same");
		zvm_manifest_free(&m2);
		zvm_buf_free(&b);
	}
	zvm_manifest_free(&m);
	load_str(&m, GOOD);
	ok(zvm_manifest_setenv(&m, " ", "x", &e) == -1 &&
	    zvm_manifest_setenv(&m, "A B", "x", &e) == -1 &&
	    zvm_manifest_setenv(&m, "A\t", "x", &e) == -1,
	    "setenv names with blanks refused");
	is_text(&m, GOOD, "refused setenv leaves the bytes alone");
	zvm_manifest_free(&m);
}

static void
test_channels(void)
{
	struct zvm_manifest m;
	struct zvm_error e;
	struct zvm_channel c = { .uri = "/tmp/out", .alias = "/dev/4.out",
	    .limit = { 0, 0, 1, 1 }, .spaced = 1 };
	char buf[300];

	/* zvsh: compact style followed, after the last channel. */
	load_str(&m, ZVSH);
	ok(zvm_manifest_add_channel(&m, &c, &e) == 0, "add a channel");
	ok(m.nchan == 5 && m.chan[4].line == 0 &&
	    strcmp(m.chan[4].alias, "/dev/4.out") == 0 &&
	    m.chan[4].alias != c.alias, "added channel is a copy");
	zvm_manifest_delete_channel(&m, 1);
	zvm_manifest_delete_channel(&m, 1);
	ok(zvm_manifest_find(&m, "/dev/stdout") == NULL &&
	    zvm_manifest_nchannels(&m) == 4 && m.nchan == 5,
	    "deleted channel is not found; kept until compact");
	zvm_manifest_compact(&m);
	ok(m.nchan == 4 && strcmp(m.chan[1].alias, "/dev/stderr") == 0 &&
	    strcmp(m.chan[3].alias, "/dev/4.out") == 0, "compact");
	m.chan[1].limit[ZVM_PUTS] = 7;
	ok(zvm_manifest_update_channel(&m, 1, &e) == 0, "update after compact");
	m.chan[3].uri = zvm_manifest_strdup(&m, "/tmp/out2");
	ok(zvm_manifest_update_channel(&m, 3, &e) == 0, "update the new one");
	is_text(&m, "Node=1\nVersion=20130611\nTimeout=50\n"
	    "Memory=4294967296,0\nProgram=/bin/cat\n"
	    "Channel=/dev/stdin,/dev/stdin,0,0,4294967296,4294967296,0,0\n"
	    "Channel=/dev/stderr,/dev/stderr,0,0,0,0,7,4294967296\n"
	    "Channel=/home/u/file.txt,/dev/3.file.txt,3,0,3,3,3,3\n"
	    "Channel=/tmp/out2,/dev/4.out,0,0,0,0,1,1\n",
	    "add, delete, compact, update: exact text");
	{
		struct zvm_diag d = ZVM_DIAG_INIT;
		struct zvm_buf t = ZVM_BUF_INIT;

		zvm_manifest_check(&m, &d);
		mt_diag_text(&d, 0, 1, &t);
		is_str(t.p, MISS_OUT, "check sees the deletion");
		zvm_buf_free(&t);
		zvm_diag_free(&d);
	}
	zvm_manifest_free(&m);

	/* ZeroVM order: channels first; the new one goes after them. */
	load_str(&m, ZTEST);
	c.spaced = 0;
	ok(zvm_manifest_add_channel(&m, &c, &e) == 0, "add (spaced file)");
	is_text(&m, "=============\n== a test\n=============\n"
	    "Channel = /dev/stdin, /dev/stdin, 0, 0, 1, 1, 0, 0\n"
	    "Channel = /dev/stdout, /dev/stdout, 0, 0, 0, 0, 1, 1\n"
	    "Channel = /dev/stderr, /dev/stderr, 0, 0, 0, 0, 1, 1\n"
	    "Channel = /tmp/out, /dev/4.out, 0, 0, 0, 0, 1, 1\n"
	    "\n==== switches\n"
	    "Version = 20130611\nMemory = 33554432, 0\nTimeout = 1\n"
	    "Program = dummy.nexe\n", "after the last channel, ', ' followed");
	zvm_manifest_free(&m);

	/* Indices of Env and keys after an inserted channel are fixed. */
	load_str(&m, "Channel = /a,/a,0,0,1,1,0,0\nEnv = A=1\n"
	    "Version = 20130611\n");
	ok(zvm_manifest_add_channel(&m, &c, &e) == 0, "add before Env");
	ok(zvm_manifest_setenv(&m, "A", "2", &e) == 0 &&
	    zvm_manifest_set(&m, ZVM_K_VERSION, "x", &e) == 0,
	    "setenv and set after the shift");
	m.chan[1].limit[ZVM_PUTS] = 3;
	ok(zvm_manifest_update_channel(&m, 1, &e) == 0, "update new channel");
	is_text(&m, "Channel = /a,/a,0,0,1,1,0,0\n"
	    "Channel = /tmp/out,/dev/4.out,0,0,0,0,3,1\nEnv = A=2\n"
	    "Version = x\n", "each change hits its own line");
	zvm_manifest_free(&m);

	/* Last line without a newline. */
	load_str(&m, "Version = 20130611\nChannel = /a,/a,0,0,1,1,0,0");
	ok(zvm_manifest_add_channel(&m, &c, &e) == 0, "add after no newline");
	is_text(&m, "Version = 20130611\nChannel = /a,/a,0,0,1,1,0,0\n"
	    "Channel = /tmp/out,/dev/4.out,0,0,0,0,1,1\n",
	    "no glued lines");
	zvm_manifest_free(&m);

	load_str(&m, "Version = 20130611\nChannel = /a,/a,0,0,1,1,0,0");
	zvm_manifest_delete_channel(&m, 0);
	is_text(&m, "Version = 20130611\n", "delete the last line");
	ok(zvm_manifest_add_channel(&m, &c, &e) == 0, "add after delete");
	is_text(&m, "Version = 20130611\n"
	    "Channel = /tmp/out,/dev/4.out,0,0,0,0,1,1\n",
	    "no channel left: the record's own style");
	zvm_manifest_free(&m);

	/* Style: each channel keeps its own. */
	load_str(&m, "Channel = /a, /a, 0, 0, 1, 1, 0, 0\n"
	    "Channel = /b,/b,0,0,1,1,0,0   \n");
	m.chan[0].type = 1;
	m.chan[1].type = 1;
	ok(zvm_manifest_update_channel(&m, 0, &e) == 0 &&
	    zvm_manifest_update_channel(&m, 1, &e) == 0, "update both");
	is_text(&m, "Channel = /a, /a, 1, 0, 1, 1, 0, 0\n"
	    "Channel = /b,/b,1,0,1,1,0,0   \n",
	    "', ' and ',' each kept; trailing blanks kept");
	zvm_manifest_free(&m);

	/* Refusals. */
	load_str(&m, GOOD);
	c.uri = "/a,b";
	ok(zvm_manifest_add_channel(&m, &c, &e) == -1 &&
	    e.code == ZVM_E_VALUE, "add uri with ',' refused");
	is_str(zvm_error_fmt(&e, buf, sizeof buf), "Channel: uri and alias "
	    "must be non-empty, without ','",
	    "add refusal message");
	c.uri = "/a\nb";
	ok(zvm_manifest_add_channel(&m, &c, &e) == -1, "add uri with LF");
	c.uri = "/a";
	c.alias = "";
	ok(zvm_manifest_add_channel(&m, &c, &e) == -1, "add empty alias");
	ok(m.nchan == 3 && zvm_manifest_nchannels(&m) == 3,
	    "refused adds leave no channel");
	m.chan[0].alias = zvm_manifest_strdup(&m, "/x,y");
	ok(zvm_manifest_update_channel(&m, 0, &e) == -1, "update ',' refused");
	m.chan[0].alias = "/dev/stdin";
	is_text(&m, GOOD, "refusals leave the bytes alone");

	c.alias = "/big";
	c.limit[ZVM_PUT_SIZE] = UINT64_MAX;
	ok(zvm_manifest_add_channel(&m, &c, &e) == -1,
	    "add put_size 2^64-1 refused (the reader refuses it)");
	zvm_manifest_free(&m);
	load_str(&m, GOOD);
	m.chan[0].limit[ZVM_GETS] = 9223372036854775808ULL;
	ok(zvm_manifest_update_channel(&m, 0, &e) == -1,
	    "update gets 2^63 refused (the reader refuses it)");
	zvm_manifest_free(&m);
}

/* Args written by join come back through the manifest and split. */
static void
test_args_key(void)
{
	static char *const words[] = { "prog", "", "a b", "\"q\"", "c,d", "#x",
	    "\\x41", "=", "tab\there", "\xc3\xa9" };
	const size_t nw = sizeof words / sizeof *words;
	struct zvm_manifest m, m2;
	struct zvm_buf b = ZVM_BUF_INIT, t = ZVM_BUF_INIT;
	struct zvm_arena a = ZVM_ARENA_INIT;
	struct zvm_diag d = ZVM_DIAG_INIT;
	struct zvm_error e;
	const char *why;
	char **argv;
	size_t argc;
	int good;

	zvm_args_join(words, nw, &b);
	load_str(&m, GOOD);
	ok(zvm_manifest_set(&m, ZVM_K_ARGS, b.p, &e) == 0, "set Args");
	zvm_manifest_write(&m, &t);
	zvm_manifest_init(&m2);
	good = zvm_manifest_parse(&m2, "t", t.p, t.len, &d) == 0 &&
	    zvm_manifest_check(&m2, &d) == 0 && d.n == 0;
	ok(good, "manifest with joined Args parses and checks");
	good = good && zvm_args_split(m2.value[ZVM_K_ARGS], &a, &argv, &argc,
	    &why) == 0 && argc == nw;
	for (size_t i = 0; good && i < nw; i++)
		good = strcmp(argv[i], words[i]) == 0;
	ok(good, "Args words come back");
	zvm_arena_free(&a);
	zvm_diag_free(&d);
	zvm_buf_free(&b);
	zvm_buf_free(&t);
	zvm_manifest_free(&m);
	zvm_manifest_free(&m2);
}

/* 100,000 channels: the alias check must not be quadratic. */
static void
test_many_channels(void)
{
	struct zvm_buf b = ZVM_BUF_INIT, t = ZVM_BUF_INIT, out = ZVM_BUF_INIT;
	struct zvm_manifest m;
	struct zvm_diag d = ZVM_DIAG_INIT;
	const unsigned n = 100000;
	int prc, crc;

	zvm_buf_adds(&b, GOOD);
	for (unsigned i = 0; i < n; i++)
		zvm_buf_printf(&b, "Channel = /dev/null,/dev/c%u,0,0,1,1,0,0\n",
		    i);
	zvm_buf_adds(&b, "Channel = /dev/null,/dev/c77777,0,0,1,1,0,0\n");
	zvm_manifest_init(&m);
	prc = zvm_manifest_parse(&m, "t", b.p, b.len, &d);
	crc = zvm_manifest_check(&m, &d);
	mt_diag_text(&d, 0, 1, &t);
	ok(prc == 0 && crc == -1 && m.nchan == n + 4,
	    "100,004 channels parsed and checked");
	is_str(t.p, "E duplicate t:100008: Channel: duplicate alias /dev/c77777 "
	    "(first on line 77785)\n", "the one duplicate is found");
	zvm_manifest_write(&m, &out);
	ok(mt_same(&out, b.p, b.len), "100,004 channels written back");
	zvm_buf_free(&out);
	zvm_buf_free(&t);
	zvm_diag_free(&d);
	zvm_manifest_free(&m);
	zvm_buf_free(&b);
}

static void
test_load(void)
{
	char dir[] = "/tmp/zvm-test-XXXXXX", path[64], buf[300];
	struct zvm_manifest m;
	struct zvm_diag d = ZVM_DIAG_INIT;
	struct zvm_buf out = ZVM_BUF_INIT;
	int fd;

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof path, "%s/job.manifest", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd == -1 || zvm_write_all(fd, GOOD "bad\n",
	    strlen(GOOD "bad\n")) == -1) {
		ok(0, "write a manifest file");
		return;
	}
	close(fd);
	zvm_manifest_init(&m);
	ok(zvm_manifest_load(&m, path, &d) == -1 && d.n == 1 &&
	    d.v[0].line == 8 && d.v[0].code == ZVM_E_SYNTAX &&
	    strcmp(d.v[0].file, path) == 0, "load names errors by path");
	zvm_manifest_write(&m, &out);
	ok(mt_same(&out, GOOD "bad\n", strlen(GOOD "bad\n")),
	    "loaded bytes written back");
	zvm_buf_free(&out);
	zvm_diag_free(&d);
	zvm_manifest_free(&m);

	/* Standard input. */
	{
		int saved = dup(0), in = open(path, O_RDONLY);

		zvm_manifest_init(&m);
		dup2(in, 0);
		close(in);
		ok(zvm_manifest_load(&m, "-", &d) == -1 && d.n == 1 &&
		    strcmp(d.v[0].file, "<stdin>") == 0 && m.nchan == 3,
		    "load - reads stdin, called <stdin>");
		dup2(saved, 0);
		close(saved);
		zvm_diag_free(&d);
		zvm_manifest_free(&m);
	}

	unlink(path);
	zvm_manifest_init(&m);
	ok(zvm_manifest_load(&m, path, &d) == -1 && d.n == 1 &&
	    d.v[0].code == ZVM_E_SYS && d.v[0].sys_errno == ENOENT &&
	    d.v[0].line == 0, "load of a missing file: ZVM_E_SYS, ENOENT");
	snprintf(buf, sizeof buf, "%s: cannot open: No such file or directory",
	    path);
	if (d.n == 1) {
		char got[300];

		is_str(zvm_error_fmt(&d.v[0], got, sizeof got), buf,
		    "missing file message");
	}
	zvm_diag_free(&d);
	zvm_manifest_free(&m);

	zvm_manifest_init(&m);
	ok(zvm_manifest_load(&m, dir, &d) == -1 && d.n == 1 &&
	    d.v[0].code == ZVM_E_SYS && d.v[0].sys_errno == EISDIR,
	    "load of a directory: EISDIR");
	zvm_diag_free(&d);
	zvm_manifest_free(&m);
	rmdir(dir);
}

int
main(void)
{
	test_rows();
	test_model();
	test_names();
	test_channel_helpers();
	test_set();
	test_set_placement();
	test_unset();
	test_env();
	test_channels();
	test_args_key();
	test_many_channels();
	test_load();
	return done_testing();
}
