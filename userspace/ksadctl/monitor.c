// SPDX-License-Identifier: GPL-2.0
/*
 * ksadctl monitor [sa] [expire] [acquire] [mapping]: print SAD events as they happen,
 * one line each (one JSON object each with -j), until interrupted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <linux/genetlink.h>

#include "ksadctl.h"

static const char *grp_name(uint8_t cmd)
{
	switch (cmd) {
	case KSAD_CMD_SA_NTF:
		return "sa";
	case KSAD_CMD_EXPIRE:
		return "expire";
	case KSAD_CMD_ACQUIRE:
		return "acquire";
	case KSAD_CMD_MAPPING:
		return "mapping";
	}
	return "?";
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	char d[INET6_ADDRSTRLEN] = "-";
	struct sa_view v;

	(void)data;
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(struct genlmsghdr) &&
	    ((const struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd ==
	    KSAD_CMD_ACQUIRE) {
		struct policy_view p;

		if (policy_view_parse(nlh, &p))
			return MNL_CB_OK;
		if (opt_json) {
			policy_print(stdout, &p);
			return MNL_CB_OK;
		}
		printf("[acquire] policy %u %s mode %s reqid %u sel ", p.id,
		       name_proto(p.proto), p.mode == KSAD_MODE_TUNNEL ? "tunnel" : "transport",
		       p.reqid);
		sel_print(stdout, &p.sel);
		printf("\n");
		fflush(stdout);
		return MNL_CB_OK;
	}
	if (sa_view_parse(nlh, &v))
		return MNL_CB_OK;	/* not ours: ignore */
	if (opt_json) {
		sa_print(stdout, &v);
		return MNL_CB_OK;
	}
	printf("[%s] ", grp_name(v.cmd));
	if (v.cmd == KSAD_CMD_EXPIRE)
		printf("%s", v.expire_hard ? "hard" : "soft");
	else if (v.cmd == KSAD_CMD_MAPPING)
		printf("%s port %u (was %u)", v.mapping_src.family ?
		       inet_ntop(v.mapping_src.family, &v.mapping_src.v6, d, sizeof(d)) : "-",
		       v.mapping_sport, v.encap_sport);
	else
		printf("%s", name_event(v.event));
	if (v.event == KSAD_EVENT_FLUSHED) {
		printf(v.proto ? " proto %s\n" : " all\n", name_proto(v.proto));
		return MNL_CB_OK;
	}
	if (v.dst.family)
		inet_ntop(v.dst.family, v.dst.family == AF_INET ? (void *)&v.dst.v4 :
			  (void *)&v.dst.v6, d, sizeof(d));
	printf(" %s spi 0x%08x dst %s dir %s\n", name_proto(v.proto), v.spi, d,
	       v.dir == KSAD_DIR_IN ? "in" : v.dir == KSAD_DIR_OUT ? "out" : "-");
	return MNL_CB_OK;
}

int cmd_monitor(int argc, char **argv)
{
	static const char *const all[] = { KSAD_MCGRP_SA, KSAD_MCGRP_EXPIRE,
					   KSAD_MCGRP_ACQUIRE, KSAD_MCGRP_MAPPING };
	char buf[32768];
	struct knl k;
	int err, i;

	err = open_or_explain(&k);
	if (err)
		return err;
	for (i = 0; i < (argc ? argc : 4); i++) {
		const char *g = argc ? argv[i] : all[i];
		uint32_t id = knl_group_id(&k, g);

		if (!id) {
			knl_close(&k);
			return usage_error("no group \"%s\" (sa, expire, acquire, mapping)", g);
		}
		if (mnl_socket_setsockopt(k.sock, NETLINK_ADD_MEMBERSHIP, &id,
					  sizeof(id)) < 0) {
			err = report_error(&k, -errno, "monitor");
			knl_close(&k);
			return err;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!opt_json)
		printf("monitoring ksad events (Ctrl-C to stop)\n");
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(k.sock, buf, sizeof(buf));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {	/* we fell behind: say so */
				fprintf(stderr, "ksadctl: events lost (ENOBUFS)\n");
				continue;
			}
			break;
		}
		mnl_cb_run(buf, (size_t)n, 0, 0, event_cb, NULL);
	}
	err = report_error(&k, -errno, "monitor");
	knl_close(&k);
	return err;
}
