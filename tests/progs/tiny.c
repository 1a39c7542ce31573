/* SPDX-License-Identifier: ISC */
/*
 * tiny - does nothing and exits 0: the start-up benchmark's program and
 * the conformance suite's dummy.nexe.
 */
int
main(void)
{
	return 0;
}
