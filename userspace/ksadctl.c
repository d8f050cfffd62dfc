// SPDX-License-Identifier: GPL-2.0
/*
 * ksadctl: drive the ksad Security Association Database.
 *
 *   ksadctl family      show the generic-netlink family and its groups
 *
 * Exit codes: 0 success, 1 the kernel refused (its message is printed),
 * 2 bad usage, 3 ksad is not loaded.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "genl.h"

enum { EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_NOT_LOADED = 3 };

static int usage(FILE *f)
{
	fprintf(f,
		"usage: ksadctl [-j] OBJECT COMMAND [ARGS]\n"
		"  ksadctl family                      the netlink family and its groups\n");
	return f == stderr ? EXIT_USAGE : 0;
}

static int open_or_explain(struct knl *k)
{
	int ret = knl_open(k);

	if (ret == -ENOENT) {
		fprintf(stderr, "ksadctl: ksad is not loaded (no generic-netlink family \"ksad\"); try: modprobe ksad\n");
		return EXIT_NOT_LOADED;
	}
	if (ret) {
		fprintf(stderr, "ksadctl: netlink: %s\n", strerror(-ret));
		return EXIT_REFUSED;
	}
	return 0;
}

static int cmd_family(int json)
{
	struct knl k;
	int ret = open_or_explain(&k);

	if (ret)
		return ret;
	if (json) {
		printf("{\"family\":\"ksad\",\"id\":%u,\"version\":%u,\"groups\":[",
		       k.family, k.version);
		for (int i = 0; i < k.ngroups; i++)
			printf("%s{\"name\":\"%s\",\"id\":%u}", i ? "," : "",
			       k.groups[i].name, k.groups[i].id);
		printf("]}\n");
	} else {
		printf("family ksad id %u version %u\n", k.family, k.version);
		printf("  groups:");
		for (int i = 0; i < k.ngroups; i++)
			printf(" %s", k.groups[i].name);
		printf("\n");
	}
	knl_close(&k);
	return 0;
}

int main(int argc, char **argv)
{
	int json = 0;

	while (argc > 1 && argv[1][0] == '-') {
		if (!strcmp(argv[1], "-j") || !strcmp(argv[1], "--json"))
			json = 1;
		else if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
			return usage(stdout);
		else
			return usage(stderr);
		argc--;
		argv++;
	}
	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "family"))
		return cmd_family(json);
	fprintf(stderr, "ksadctl: unknown object \"%s\"\n", argv[1]);
	return usage(stderr);
}
