// SPDX-License-Identifier: GPL-2.0
/*
 * ksad-getspi-storm N DST [MIN MAX]: N GETSPI requests on one socket, as fast
 * as the kernel answers; prints each SPI (hex, one per line).  Several of
 * these run at once in the tests to prove that concurrent callers never get
 * the same SPI.  Exits 1 on the first refusal.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>

#include "../../uapi/linux/ksad.h"
#include "../lib/genl.h"
#include "../lib/parse.h"
#include "../lib/sa_msg.h"

static int spi_cb(const struct nlmsghdr *nlh, void *data)
{
	struct sa_view v;

	(void)data;
	if (sa_view_parse(nlh, &v) || !v.has[KSAD_SA_SPI])
		return MNL_CB_ERROR;
	printf("%08x\n", v.spi);
	return MNL_CB_OK;
}

int main(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ksad_addr dst;
	uint32_t n, min = 0, max = 0, i;
	struct knl k;
	int err;

	if ((argc != 3 && argc != 5) || parse_u32(argv[1], &n) ||
	    parse_addr(argv[2], &dst) ||
	    (argc == 5 && (parse_u32(argv[3], &min) || parse_u32(argv[4], &max)))) {
		fprintf(stderr, "usage: ksad-getspi-storm N DST [MIN MAX]\n");
		return 2;
	}
	err = knl_open(&k);
	if (err) {
		fprintf(stderr, "ksad-getspi-storm: %s\n", strerror(-err));
		return 1;
	}
	for (i = 0; i < n; i++) {
		struct nlmsghdr *nlh = knl_request(&k, buf, 0, KSAD_CMD_GETSPI,
						   NLM_F_ACK);

		mnl_attr_put_u8(nlh, KSAD_SA_PROTO, KSAD_PROTO_ESP);
		knl_put_addr(nlh, KSAD_SA_DST_IPV4, KSAD_SA_DST_IPV6, dst.family,
			     dst.family == AF_INET ? (void *)&dst.v4 : (void *)&dst.v6);
		if (argc == 5) {
			mnl_attr_put_u32(nlh, KSAD_SA_SPI_MIN, min);
			mnl_attr_put_u32(nlh, KSAD_SA_SPI_MAX, max);
		}
		err = knl_talk(&k, nlh, spi_cb, NULL);
		if (err) {
			fprintf(stderr, "ksad-getspi-storm: request %u failed\n", i);
			knl_perror(stderr, "ksad-getspi-storm", "GETSPI", &k, err);
			knl_close(&k);
			return 1;
		}
	}
	knl_close(&k);
	return 0;
}
