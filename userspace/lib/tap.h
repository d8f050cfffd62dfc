/* SPDX-License-Identifier: GPL-2.0 */
/* Minimal TAP output for the userspace unit tests. */
#ifndef KSAD_TAP_H
#define KSAD_TAP_H
#include <stdio.h>

static int tap_n, tap_failed;

#define ok(cond, ...) do {						\
	int c_ = !!(cond);						\
	printf("%sok %d - ", c_ ? "" : "not ", ++tap_n);		\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	if (!c_) {							\
		tap_failed++;						\
		printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	}								\
} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
#endif
