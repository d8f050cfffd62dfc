// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: ksad-ike's engine on an arbitrary datagram, as a
 * responder meets it (ike_sa_respond: proposal choice, KE, nonce, NAT
 * detection), then as an IKE SA in each waiting state would (ike_sa_input).
 * The kernel is a stub.  `make fuzz` runs it briefly.
 */
#include <string.h>
#include <sys/socket.h>

#include "../ike/ikesa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int st_getspi(void *ctx, const struct ike_child *c, uint32_t *spi)
{
	(void)ctx;
	(void)c;
	*spi = 0x1000;
	return 0;
}

static int st_key(void *ctx, const struct ike_child *c)
{
	(void)ctx;
	(void)c;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ike_kernel k = { st_getspi, st_key, st_key, NULL };
	static struct ike_cfg cfg;
	static struct ike_sa sa;
	static uint8_t out[8192];
	struct ike_addr from = { .family = AF_INET, .a = { 10, 0, 0, 1 }, .port = 500 };
	size_t len;

	if (!cfg.n_ike) {
		cfg.local.family = cfg.remote.family = AF_INET;
		cfg.local.a[0] = cfg.remote.a[0] = 10;
		cfg.local.a[3] = 2;
		cfg.remote.a[3] = 1;
		cfg.local.port = cfg.remote.port = 500;
		memcpy(cfg.psk, "fuzz", 4);
		cfg.psk_len = 4;
		cfg.ike[0] = (struct ike_suite){ IKE_ENCR_AES_GCM_16, 256, 0, IKE_PRF_HMAC_SHA2_256, 31 };
		cfg.ike[1] = (struct ike_suite){ IKE_ENCR_AES_CBC, 128, IKE_INTEG_SHA256_128,
						 IKE_PRF_HMAC_SHA2_256, 19 };
		cfg.n_ike = 2;
		cfg.esp[0] = (struct esp_suite){ IKE_ENCR_AES_GCM_16, 128, 0 };
		cfg.n_esp = 1;
		cfg.mode = 2;
		cfg.local_ts.type = cfg.remote_ts.type = 7;
		cfg.local_ts.end_port = cfg.remote_ts.end_port = 65535;
		memset(cfg.local_ts.end, 0xff, 4);
		memset(cfg.remote_ts.end, 0xff, 4);
	}
	if (size > 4096)
		return 0;
	/* as a new responder */
	ike_sa_respond(&sa, &cfg, &k, &from, data, size, out, sizeof(out), &len);
	/* the same bytes to an SA waiting for IKE_AUTH, if one came about */
	if (sa.state == IKE_INIT_DONE)
		ike_sa_input(&sa, data, size, out, sizeof(out), &len);
	ike_sa_free(&sa);
	/* and to an initiator waiting for its IKE_SA_INIT answer */
	if (!ike_sa_initiate(&sa, &cfg, &k, out, sizeof(out), &len)) {
		if (size >= 8)
			memcpy(&sa.spi_i, data, 8);	/* let it be ours */
		ike_sa_input(&sa, data, size, out, sizeof(out), &len);
	}
	ike_sa_free(&sa);
	return 0;
}
