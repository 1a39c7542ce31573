/* SPDX-License-Identifier: ISC */
/*
 * sigstorm - metered writes under a storm of signals: an SA_RESTART
 * handler and a 20 us interval timer while 20000 numbered lines go to
 * stdout.  Every write must be whole; the caller checks the bytes.
 */
#include <signal.h>
#include <sys/time.h>

#include "check.h"

static volatile unsigned long hits;

static void
handler(int sig)
{
	(void)sig;
	hits++;
}

int
main(void)
{
	struct sigaction sa = { .sa_handler = handler, .sa_flags = SA_RESTART };
	struct itimerval it = { { 0, 20 }, { 0, 20 } };
	char line[32];
	int n;

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	for (int i = 0; i < 20000; i++) {
		n = snprintf(line, sizeof(line), "%d\n", i);
		if (write(1, line, n) != n)
			check("write", __LINE__, -1, errno, n, 0);
	}
	it.it_value.tv_usec = it.it_interval.tv_usec = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	dprintf(2, "signals %d\n", hits > 100);
	return done();
}
