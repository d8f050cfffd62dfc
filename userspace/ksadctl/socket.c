// SPDX-License-Identifier: GPL-2.0
/*
 * ksadctl socket bypass|unbypass COOKIE: exempt a socket, named by its
 * cookie (getsockopt SO_COOKIE; decimal or 0x hex), from this namespace's
 * policies, or no longer.  A keying daemon does it for its IKE sockets
 * itself; this is for people and tests.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>

#include "ksadctl.h"

int cmd_socket(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	unsigned long long v;
	struct knl k;
	char *end;
	bool remove;
	int err;

	if (argc != 2 || (strcmp(argv[0], "bypass") && strcmp(argv[0], "unbypass")))
		return usage_error("usage: ksadctl socket bypass|unbypass COOKIE");
	remove = argv[0][0] == 'u';
	errno = 0;
	v = strtoull(argv[1], &end, 0);
	if (errno || end == argv[1] || *end || !v || argv[1][0] == '-')
		return usage_error("socket: \"%s\" is not a socket cookie", argv[1]);
	err = open_or_explain(&k);
	if (err)
		return err;
	nlh = knl_request(&k, buf, 0, KSAD_CMD_SOCKET_BYPASS, NLM_F_ACK);
	mnl_attr_put_u64(nlh, KSAD_SOCK_COOKIE, (uint64_t)v);
	if (remove)
		mnl_attr_put(nlh, KSAD_SOCK_REMOVE, 0, NULL);
	err = knl_talk(&k, nlh, NULL, NULL);
	err = err ? report_error(&k, err, "socket") : 0;
	knl_close(&k);
	return err;
}
