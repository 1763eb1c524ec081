/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink socket: the "roam" family, requests with extack
 * error reporting, dumps and the events group.
 */
#ifndef ROAMCTL_NL_H
#define ROAMCTL_NL_H

#include <stdbool.h>
#include <stdint.h>
#include <libmnl/libmnl.h>

#include "roamctl.h"

/* Dumps fill messages of up to 32 KiB; MNL_SOCKET_BUFFER_SIZE is 8 KiB. */
#define NL_RXBUF_SIZE	(64 * 1024)
#define NL_REQ_SIZE	4096
#define NL_ERRMSG_SIZE	256

struct nl {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	uint16_t family;		/* the id of "roam" */
	bool has_events;
	uint32_t events_group;		/* the id of "events" */
	char *rxbuf;			/* NL_RXBUF_SIZE */
	char req[NL_REQ_SIZE] __attribute__((aligned(8)));
	int err;			/* errno of the last kernel refusal */
	char errmsg[NL_ERRMSG_SIZE];	/* its extack message, or "" */
	bool dump_intr;			/* the last dump was interrupted */
};

/* Called for each reply message; returns MNL_CB_OK or MNL_CB_ERROR (and
 * has then said why on stderr).
 */
typedef int (*nl_msg_cb)(const struct nlmsghdr *nlh, void *data);

int nl_open(struct nl *nl);
void nl_close(struct nl *nl);
struct nlmsghdr *nl_req(struct nl *nl, uint8_t cmd, bool dump);
int nl_talk(struct nl *nl, struct nlmsghdr *req, nl_msg_cb cb, void *data);
int nl_request(struct nl *nl, struct nlmsghdr *req, nl_msg_cb cb,
	       void *data);
void nl_perror(const struct nl *nl);
int nl_subscribe_events(struct nl *nl);

/* Attribute tables: tb[type] for types up to max, unknown ones skipped. */
int nl_parse_msg(const struct nlmsghdr *nlh, const struct nlattr **tb,
		 unsigned int max);
int nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
		    unsigned int max);
const struct nlattr *nl_msg_nest(const struct nlmsghdr *nlh, uint16_t type);
bool nl_get_uint(const struct nlattr *a, uint64_t *val);
bool nl_get_in6(const struct nlattr *a, struct in6_addr *addr);
bool nl_get_sockaddr(const struct nlattr *a, struct sockaddr_roam *sa);

#endif /* ROAMCTL_NL_H */
