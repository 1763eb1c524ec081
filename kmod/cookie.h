/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ROAM_COOKIE_H
#define _ROAM_COOKIE_H

#include <linux/in6.h>
#include <linux/types.h>

#include "protocol.h"

struct roam_net;

/* What a cookie binds together. */
struct roam_cookie_ctx {
	struct in6_addr saddr;		/* server, as the client addressed it */
	__be16 sport;
	struct in6_addr caddr;		/* client, as the server sees it */
	__be16 cport;
	u64 ccid;
	u64 scid;
	const u8 *cnonce;
};

enum roam_cookie_verdict {
	ROAM_COOKIE_OK,
	ROAM_COOKIE_BAD,		/* MAC does not verify */
	ROAM_COOKIE_EXPIRED,
	ROAM_COOKIE_WRONG_ADDR,		/* echoed from another address */
};

void roam_cookie_make(struct roam_net *rn, const struct roam_cookie_ctx *ctx,
		      u32 key_id, struct roam_cookie *c);
enum roam_cookie_verdict roam_cookie_check(struct roam_net *rn,
					   const struct roam_cookie_ctx *ctx,
					   const struct roam_cookie *c, u32 *gen);
int roam_cookie_spend(struct roam_net *rn, u64 scid, u32 gen);
void roam_cookie_unspend(struct roam_net *rn, u64 scid);

int roam_cookie_net_init(struct roam_net *rn);
void roam_cookie_net_exit(struct roam_net *rn);

#endif /* _ROAM_COOKIE_H */
