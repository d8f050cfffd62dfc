// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: sa_view_parse(), policy_view_parse(), stats_view_parse()
 * and the printers on arbitrary bytes as a
 * netlink message, as ksadctl would receive them; and knl_family_cb(), the
 * generic-netlink controller's answers and notifications (the kernel-ksad
 * plugin reads NEWFAMILY and DELFAMILY with it).  `make fuzz` runs it
 * briefly (and `make check` does); FUZZ_TIME=600 make fuzz for longer.
 */
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>

#include "../ksadctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct nlmsghdr *nlh;
	struct sa_view v;
	struct policy_view p;
	uint64_t c[KSAD_STAT_MAX + 1];

	if (size < sizeof(*nlh) || size > 65536)
		return 0;
	if (!null)
		null = fopen("/dev/null", "w");
	/*
	 * mnl wants an aligned header whose length says the truth, in a
	 * buffer padded to 4 bytes as a socket's is: the last attribute of a
	 * message of unaligned length may end in the padding (MNL_ALIGN).
	 */
	nlh = calloc(1, MNL_ALIGN(size));
	if (!nlh)
		return 0;
	memcpy(nlh, data, size);
	if (nlh->nlmsg_len > size)
		nlh->nlmsg_len = (uint32_t)size;
	if (nlh->nlmsg_len >= sizeof(*nlh) && !sa_view_parse(nlh, &v)) {
		opt_json = data[size - 1] & 1;
		sa_print(null, &v);
	}
	if (nlh->nlmsg_len >= sizeof(*nlh) && !policy_view_parse(nlh, &p))
		policy_print(null, &p);
	if (nlh->nlmsg_len >= sizeof(*nlh))
		(void)stats_view_parse(nlh, c);
	if (nlh->nlmsg_len >= sizeof(*nlh) + sizeof(struct genlmsghdr)) {
		struct knl k;

		memset(&k, 0, sizeof(k));
		(void)knl_family_cb(nlh, &k);
		(void)knl_group_id(&k, "expire");
	}
	free(nlh);
	return 0;
}
