/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ROAM_OUTPUT_H
#define _ROAM_OUTPUT_H

#include <linux/types.h>

struct roam_path;
struct sock;

/* Why roam_output() runs, which decides what it may hold back. */
enum roam_out {
	ROAM_OUT_DATA,		/* the application wrote: Nagle, cork, MSG_MORE apply */
	ROAM_OUT_PUSH,		/* send everything the window allows */
	ROAM_OUT_CONTROL,	/* a MAX_DATA or ACK is due; data as PUSH */
	ROAM_OUT_ACK,		/* an ACK must go, even alone */
	ROAM_OUT_PROBE,		/* a probe timeout: two packets past the window */
	ROAM_OUT_PING,		/* a keepalive: one ack-eliciting packet */
	ROAM_OUT_FLUSH,		/* cork or MSG_MORE timed out: partial packets go */
};

void roam_output(struct sock *sk, enum roam_out why);
unsigned int roam_output_mss(unsigned int mtu);
void roam_output_close(struct sock *sk, u8 kind, u16 error);
void roam_output_response(struct sock *sk, const struct roam_path *path, const u8 *data);
void roam_output_challenge(struct sock *sk, const struct roam_path *path, const u8 *data);
int roam_output_path_ping(struct sock *sk, const struct roam_path *path);

#endif /* _ROAM_OUTPUT_H */
