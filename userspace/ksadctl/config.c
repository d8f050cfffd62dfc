// SPDX-License-Identifier: GPL-2.0
/* ksadctl config [larval-timeout SECONDS]: this namespace's settings. */
#include <string.h>
#include <linux/genetlink.h>

#include "ksadctl.h"

static int config_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;
	uint32_t timeout = 0, count = 0;

	(void)data;
	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			continue;
		if (mnl_attr_get_type(attr) == KSAD_CONFIG_LARVAL_TIMEOUT)
			timeout = mnl_attr_get_u32(attr);
		else if (mnl_attr_get_type(attr) == KSAD_CONFIG_SA_COUNT)
			count = mnl_attr_get_u32(attr);
	}
	if (opt_json)
		printf("{\"larval_timeout\":%u,\"sa_count\":%u}\n", timeout, count);
	else
		printf("larval-timeout %u sa-count %u\n", timeout, count);
	return MNL_CB_OK;
}

int cmd_config(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct knl k;
	uint32_t v;
	int err;

	if (argc && (argc != 2 || strcmp(argv[0], "larval-timeout") ||
		     parse_u32(argv[1], &v)))
		return usage_error("usage: ksadctl config [larval-timeout SECONDS]");
	err = open_or_explain(&k);
	if (err)
		return err;
	if (argc) {
		nlh = knl_request(&k, buf, 0, KSAD_CMD_SET_CONFIG, NLM_F_ACK);
		mnl_attr_put_u32(nlh, KSAD_CONFIG_LARVAL_TIMEOUT, v);
		err = knl_talk(&k, nlh, NULL, NULL);
	} else {
		nlh = knl_request(&k, buf, 0, KSAD_CMD_GET_CONFIG, NLM_F_ACK);
		err = knl_talk(&k, nlh, config_cb, NULL);
	}
	err = err ? report_error(&k, err, "config") : 0;
	knl_close(&k);
	return err;
}
